"""Save and reload a Keras model, reuse it with frozen layers, fine-tune it, export it to ONNX.

1. Train a small convnet on the MNIST digits 0-4 and save it (model.save("base.keras")).
2. Load it back (keras.models.load_model): the same predictions, to the last bit.
3. Transfer: keep its convolutional part as a frozen feature extractor (trainable = False) and
   train a new softmax head on the digits 5-9; the frozen weights do not move.
4. Fine-tune: unfreeze everything and train a little more with a 10x smaller learning rate.
5. Save the result (.keras, and the weights alone as .weights.h5), export it to ONNX
   (model.export(..., format="onnx")) and run the ONNX file in onnxruntime, which gives the
   model's predictions without tfgraph or Keras.

Only the import line differs from the Keras script: with `from tensorflow import keras` the same
file runs on TensorFlow (whose ONNX export also needs `pip install tf2onnx`). ONNX needs the onnx
and onnxruntime packages (pip install "tfgraph[viz]"); without them step 5 prints a hint. MNIST is
read from $TFGRAPH_DATASETS_DIR/mnist.npz (or ~/.keras/datasets, or downloaded). The files go to a
temporary folder unless --outdir DIR is given (open model.onnx in Netron to see the graph).

    python tutorials/keras_save_finetune_onnx.py           # all of MNIST; about 5 minutes
    python tutorials/keras_save_finetune_onnx.py --quick   # 3,000 images per task

Quick run: test accuracy >= 0.6

Measured 2026-12-07 (full run, 2 shared CPU cores, 5.4 minutes): digits 0-4 test accuracy 0.9949;
digits 5-9 with the frozen features 0.9142, after fine-tuning 0.9825; onnxruntime's predictions
within 1.6e-6 of model.predict, same accuracy. Quick run: 0.9578; 0.6340, 0.7803. TensorFlow 2.21
/ Keras 3.15 on the same script (no tf2onnx installed, so up to the export): full run 0.9967; 0.9395, 0.9831;
quick run 0.9628; 0.6322, 0.8132.
"""
import argparse
import os
import tempfile

import numpy as np

import tfgraph_keras as keras  # with TensorFlow: from tensorflow import keras
from tfgraph_keras import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true",
                    help="3,000 training images per task, fewer epochs (a check that it runs)")
parser.add_argument("--outdir", help="folder for the saved files (default: a temporary folder)")
args = parser.parse_args()
# training images per task; epochs for the base model, the new head, the fine-tuning
n_images, epochs, head_epochs, tune_epochs = (3000, 1, 5, 1) if args.quick else (None, 2, 5, 2)

keras.utils.set_random_seed(1)
tmp = tempfile.TemporaryDirectory()
outdir = args.outdir or tmp.name
os.makedirs(outdir, exist_ok=True)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)


def digits(x, y, low, n=None):
    """The images of the digits low..low+4, labelled 0..4."""
    keep = (y >= low) & (y < low + 5)
    return x[keep][:n], (y[keep] - low)[:n]


x_a, y_a = digits(x_train, y_train, 0, n_images)       # task A: 0-4
x_a_test, y_a_test = digits(x_test, y_test, 0)
x_b, y_b = digits(x_train, y_train, 5, n_images)       # task B: 5-9
x_b_test, y_b_test = digits(x_test, y_test, 5)
print("Task A (digits 0-4): %d training images; task B (digits 5-9): %d" % (len(x_a), len(x_b)))

# -- 1. Train and save --------------------------------------------------------------------------
base = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(16, 3, activation="relu", name="conv1"),
    layers.MaxPooling2D(name="pool1"),
    layers.Conv2D(32, 3, activation="relu", name="conv2"),
    layers.MaxPooling2D(name="pool2"),
    layers.Flatten(name="flatten"),
    layers.Dense(64, activation="relu", name="features"),
    layers.Dense(5, activation="softmax", name="head_0_4"),
], name="base")
base.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
base.fit(x_a, y_a, batch_size=64, epochs=epochs, verbose=2)
print("1. Digits 0-4, test accuracy: %.4f" % base.evaluate(x_a_test, y_a_test, verbose=0)[1])
base_path = os.path.join(outdir, "base.keras")
base.save(base_path)  # architecture, weights, and the compiled optimizer's state in one zip
print("   saved to", base_path)

# -- 2. Reload ----------------------------------------------------------------------------------
reloaded = keras.models.load_model(base_path)
same = np.array_equal(reloaded.predict(x_a_test[:100], verbose=0),
                      base.predict(x_a_test[:100], verbose=0))
print("2. Reloaded: %d layers, predictions identical to the saved model's: %s"
      % (len(reloaded.layers), same))

# -- 3. Transfer with frozen layers ------------------------------------------------------------
# Everything up to the 64 "features" becomes one frozen layer of the new model
extractor = keras.Model(inputs=reloaded.inputs, outputs=reloaded.get_layer("features").output,
                        name="extractor")
extractor.trainable = False  # its weights are left out of training (and BatchNorm would not update)
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    extractor,
    layers.Dense(5, activation="softmax", name="head_5_9"),
], name="transfer")
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()  # 56,064 non-trainable parameters (the extractor), 325 trainable (the head)
print("   trainable weights: %d (the head's kernel and bias), frozen: %d"
      % (len(model.trainable_weights), len(model.non_trainable_weights)))
frozen_before = [w.copy() for w in extractor.get_weights()]
model.fit(x_b, y_b, batch_size=64, epochs=head_epochs, verbose=2)
unchanged = all(np.array_equal(a, b) for a, b in zip(frozen_before, extractor.get_weights()))
acc_frozen = model.evaluate(x_b_test, y_b_test, verbose=0)[1]
print("3. Digits 5-9 with frozen features, test accuracy: %.4f (frozen weights unchanged: %s)"
      % (acc_frozen, unchanged))

# -- 4. Fine-tune everything, slowly ------------------------------------------------------------
extractor.trainable = True
# trainable changes take effect at compile(): compile again, with a small learning rate so the
# pretrained features are adjusted, not overwritten
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
print("   trainable weights after unfreezing: %d" % len(model.trainable_weights))
model.fit(x_b, y_b, batch_size=64, epochs=tune_epochs, verbose=2)
acc_tuned = model.evaluate(x_b_test, y_b_test, verbose=0)[1]
print("4. Digits 5-9 after fine-tuning, test accuracy: %.4f" % acc_tuned)

# -- 5. Save, export to ONNX, run in onnxruntime ------------------------------------------------
final_path = os.path.join(outdir, "digits_5_9.keras")
model.save(final_path)
model.save_weights(os.path.join(outdir, "digits_5_9.weights.h5"))
probabilities = model.predict(x_b_test, verbose=0)
print("5. Saved %s (%d kB) and its weights" % (final_path, os.path.getsize(final_path) // 1024))
try:
    import onnxruntime
except ImportError:
    onnxruntime = None
    print("   ONNX skipped: pip install onnx onnxruntime (or tfgraph[viz]) to export and run it")
if onnxruntime is not None:
    onnx_path = os.path.join(outdir, "digits_5_9.onnx")
    model.export(onnx_path, format="onnx")
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    (onnx_probabilities,) = session.run(None, {input_name: x_b_test})
    print("   onnxruntime: input %r %s, largest difference from model.predict: %.1e, test "
          "accuracy %.4f" % (input_name, session.get_inputs()[0].shape,
                              np.abs(onnx_probabilities - probabilities).max(),
                              np.mean(onnx_probabilities.argmax(1) == y_b_test)))
if args.outdir is None:
    print("(files written to a temporary folder, now deleted: --outdir DIR keeps them)")
tmp.cleanup()
