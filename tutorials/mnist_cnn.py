"""Trains a simple convnet on the MNIST dataset (the classic Keras example).

Gets to ~98.5% test accuracy after 2 epochs. Only the imports differ from the Keras script.
MNIST is read from $TFGRAPH_DATASETS_DIR/mnist.npz (or ~/.keras/datasets, or downloaded).
`--quick`: one epoch on 4,000 images, tested on 1,000 (a check that it runs).

Quick run: test accuracy >= 0.80
"""
import sys

import numpy as np

import tfgraph_keras as keras
from tfgraph_keras import layers

num_classes = 10
input_shape = (28, 28, 1)
batch_size = 128
epochs = 2

# Load the data and scale images to the [0, 1] range
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
# Make sure images have shape (28, 28, 1)
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
if "--quick" in sys.argv[1:]:
    x_train, y_train, x_test, y_test = x_train[:4000], y_train[:4000], x_test[:1000], y_test[:1000]
    epochs = 1
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()

model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)

probabilities = model.predict(x_test[:1])
print("First test image: predicted", int(np.argmax(probabilities[0])), "- label", int(y_test[0]))

score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
