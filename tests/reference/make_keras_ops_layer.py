"""Records a custom layer written only with keras.ops training in Keras 3, for
tests/tfgraph_keras/ops/test_ops_layer.py (tests/data/keras_ops_layer.npz: inputs, initial
weights, per-epoch losses, predictions). Run with Keras 3 (TensorFlow backend):
    /root/venvs/tf/bin/python tests/reference/make_keras_ops_layer.py
The model code is `build` below; the test builds the same model with tfgraph_keras.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "keras_ops_layer.npz")


def build(keras, ops):
    """A residual gated block using keras.ops only, then a softmax Dense."""

    class GatedBlock(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            d = input_shape[-1]
            self.w = self.add_weight(name="w", shape=(d, 2 * self.units))
            self.b = self.add_weight(name="b", shape=(2 * self.units,), initializer="zeros")
            self.proj = self.add_weight(name="proj", shape=(d, self.units))

        def call(self, x):
            h = ops.add(ops.matmul(x, self.w), self.b)
            a, g = ops.split(h, 2, axis=-1)
            y = ops.multiply(ops.gelu(a), ops.sigmoid(g))
            y = y + ops.einsum("bd,du->bu", x, self.proj)
            mean, var = ops.moments(y, axes=[-1], keepdims=True)
            return (y - mean) * ops.rsqrt(var + 1e-3)

    return keras.Sequential([keras.Input((6,)), GatedBlock(8),
                             keras.layers.Dense(3, activation="softmax")])


def data():
    rng = np.random.RandomState(7)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (np.argmax(x[:, :3] + 0.5 * x[:, 3:], axis=1)).astype(np.int32)
    return x, y


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras  # imported here: the test imports `build` and `data` from this file
    from keras import ops
    model = build(keras, ops)
    rng = np.random.RandomState(3)
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    x, y = data()
    history = model.fit(x, y, batch_size=16, epochs=6, shuffle=False, verbose=0)
    np.savez(OUT, x=x, y=y, losses=np.array(history.history["loss"]),
             predictions=model.predict(x, verbose=0), keras_version=keras.__version__,
             **{"w%d" % i: w for i, w in enumerate(weights)})
    print(history.history["loss"])


if __name__ == "__main__":
    main()
