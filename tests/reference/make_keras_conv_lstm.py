"""Writes keras_conv_lstm.keras, keras_conv_lstm_keras2.h5, keras_conv_lstm_bidirectional.keras and
keras_conv_lstm.npz from real Keras (3.15 and tf_keras 2), for tests/tfgraph_keras/layers/
test_keras_conv_lstm.py: a small model with two ConvLSTM2D layers saved both ways with its
predictions, a Bidirectional(ConvLSTM2D) model, and single-layer cases (config,
weights, input, outputs) for return_state, go_backwards, strides, dilation, no bias, channels_first,
ConvLSTM1D and ConvLSTM3D. Run with the TensorFlow virtualenv (tfgraph never imports it):
    /root/venvs/tf/bin/python tests/reference/make_keras_conv_lstm.py
"""
import json
import os
import subprocess
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")

# (name, class, input shape without batch, config)
CASES = [
    ("seq_state", "ConvLSTM2D", (3, 5, 5, 2),
     dict(filters=3, kernel_size=3, padding="same", return_sequences=True, return_state=True)),
    ("backwards", "ConvLSTM2D", (4, 6, 5, 2),
     dict(filters=2, kernel_size=(3, 2), go_backwards=True, return_state=True)),
    ("strided", "ConvLSTM2D", (3, 7, 7, 1),
     dict(filters=2, kernel_size=3, strides=2, padding="valid", return_sequences=True)),
    ("dilated_nobias", "ConvLSTM2D", (3, 7, 6, 2),
     dict(filters=2, kernel_size=2, dilation_rate=2, use_bias=False, activation="relu",
          recurrent_activation="softsign")),
    ("channels_first", "ConvLSTM2D", (3, 2, 5, 6),
     dict(filters=3, kernel_size=3, padding="same", data_format="channels_first",
          return_sequences=True, return_state=True)),
    ("conv1d", "ConvLSTM1D", (4, 9, 2),
     dict(filters=3, kernel_size=3, strides=2, return_sequences=True, return_state=True)),
    ("conv3d", "ConvLSTM3D", (2, 4, 4, 3, 1),
     dict(filters=2, kernel_size=(2, 3, 2), padding="same", return_state=True)),
]


def build(keras):
    """The same code builds the model in Keras and in tfgraph_keras."""
    L = keras.layers
    return keras.Sequential([keras.Input((4, 8, 8, 2)),
                             L.ConvLSTM2D(3, 3, padding="same", return_sequences=True),
                             L.ConvLSTM2D(2, 3), L.Flatten(), L.Dense(3)], name="conv_lstm")


def build_bidirectional(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((3, 5, 5, 2)),
                             L.Bidirectional(L.ConvLSTM2D(2, 3, padding="same",
                                                          return_sequences=True)),
                             L.Bidirectional(L.ConvLSTM2D(2, 2), merge_mode="sum")],
                            name="bidirectional_conv_lstm")


def set_weights(model, seed):
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype(np.float32)
                       for w in model.get_weights()])


def keras3(out):
    from tensorflow import keras
    model = build(keras)
    set_weights(model, 3)
    x = np.random.RandomState(4).randn(2, 4, 8, 8, 2).astype(np.float32)
    model.save(os.path.join(HERE, "keras_conv_lstm.keras"))
    out.update(x=x, y3=model.predict(x, verbose=0), keras3_version=keras.__version__)
    model = build_bidirectional(keras)
    set_weights(model, 5)
    xb = np.random.RandomState(6).randn(2, 3, 5, 5, 2).astype(np.float32)
    model.save(os.path.join(HERE, "keras_conv_lstm_bidirectional.keras"))
    out.update(x_bidirectional=xb, y_bidirectional=model.predict(xb, verbose=0))
    rng = np.random.RandomState(7)
    for name, cls, shape, config in CASES:
        out["case_%s_config" % name] = np.array(json.dumps(
            getattr(keras.layers, cls)(**config).get_config()))
        # TF's CPU convolutions are NHWC only, so channels_first runs as Keras's channels_last
        # layer (the same weights) on the transposed input, its outputs transposed back.
        first = config.get("data_format") == "channels_first"
        last = dict(config, data_format="channels_last")
        layer = getattr(keras.layers, cls)(**last)
        perm = (0, 1) + tuple(range(3, len(shape) + 1)) + (2,)
        inp = keras.Input(tuple(shape[p - 1] for p in perm[1:]) if first else shape)
        m = keras.Model(inp, layer(inp))
        set_weights(m, rng.randint(1000))
        x = rng.randn(2, *shape).astype(np.float32)
        ys = m.predict(np.transpose(x, perm) if first else x, verbose=0)
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        if first:   # channels back to axis 1 of each output (a sequence or a state)
            ys = [np.moveaxis(y, -1, 2 if y.ndim == len(shape) + 1 else 1) for y in ys]
        out["case_%s_x" % name] = x
        for i, w in enumerate(layer.get_weights()):
            out["case_%s_w%d" % (name, i)] = w
        for i, y in enumerate(ys):
            out["case_%s_y%d" % (name, i)] = y


def keras2():
    """Runs in a child process: tf_keras needs TF_USE_LEGACY_KERAS before TensorFlow loads."""
    import tf_keras
    model = build(tf_keras)
    set_weights(model, 3)
    x = np.random.RandomState(4).randn(2, 4, 8, 8, 2).astype(np.float32)
    model.save(os.path.join(HERE, "keras_conv_lstm_keras2.h5"))
    np.savez(os.path.join(HERE, "_keras2.npz"), y2=model.predict(x, verbose=0),
             keras2_version=tf_keras.__version__,
             weight_names2=np.array(json.dumps([w.name for w in model.weights])))


def main():
    if sys.argv[1:] == ["keras2"]:
        return keras2()
    subprocess.run([sys.executable, __file__, "keras2"], check=True,
                   env=dict(os.environ, TF_USE_LEGACY_KERAS="1"))
    path = os.path.join(HERE, "_keras2.npz")
    out = dict(np.load(path))
    os.remove(path)
    keras3(out)
    np.savez(os.path.join(HERE, "keras_conv_lstm.npz"), **out)


if __name__ == "__main__":
    main()
