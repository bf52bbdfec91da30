"""keras.layers.ConvLSTM1D/2D/3D against Keras 3.15's and tf_keras 2's files and numbers
(tests/reference/make_keras_conv_lstm.py), a numpy reference, gradients and training."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tests.tfgraph_keras.layers.layer_check import check_gradients
from tests.tfgraph_keras.saving.keras_files import needs_h5py
from tfgraph_keras import backend, layers
from tfgraph_keras.saving import serialization

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
REF = np.load(os.path.join(DATA, "keras_conv_lstm.npz"))
CASES = sorted(k[5:-7] for k in REF.files if k.startswith("case_") and k.endswith("_config"))
CLASSES = {"conv1d": "ConvLSTM1D", "conv3d": "ConvLSTM3D"}


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def build(keras):
    """The model of the generator, built by tfgraph_keras."""
    L = keras.layers
    return keras.Sequential([keras.Input((4, 8, 8, 2)),
                             L.ConvLSTM2D(3, 3, padding="same", return_sequences=True),
                             L.ConvLSTM2D(2, 3), L.Flatten(), L.Dense(3)], name="conv_lstm")


# -- Keras's files ----------------------------------------------------------------------------
@needs_h5py
@pytest.mark.parametrize("name,key", [("keras_conv_lstm.keras", "y3"),
                                      ("keras_conv_lstm_keras2.h5", "y2")])
def test_keras_files_load_and_predict_as_keras(name, key, tmp_path):
    model = keras.models.load_model(os.path.join(DATA, name))
    conv = model.layers[0]
    assert type(conv).__name__ == "ConvLSTM2D" and conv.padding == "same"
    assert [w.name for w in conv.weights] == ["conv_lstm2d/kernel:0",
                                              "conv_lstm2d/recurrent_kernel:0",
                                              "conv_lstm2d/bias:0"]
    assert [tuple(w.shape.as_list()) for w in model.layers[1].weights] == \
        [(3, 3, 3, 8), (3, 3, 2, 8), (8,)]
    # tf_keras 2 defaults to hard_sigmoid (its 0.2x + 0.5 form), Keras 3 to sigmoid
    assert conv.recurrent_activation.__name__ == ("hard_sigmoid" if key == "y2" else "sigmoid")
    y = model.predict(REF["x"], verbose=0)
    np.testing.assert_allclose(y, REF[key], rtol=1e-5, atol=1e-6)
    ext = os.path.splitext(name)[1]
    model.save(str(tmp_path / ("again" + ext)))
    backend.clear_session()
    again = keras.models.load_model(str(tmp_path / ("again" + ext)))
    np.testing.assert_allclose(again.predict(REF["x"], verbose=0), REF[key], rtol=1e-5,
                               atol=1e-6)


@needs_h5py
def test_bidirectional_conv_lstm_file_predicts_as_keras():
    model = keras.models.load_model(os.path.join(DATA, "keras_conv_lstm_bidirectional.keras"))
    assert [type(layer.forward_layer).__name__ for layer in model.layers] == ["ConvLSTM2D"] * 2
    np.testing.assert_allclose(model.predict(REF["x_bidirectional"], verbose=0),
                               REF["y_bidirectional"], rtol=1e-5, atol=1e-6)


@needs_h5py
def test_weights_file_written_in_keras3_layout(tmp_path):
    import h5py
    model = build(keras)
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert sorted(f["layers/conv_lstm2d/cell/vars"]) == ["0", "1", "2"]
        assert len(f["layers/conv_lstm2d/vars"]) == 0
        assert f["layers/conv_lstm2d_1/cell/vars/1"].shape == (3, 3, 2, 8)


def _case_layer(name):
    config = json.loads(str(REF["case_%s_config" % name]))
    return serialization.deserialize_keras_object(
        {"class_name": CLASSES.get(name, "ConvLSTM2D"), "config": config})


@pytest.mark.parametrize("name", CASES)
def test_layer_cases_match_keras(name):
    layer = _case_layer(name)
    x = REF["case_%s_x" % name]
    inp = keras.Input(x.shape[1:])
    outs = layer(inp)
    model = keras.Model(inp, outs)
    layer.set_weights([REF[k] for k in ("case_%s_w%d" % (name, i) for i in range(3))
                       if k in REF.files])
    ys = model.predict(x, verbose=0)
    ys = ys if isinstance(ys, list) else [ys]
    refs = [REF[k] for k in ("case_%s_y%d" % (name, i) for i in range(3)) if k in REF.files]
    assert len(ys) == len(refs)
    shapes = layer.compute_output_shape((None,) + x.shape[1:])
    shapes = shapes if isinstance(shapes, list) else [shapes]
    for y, ref, shape in zip(ys, refs, shapes):
        assert y.shape == ref.shape and tuple(shape[1:]) == ref.shape[1:]
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_default_names_are_keras():
    assert [layers.ConvLSTM2D(2, 3).name, layers.ConvLSTM2D(2, 3).name,
            layers.ConvLSTM1D(2, 3).name, layers.ConvLSTM3D(2, 3).name] == \
        ["conv_lstm2d", "conv_lstm2d_1", "conv_lstm1d", "conv_lstm3d"]


def test_config_round_trip():
    layer = layers.ConvLSTM2D(4, (3, 2), strides=(2, 1), padding="same", dropout=0.1,
                              recurrent_dropout=0.2, return_state=True, go_backwards=True,
                              unit_forget_bias=False, kernel_regularizer="l2",
                              data_format="channels_first", name="c")
    config = layer.get_config()
    assert config["kernel_size"] == (3, 2) and config["strides"] == (2, 1)
    again = layers.ConvLSTM2D.from_config(config)
    assert again.get_config() == config


# -- numpy reference --------------------------------------------------------------------------
def np_conv2d(x, w, stride, padding, dilation):
    """NHWC convolution with TF's 'same' padding (the extra pixel at the end)."""
    kh, kw = w.shape[:2]
    n, h, wd, _ = x.shape
    eh, ew = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    if padding == "same":
        oh, ow = -(-h // stride), -(-wd // stride)
        ph = max((oh - 1) * stride + eh - h, 0)
        pw = max((ow - 1) * stride + ew - wd, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - eh) // stride + 1, (wd - ew) // stride + 1
    out = np.zeros((n, oh, ow, w.shape[3]))
    for p in range(kh):
        for q in range(kw):
            patch = x[:, p * dilation:p * dilation + (oh - 1) * stride + 1:stride,
                      q * dilation:q * dilation + (ow - 1) * stride + 1:stride]
            out += patch @ w[p, q]
    return out


def np_conv_lstm2d(x, kernel, rec, bias, stride=1, padding="valid", dilation=1, mask=None,
                   backwards=False):
    sig = lambda z: 1 / (1 + np.exp(-z))   # noqa: E731
    steps = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    h = c = None
    outs = []
    for t in steps:
        z = np_conv2d(x[:, t], kernel, stride, padding, dilation) + bias
        if h is None:
            h = c = np.zeros(z.shape[:-1] + (rec.shape[2],))
            prev = h
        z = z + np_conv2d(h, rec, 1, "same", 1)
        zi, zf, zc, zo = np.split(z, 4, axis=-1)
        c_new = sig(zf) * c + sig(zi) * np.tanh(zc)
        h_new = sig(zo) * np.tanh(c_new)
        if mask is not None:
            keep = mask[:, t].reshape(-1, 1, 1, 1)
            h_new = np.where(keep, h_new, h)
            c_new = np.where(keep, c_new, c)
            out = np.where(keep, h_new, prev)
        else:
            out = h_new
        h, c, prev = h_new, c_new, out
        outs.append(out)
    return np.stack(outs, 1), h, c


@pytest.mark.parametrize("stride,padding,dilation,backwards", [
    (1, "same", 1, False), (2, "same", 1, True), (1, "valid", 2, False), (2, "valid", 1, False)])
def test_forward_matches_numpy(stride, padding, dilation, backwards):
    rng = np.random.RandomState(1)
    x = rng.randn(2, 3, 7, 6, 2).astype(np.float32)
    layer = layers.ConvLSTM2D(3, (3, 2), strides=stride, padding=padding, dilation_rate=dilation,
                              go_backwards=backwards, return_sequences=True, return_state=True)
    inp = keras.Input(x.shape[1:])
    model = keras.Model(inp, layer(inp))
    weights = [rng.uniform(-0.5, 0.5, w.shape.as_list()).astype(np.float32)
               for w in layer.weights]
    layer.set_weights(weights)
    seq, h, c = model.predict(x, verbose=0)
    ref = np_conv_lstm2d(x.astype(np.float64), *weights, stride=stride, padding=padding,
                         dilation=dilation, backwards=backwards)
    for got, want in zip((seq, h, c), ref):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_masked_steps_keep_states_as_numpy():
    rng = np.random.RandomState(2)
    x = rng.randn(3, 4, 5, 5, 2).astype(np.float32)
    x[0, 2:] = 0.0
    x[1, 0] = 0.0
    mask = np.abs(x).reshape(3, 4, -1).max(-1) > 0
    conv = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True)
    outs = conv(tf.constant(x), mask=tf.constant(mask))
    backend.initialize_variables(conv.weights)
    weights = [rng.uniform(-0.5, 0.5, w.shape.as_list()).astype(np.float32)
               for w in conv.weights]
    conv.set_weights(weights)
    seq, h, c = backend.get_session().run(outs)
    ref = np_conv_lstm2d(x.astype(np.float64), *weights, padding="same", mask=mask)
    for got, want in zip((seq, h, c), ref):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_initial_state_is_used_and_channels_first_transposes_it():
    rng = np.random.RandomState(3)
    x = rng.randn(2, 3, 4, 4, 2).astype(np.float32)
    h0 = rng.randn(2, 4, 4, 3).astype(np.float32)
    c0 = rng.randn(2, 4, 4, 3).astype(np.float32)
    outs = []
    for fmt, perm in (("channels_last", None), ("channels_first", (0, 3, 1, 2))):
        backend.clear_session()
        xi = keras.Input(x.shape[1:] if perm is None else (3, 2, 4, 4))
        hi, ci = keras.Input(h0.shape[1:]), keras.Input(h0.shape[1:])
        if perm is not None:
            hi, ci = keras.Input((3, 4, 4)), keras.Input((3, 4, 4))
        conv = layers.ConvLSTM2D(3, 3, padding="same", data_format=fmt, seed=1,
                                 kernel_initializer=keras.initializers.RandomNormal(seed=2),
                                 recurrent_initializer=keras.initializers.RandomNormal(seed=3))
        model = keras.Model([xi, hi, ci], conv(xi, initial_state=[hi, ci]))
        if perm is None:
            outs.append(model.predict([x, h0, c0], verbose=0))
        else:
            y = model.predict([x.transpose(0, 1, 4, 2, 3), h0.transpose(perm),
                               c0.transpose(perm)], verbose=0)
            outs.append(y.transpose(0, 2, 3, 1))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    zero = keras.Model(xi, conv(xi)).predict(x.transpose(0, 1, 4, 2, 3), verbose=0)
    assert np.abs(zero.transpose(0, 2, 3, 1) - outs[1]).max() > 1e-3


# -- gradients, training, dropout, stateful, errors -------------------------------------------
def test_gradients():
    x = np.random.RandomState(4).randn(2, 3, 4, 3, 2)
    backend.set_floatx("float64")
    try:
        layer = layers.ConvLSTM2D(2, (2, 3), padding="same", return_sequences=True,
                                  bias_initializer="random_normal")
        err = check_gradients(layer, x)   # central differences: ~4e-6 from the step size
        assert err < 1e-5
    finally:
        backend.set_floatx("float32")


def test_training_reduces_the_loss():
    rng = np.random.RandomState(5)
    x = rng.randn(16, 3, 6, 6, 1).astype(np.float32)
    y = (x[:, -1].mean(axis=(1, 2, 3)) > 0).astype(np.float32)[:, None]
    model = keras.Sequential([keras.Input(x.shape[1:]),
                              layers.ConvLSTM2D(4, 3, padding="same"),
                              layers.GlobalAveragePooling2D(), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    losses = model.fit(x, y, epochs=8, batch_size=16, verbose=0, shuffle=False).history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses


def test_dropout_only_when_training():
    x = np.random.RandomState(6).randn(4, 3, 5, 5, 2).astype(np.float32)
    layer = layers.ConvLSTM2D(3, 3, dropout=0.5, recurrent_dropout=0.5, seed=3)
    plain = layers.ConvLSTM2D(3, 3)
    outs = [layer(tf.constant(x), training=False), layer(tf.constant(x), training=True),
            plain(tf.constant(x))]
    backend.initialize_variables(layer.weights + plain.weights)
    plain.set_weights(layer.get_weights())
    infer, train, plain_out = backend.get_session().run(outs)
    np.testing.assert_allclose(infer, plain_out, rtol=1e-6)
    assert np.abs(train - infer).max() > 1e-3
    with pytest.raises(ValueError, match=r"dropout=1.5\): the rate must be in \[0, 1\)"):
        layers.ConvLSTM2D(3, 3, dropout=1.5)


def test_stateful_carries_states_until_reset():
    x = np.random.RandomState(7).randn(2, 2, 4, 4, 1).astype(np.float32)
    model = keras.Sequential([keras.Input(batch_shape=(2, 2, 4, 4, 1)),
                              layers.ConvLSTM2D(2, 3, padding="same", stateful=True)])
    first = model.predict(x, verbose=0)
    second = model.predict(x, verbose=0)
    assert np.abs(first - second).max() > 1e-4
    model.layers[0].reset_states()
    np.testing.assert_allclose(model.predict(x, verbose=0), first, rtol=1e-6)


def test_bad_arguments_and_inputs_raise_clearly():
    with pytest.raises(ValueError, match="strides > 1.*dilation_rate > 1"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="filters"):
        layers.ConvLSTM2D(0, 3)
    with pytest.raises(ValueError, match="ndim=5, found ndim=4"):
        layers.ConvLSTM2D(2, 3)(keras.Input((3, 4, 2)))
    with pytest.raises(ValueError, match="static input shapes for the spatial"):
        layers.ConvLSTM2D(2, 3)(keras.Input((3, None, 4, 2)))
    with pytest.raises(ValueError, match="known number of time steps"):
        layers.ConvLSTM2D(2, 3)(keras.Input((None, 4, 4, 2)))
    with pytest.raises(ValueError, match="stateful: it needs to know its batch size"):
        layers.ConvLSTM2D(2, 3, stateful=True)(keras.Input((3, 4, 4, 2)))


def test_regularizers_and_constraints_apply():
    x = np.random.RandomState(8).randn(4, 2, 4, 4, 1).astype(np.float32)
    conv = layers.ConvLSTM2D(2, 3, padding="same", kernel_regularizer=keras.regularizers.L2(0.01),
                             bias_regularizer="l1",
                             recurrent_constraint=lambda w: tf.maximum(w, 0.0))
    model = keras.Sequential([keras.Input(x.shape[1:]), conv, layers.Flatten(), layers.Dense(1)])
    kernel, _, bias = conv.get_weights()
    losses = backend.get_session().run(model.losses)
    assert len(losses) == 2
    np.testing.assert_allclose(sorted(losses), sorted([0.01 * np.sum(kernel ** 2),
                                                       0.01 * np.sum(np.abs(bias))]), rtol=1e-5)
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit(x, np.ones((4, 1), np.float32), epochs=2, verbose=0)
    assert conv.get_weights()[1].min() >= 0.0
