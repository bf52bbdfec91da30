"""Keras 3 custom layers written only with `keras.ops`, trained on MNIST.

The layers below are backend-agnostic Keras 3 code: with `import keras` / `from keras import ops`
the same file runs on Keras 3. Under tfgraph_keras each `ops.*` call inside `call` becomes graph
ops, built once and run by compiled plans; gradients flow through them to the layers' weights.

    python tutorials/keras3_ops_layers.py            # 2 epochs on 60,000 images: about 0.97
    python tutorials/keras3_ops_layers.py --quick    # 1 epoch on 6,000 images: about 0.9

Quick run: test accuracy >= 0.85
"""
import argparse

import numpy as np

import tfgraph_keras as keras
from tfgraph_keras import ops


class GatedDense(keras.layers.Layer):
    """y = gelu(x W_a + b_a) * sigmoid(x W_g + b_g): a gated linear unit."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], 2 * self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(2 * self.units,), initializer="zeros")

    def call(self, x):
        value, gate = ops.split(ops.matmul(x, self.kernel) + self.bias, 2, axis=-1)
        return ops.gelu(value) * ops.sigmoid(gate)


class RMSNorm(keras.layers.Layer):
    """Root-mean-square normalization with a learned scale."""

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return ops.rms_normalization(x, self.scale, epsilon=1e-6)


def build_model():
    inputs = keras.Input((28, 28))
    x = keras.layers.Reshape((784,))(inputs)
    x = RMSNorm()(GatedDense(256)(x))
    x = RMSNorm()(GatedDense(128)(x))
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def main(quick=False):
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train, x_test = x_train.astype(np.float32) / 255, x_test.astype(np.float32) / 255
    if quick:
        x_train, y_train, x_test, y_test = x_train[:6000], y_train[:6000], x_test[:1000], \
            y_test[:1000]
    model = build_model()
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=1 if quick else 2, verbose=2)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print("Test accuracy:", accuracy)
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 6,000 images")
    main(parser.parse_args().quick)
