"""Writes tests/data/keras_channels_first.npz from real Keras 3 for
tests/tfgraph_keras/layers/test_keras_channels_first.py: every conv/pool/reshaping layer with
data_format="channels_first" (each `build_*(keras)` function below is run by the tests on
tfgraph_keras too), weights drawn from a seeded RandomState in Keras's weight order, Keras's
predictions, the layers' data_format configs, and a short SGD run of a channels_first CNN built
under keras.config.set_image_data_format("channels_first") (its loss trajectory).
Run it with the TensorFlow virtualenv (tfgraph never imports TensorFlow; Keras 3.15.1 wrote it):
    /root/venvs/tf/bin/python tests/reference/make_keras_channels_first.py
"""
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
CF = "channels_first"


def build_conv2d(keras):
    L = keras.layers
    x = keras.Input((3, 7, 6))
    outs = [L.Conv2D(4, 3, strides=2, padding="same", data_format=CF)(x),
            L.Conv2D(2, (2, 3), dilation_rate=2, activation="relu", data_format=CF)(x),
            L.DepthwiseConv2D(3, depth_multiplier=2, data_format=CF)(x),
            L.SeparableConv2D(3, 3, padding="same", data_format=CF)(x),
            L.Conv2DTranspose(2, 3, strides=2, data_format=CF)(x),
            L.Conv2DTranspose(2, (2, 3), strides=(1, 2), padding="same", data_format=CF)(x)]
    return keras.Model(x, outs, name="conv2d")


def build_conv1d(keras):
    L = keras.layers
    x = keras.Input((3, 9))
    outs = [L.Conv1D(4, 3, strides=2, data_format=CF)(x),
            L.Conv1D(2, 3, dilation_rate=2, padding="causal", data_format=CF)(x),
            L.SeparableConv1D(2, 3, padding="same", data_format=CF)(x),
            L.Conv1DTranspose(2, 3, strides=2, data_format=CF)(x),
            L.MaxPooling1D(2, data_format=CF)(x),
            L.AveragePooling1D(3, strides=2, padding="same", data_format=CF)(x),
            L.GlobalMaxPooling1D(data_format=CF)(x),
            L.GlobalAveragePooling1D(data_format=CF, keepdims=True)(x),
            L.ZeroPadding1D((1, 2), data_format=CF)(x)]
    return keras.Model(x, outs, name="conv1d")


def build_conv3d(keras):
    L = keras.layers
    x = keras.Input((2, 4, 5, 3))
    outs = [L.Conv3D(3, 2, data_format=CF)(x),
            L.Conv3D(2, (1, 2, 3), padding="same", strides=2, data_format=CF)(x),
            L.Conv3DTranspose(2, 2, strides=2, data_format=CF)(x),
            L.MaxPooling3D(2, data_format=CF)(x),
            L.AveragePooling3D(2, padding="same", data_format=CF)(x),
            L.GlobalMaxPooling3D(data_format=CF)(x),
            L.GlobalAveragePooling3D(data_format=CF)(x),
            L.UpSampling3D((2, 1, 2), data_format=CF)(x),
            L.ZeroPadding3D((1, 0, 2), data_format=CF)(x),
            L.Cropping3D(((1, 0), (1, 2), (0, 1)), data_format=CF)(x)]
    return keras.Model(x, outs, name="conv3d")


def build_pool2d(keras):
    L = keras.layers
    x = keras.Input((3, 6, 5))
    outs = [L.MaxPooling2D(2, data_format=CF)(x),
            L.AveragePooling2D(3, strides=2, padding="same", data_format=CF)(x),
            L.GlobalMaxPooling2D(data_format=CF)(x),
            L.GlobalAveragePooling2D(data_format=CF, keepdims=True)(x),
            L.UpSampling2D((2, 3), data_format=CF)(x),
            L.ZeroPadding2D(((1, 0), (2, 1)), data_format=CF)(x),
            L.Cropping2D(((1, 2), (0, 1)), data_format=CF)(x),
            L.Flatten(data_format=CF)(x)]
    return keras.Model(x, outs, name="pool2d")


def build_default_cnn(keras, input_shape=(2, 6, 6)):
    """Built while image_data_format() is 'channels_first': no layer names a data_format."""
    L = keras.layers
    return keras.Sequential([keras.Input(input_shape), L.Conv2D(3, 3, activation="relu"),
                             L.MaxPooling2D(), L.Flatten(), L.Dense(4)], name="default_cnn")


CASES = ["conv2d", "conv1d", "conv3d", "pool2d"]


def _set_weights(model, rng):
    model.set_weights([np.asarray(rng.randn(*w.shape) * 0.5, np.float32) for w in model.weights])


def _via_channels_last(keras, layer, x):
    """What `layer` computes where TF has NCHW kernels (GPU): the same layer in channels_last
    with the same weights, on the transposed input, transposed back."""
    config = dict(layer.get_config(), data_format="channels_last", name=layer.name + "_nhwc")
    twin = type(layer).from_config(config)
    nd = x.ndim
    xl = np.transpose(x, [0] + list(range(2, nd)) + [1])
    twin.build(xl.shape)
    twin.set_weights(layer.get_weights())
    y = np.asarray(twin(xl))
    return np.transpose(y, [0, nd - 1] + list(range(1, nd - 1))) if y.ndim == nd else y


def record(keras, name, out):
    model = globals()["build_" + name](keras)
    _set_weights(model, np.random.RandomState(7))
    x = np.random.RandomState(11).randn(2, *model.inputs[0].shape[1:]).astype(np.float32)
    ys, twins, differs = [], [], []
    for t in model.outputs:
        layer = t._keras_history[0]
        twin = _via_channels_last(keras, layer, x)
        try:
            native = np.asarray(layer(x))
        except Exception:  # TF's CPU kernels lack NCHW here: the GPU's answer, via NHWC
            native = None
            twins.append(layer.name)
        if native is not None and not np.allclose(native, twin, rtol=1e-5, atol=1e-5):
            # TF 2.21's CPU NCDHW Conv3D with 'same' padding and strides 2 is off by a constant
            # on some outputs; the NHWC twin is the convolution's definition (and the GPU's)
            differs.append(layer.name)
            native = None
        ys.append(twin if native is None else native)
    out[name + "_twins"] = json.dumps(twins)
    out[name + "_native_differs"] = json.dumps(differs)
    out[name + "_x"] = x
    for i, y in enumerate(ys):
        out["%s_y%d" % (name, i)] = y
    out[name + "_weight_shapes"] = json.dumps([list(w.shape) for w in model.weights])
    out[name + "_formats"] = json.dumps([layer.get_config().get("data_format")
                                         for layer in model.layers])


def record_default(keras, out):
    keras.config.set_image_data_format(CF)
    try:
        model = build_default_cnn(keras)
    finally:
        keras.config.set_image_data_format("channels_last")
    _set_weights(model, np.random.RandomState(7))
    rng = np.random.RandomState(12)
    x = rng.randn(8, 2, 6, 6).astype(np.float32)
    y = rng.randn(8, 4).astype(np.float32)
    out["default_x"], out["default_y"] = x, y
    out["default_formats"] = json.dumps([layer.get_config().get("data_format")
                                         for layer in model.layers])
    # TF on CPU cannot run a compiled NCHW Conv2D ("only supports the NHWC tensor format on the
    # CPU"), so predictions and the trajectory are the channels_last twin's: the same weights on
    # transposed images (the channels_first Flatten puts features in channels_last order, so
    # Dense sees the same vectors).
    twin = build_default_cnn(keras, (6, 6, 2))
    twin.set_weights(model.get_weights())
    xl = np.transpose(x, (0, 2, 3, 1))
    out["default_pred"] = twin.predict(xl, verbose=0)
    twin.compile(keras.optimizers.SGD(0.05), "mse")
    hist = twin.fit(xl, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    out["default_losses"] = np.asarray(hist.history["loss"], np.float64)
    out["default_pred_after"] = twin.predict(xl, verbose=0)


def main():
    import keras
    out = {"keras_version": keras.__version__}
    for name in CASES:
        record(keras, name, out)
    record_default(keras, out)
    np.savez(os.path.join(HERE, "keras_channels_first.npz"), **out)
    print("wrote keras_channels_first.npz:", sorted(out))


if __name__ == "__main__":
    main()
