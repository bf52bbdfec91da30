"""Transfer learning with a keras.applications model: pretrain, freeze, new head, fine-tune.

Offline there are no ImageNet weights, so the tutorial makes its own small "pretrained" file:
1. Pretraining: MobileNetV2(alpha=0.35, weights=None) learns MNIST digits 0-4 (28x28 padded to
   32x32, grey repeated to 3 channels); its base (include_top=False) is saved to
   mnv2_digits04.weights.h5, which is just what a Keras weights file is.
2. Transfer: digits 5-9 with only a few labelled images. MobileNetV2(weights=<that file>,
   include_top=False, pooling="avg") is frozen (base.trainable = False, called with
   training=False so BatchNormalization keeps its statistics) and a new Dense head is trained.
3. Fine-tuning: the base is unfrozen and the whole model trained on with a 10x smaller learning
   rate. For comparison the same model is trained from scratch (weights=None) on the same images.

Full run (python tutorials/transfer_learning.py), measured 2026-12-07 on the shared 2-core dev
machine (80 s of CPU, 7.8 min wall at load ~16): pretraining reaches 0.79 training accuracy on
digits 0-4 (6000 images, 2 epochs); on digits 5-9 with 200 labelled images the frozen base + new
head gets 0.48 test accuracy (2000 test images), fine-tuning 0.52, the same network from scratch
0.26 (chance is 0.20). `--quick` (128/64/64 images, one epoch per stage, no from-scratch run)
takes about 10 s of CPU.
"""
import argparse
import os
import tempfile
import time

import numpy as np

import tfgraph_keras as keras
from tfgraph_keras import layers

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--quick", action="store_true", help="a few hundred images, one epoch each")
args = parser.parse_args()
quick = args.quick
n_pretrain, n_transfer, n_test = (128, 64, 64) if quick else (6000, 200, 2000)
epochs_pre, epochs_head, epochs_fine = (1, 1, 1) if quick else (2, 10, 5)
keras.utils.set_random_seed(0)
started = time.time()


def prepare(x):
    """(n, 28, 28) uint8 digits -> (n, 32, 32, 3) in [-1, 1], as MobileNetV2 expects."""
    x = np.pad(x, ((0, 0), (2, 2), (2, 2))).astype("float32")
    x = np.repeat(x[..., None], 3, axis=-1)
    return keras.applications.mobilenet_v2.preprocess_input(x)


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
src = y_train < 5
tgt, tgt_test = y_train >= 5, y_test >= 5
x_src, y_src = prepare(x_train[src][:n_pretrain]), y_train[src][:n_pretrain]
x_tgt, y_tgt = prepare(x_train[tgt][:n_transfer]), y_train[tgt][:n_transfer] - 5
x_val, y_val = prepare(x_test[tgt_test][:n_test]), y_test[tgt_test][:n_test] - 5
print("pretraining images:", x_src.shape, "transfer images:", x_tgt.shape, "test:", x_val.shape)


def mobilenet(weights):
    """The base network. MobileNetV2's BatchNormalization momentum (0.999) suits long ImageNet
    training; over a few hundred steps the moving statistics would stay near their initial
    values and the network would output ~0 in inference mode, so the layers that will train
    here use 0.9 (Keras reads it when the layer is called, as tfgraph does)."""
    base = keras.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35,
                                          include_top=False, weights=weights, pooling="avg")
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.9
    return base


# 1. Pretraining on digits 0-4: the source task.
base = mobilenet(weights=None)
inputs = keras.Input((32, 32, 3))
model = keras.Model(inputs, layers.Dense(5, activation="softmax")(base(inputs)))
model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x_src, y_src, batch_size=32, epochs=epochs_pre, verbose=2)
weights_file = os.path.join(tempfile.mkdtemp(), "mnv2_digits04.weights.h5")
base.save_weights(weights_file)
print("saved the pretrained base to", weights_file)


def transfer_model(weights, frozen):
    base = mobilenet(weights)
    base.trainable = not frozen
    inputs = keras.Input((32, 32, 3))
    # the pretrained base's BatchNormalization stays in inference mode, even when fine-tuned
    x = base(inputs, training=False) if weights is not None else base(inputs)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(5, activation="softmax", name="new_head")(x)
    return base, keras.Model(inputs, outputs)


# 2. A new head on the frozen pretrained base (digits 5-9, few labels).
base, model = transfer_model(weights_file, frozen=True)
print("trainable weights with the base frozen:", [w.name for w in model.trainable_weights])
model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x_tgt, y_tgt, batch_size=32, epochs=epochs_head, verbose=2)
head_acc = model.evaluate(x_val, y_val, verbose=0)[1]
print("frozen base + new head: test accuracy %.4f" % head_acc)

# 3. Fine-tuning: unfreeze the base, recompile with a smaller learning rate, train on.
base.trainable = True
model.compile(keras.optimizers.Adam(1e-4), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
print("trainable weights after unfreezing:", len(model.trainable_weights))
model.fit(x_tgt, y_tgt, batch_size=32, epochs=epochs_fine, verbose=2)
fine_acc = model.evaluate(x_val, y_val, verbose=0)[1]
print("fine-tuned: test accuracy %.4f" % fine_acc)

if not quick:  # the same network trained from scratch on the same few images
    _, scratch = transfer_model(None, frozen=False)
    scratch.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    scratch.fit(x_tgt, y_tgt, batch_size=32, epochs=epochs_head + epochs_fine, verbose=0)
    scratch_acc = scratch.evaluate(x_val, y_val, verbose=0)[1]
    print("from scratch (weights=None): test accuracy %.4f" % scratch_acc)
print("Done: fine-tuned test accuracy %.2f, in %.1f s" % (fine_acc, time.time() - started))
