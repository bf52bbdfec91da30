"""A Keras functional model on MNIST: one shared Dense layer reads both halves of each image, and
the model has two outputs, the digit (softmax) and whether it is odd (sigmoid).

Only the imports differ from the Keras script: with `from tensorflow import keras` it runs on
TensorFlow unchanged. MNIST is read from $TFGRAPH_DATASETS_DIR/mnist.npz (or ~/.keras/datasets, or
downloaded). `--quick`: one epoch on 6,000 images, tested on 1,000 (a check that it runs).

Quick run: test accuracy >= 0.80
"""
import sys

import tfgraph_keras as keras
from tfgraph_keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
epochs = 2
if "--quick" in sys.argv[1:]:
    x_train, y_train, x_test, y_test = x_train[:6000], y_train[:6000], x_test[:1000], y_test[:1000]
    epochs = 1


def halves(images):
    """Top and bottom 14 rows of each image, flattened and scaled to [0, 1]."""
    images = images.astype("float32") / 255
    return [images[:, :14].reshape(-1, 14 * 28), images[:, 14:].reshape(-1, 14 * 28)]


top = keras.Input(shape=(14 * 28,), name="top")
bottom = keras.Input(shape=(14 * 28,), name="bottom")
shared = layers.Dense(256, activation="relu", name="shared_half_encoder")
features = layers.Concatenate()([shared(top), shared(bottom)])
hidden = layers.Dense(128, activation="relu")(features)
digit = layers.Dense(10, activation="softmax", name="digit")(hidden)
odd = layers.Dense(1, activation="sigmoid", name="odd")(hidden)
model = keras.Model(inputs=[top, bottom], outputs=[digit, odd])
model.summary()

model.compile(optimizer="adam",
              loss={"digit": "sparse_categorical_crossentropy", "odd": "binary_crossentropy"},
              loss_weights={"digit": 1.0, "odd": 0.5},
              metrics={"digit": ["accuracy"], "odd": ["accuracy"]})
model.fit(halves(x_train), {"digit": y_train, "odd": (y_train % 2).astype("float32")},
          batch_size=128, epochs=epochs, validation_split=0.1)

scores = model.evaluate(halves(x_test), {"digit": y_test, "odd": (y_test % 2).astype("float32")},
                        verbose=0, return_dict=True)
print("Test odd/even accuracy:", scores["odd_accuracy"])
print("Test accuracy:", scores["digit_accuracy"])   # of the digit output
