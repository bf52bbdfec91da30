"""SimpleRNN / LSTM / GRU against numpy implementations of Keras 3's equations."""
import io
import os
import zipfile

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import backend, layers
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer
from tests.tfgraph_keras.saving.keras_files import needs_h5py


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


RNG = np.random.RandomState(3)


def _sig(x):
    return 1 / (1 + np.exp(-x))


# -- numpy references (float64), one step function per cell; states start at zero ------------------
def _simple_step(xt, states, k, rk, b, act=np.tanh):
    h = act(xt @ k + states[0] @ rk + b)
    return h, [h]


def _lstm_step(xt, states, k, rk, b):
    h, c = states
    i, f, g, o = np.split(xt @ k + h @ rk + b, 4, axis=1)
    c = _sig(f) * c + _sig(i) * np.tanh(g)
    h = _sig(o) * np.tanh(c)
    return h, [h, c]


def _gru_step(xt, states, k, rk, b, reset_after=True):
    h = states[0]
    u = rk.shape[0]
    if reset_after:
        mx, mh = xt @ k + b[0], h @ rk + b[1]
        z, r = _sig(mx[:, :u] + mh[:, :u]), _sig(mx[:, u:2 * u] + mh[:, u:2 * u])
        hh = np.tanh(mx[:, 2 * u:] + r * mh[:, 2 * u:])
    else:
        mx = xt @ k + b
        z = _sig(mx[:, :u] + h @ rk[:, :u])
        r = _sig(mx[:, u:2 * u] + h @ rk[:, u:2 * u])
        hh = np.tanh(mx[:, 2 * u:] + (r * h) @ rk[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


def rnn_ref(step, x, weights, n_states, return_sequences=False, go_backwards=False, **kw):
    """[output, *final states] of a Keras RNN over x (batch, time, features)."""
    x = x.astype(np.float64)
    weights = [w.astype(np.float64) for w in weights]
    if len(weights) == 2:  # use_bias=False
        weights.append(np.zeros(weights[1].shape[1]))
    u = weights[1].shape[0]
    states = [np.zeros((x.shape[0], u))] * n_states
    outs = []
    for t in (reversed(range(x.shape[1])) if go_backwards else range(x.shape[1])):
        out, states = step(x[:, t], states, *weights, **kw)
        outs.append(out)
    return [np.stack(outs, axis=1) if return_sequences else outs[-1]] + states


CELLS = {"SimpleRNN": (_simple_step, 1), "LSTM": (_lstm_step, 2), "GRU": (_gru_step, 1)}


def _randomize(layer):
    """Random weights (a nonzero bias, so every bias term is exercised); returns them."""
    ws = [RNG.randn(*w.shape).astype(np.float32) * 0.5 for w in layer.get_weights()]
    layer.set_weights(ws)
    return ws


def _ref_for(layer, x, **kw):
    step, n = CELLS[type(layer).__name__]
    extra = {"reset_after": layer.reset_after} if isinstance(layer, layers.GRU) else {}
    if isinstance(layer, layers.SimpleRNN) and layer.activation is not keras.activations.tanh:
        extra["act"] = lambda v: np.maximum(v, 0)
    return rnn_ref(step, x, layer.get_weights(), n, layer.return_sequences, layer.go_backwards,
                   **extra, **kw)


CASES = [
    ("SimpleRNN", dict()),
    ("SimpleRNN", dict(activation="relu", return_sequences=True, go_backwards=True)),
    ("LSTM", dict()),
    ("LSTM", dict(return_sequences=True)),
    ("LSTM", dict(go_backwards=True, use_bias=False)),
    ("LSTM", dict(return_sequences=True, go_backwards=True)),
    ("GRU", dict()),
    ("GRU", dict(return_sequences=True, go_backwards=True)),
    ("GRU", dict(reset_after=False)),
    ("GRU", dict(reset_after=False, return_sequences=True, use_bias=False)),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_forward_matches_numpy(name, kwargs):
    x = RNG.randn(3, 5, 4).astype(np.float32)
    layer = getattr(layers, name)(6, **kwargs)
    layer(x[:1])  # builds
    _randomize(layer)
    y = run_layer(layer, x)
    np.testing.assert_allclose(y, _ref_for(layer, x)[0], rtol=1e-5, atol=2e-6)
    assert layer.compute_output_shape((None, 5, 4)) == (None,) + y.shape[1:]


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_return_state(name, return_sequences):
    x = RNG.randn(2, 4, 3).astype(np.float32)
    layer = getattr(layers, name)(5, return_state=True, return_sequences=return_sequences)
    inp = keras.Input((4, 3))
    outs = layer(inp)
    n = CELLS[name][1]
    assert len(outs) == 1 + n
    _randomize(layer)
    model = keras.Model(inp, outs)
    got = model.predict(x, verbose=0)
    for g, r in zip(got, _ref_for(layer, x)):
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=2e-6)
    shapes = layer.compute_output_shape((None, 4, 3))
    assert shapes == [tuple(o.shape.as_list()) for o in outs]


def test_initial_state():
    x = RNG.randn(2, 3, 4).astype(np.float32)
    h0, c0 = RNG.randn(2, 5).astype(np.float32), RNG.randn(2, 5).astype(np.float32)
    inp, hi, ci = keras.Input((3, 4)), keras.Input((5,)), keras.Input((5,))
    layer = layers.LSTM(5)
    y = layer(inp, initial_state=[hi, ci])
    weights = _randomize(layer)
    got = keras.backend.get_session().run(y, {inp: x, hi: h0, ci: c0})
    states = [h0.astype(np.float64), c0.astype(np.float64)]
    for t in range(3):
        out, states = _lstm_step(x[:, t].astype(np.float64), states,
                                 *[w.astype(np.float64) for w in weights])
    np.testing.assert_allclose(got, out, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("layer", [
    lambda: layers.SimpleRNN(3, return_sequences=True, dtype="float64"),
    lambda: layers.LSTM(3, bias_initializer="random_normal", dtype="float64"),
    lambda: layers.LSTM(2, return_sequences=True, go_backwards=True, dtype="float64"),
    lambda: layers.GRU(3, bias_initializer="random_normal", dtype="float64"),
    lambda: layers.GRU(2, reset_after=False, return_sequences=True,
                       bias_initializer="random_normal", dtype="float64"),
], ids=["simple_rnn", "lstm", "lstm_seq_backwards", "gru", "gru_reset_before"])
def test_gradients(layer):
    tf.set_random_seed(0)  # fixed weights and inputs: the error does not depend on test order
    err = check_gradients(layer(), np.random.RandomState(0).randn(2, 3, 2))
    assert err < 1e-5


@pytest.mark.parametrize("name,k,bias_shape", [("SimpleRNN", 1, (7,)), ("LSTM", 4, (28,)),
                                               ("GRU", 3, (2, 21))])
def test_weights_names_shapes_and_defaults(name, k, bias_shape):
    layer = getattr(layers, name)(7)
    layer(np.zeros((2, 3, 5), np.float32))
    cell = {"SimpleRNN": "simple_rnn_cell", "LSTM": "lstm_cell", "GRU": "gru_cell"}[name]
    assert [w.name for w in layer.weights] == ["%s/%s/%s:0" % (layer.name, cell, n)
                                               for n in ("kernel", "recurrent_kernel", "bias")]
    kernel, rec, bias = layer.get_weights()
    assert kernel.shape == (5, k * 7) and rec.shape == (7, k * 7) and bias.shape == bias_shape
    np.testing.assert_allclose(rec @ rec.T, np.eye(7), atol=1e-5)  # 'orthogonal': rows orthonormal
    if name == "LSTM":  # unit_forget_bias: the forget block starts at one, the rest at zero
        np.testing.assert_array_equal(bias, np.r_[np.zeros(7), np.ones(7), np.zeros(14)])
    else:
        assert not bias.any()
    assert layer.count_params() == kernel.size + rec.size + bias.size
    assert len(layer.trainable_weights) == 3


def test_gru_reset_before_bias_and_lstm_without_forget_bias():
    gru = layers.GRU(4, reset_after=False)
    gru(np.zeros((1, 2, 3), np.float32))
    assert gru.get_weights()[2].shape == (12,)
    lstm = layers.LSTM(4, unit_forget_bias=False, use_bias=True)
    lstm(np.zeros((1, 2, 3), np.float32))
    assert not lstm.get_weights()[2].any()
    nobias = layers.LSTM(4, use_bias=False)
    nobias(np.zeros((1, 2, 3), np.float32))
    assert len(nobias.weights) == 2


@pytest.mark.parametrize("name,kwargs", [
    ("SimpleRNN", dict(activation="relu", return_sequences=True)),
    ("LSTM", dict(recurrent_activation="hard_sigmoid", unit_forget_bias=False, go_backwards=True)),
    ("GRU", dict(reset_after=False, return_state=True, use_bias=False, dropout=0.25)),
])
def test_config_round_trip(name, kwargs):
    layer = getattr(layers, name)(3, **kwargs)
    config = layer.get_config()
    for key, value in kwargs.items():
        assert config[key] == value
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    from tfgraph_keras.saving import serialization
    keras3 = dict(config, use_cudnn="auto", implementation=2, time_major=False)
    assert type(layer).from_config(
        serialization.clean_layer_config(type(layer), keras3)).get_config() == config


def test_dropout_masks_are_shared_over_time_and_off_at_inference():
    x = np.ones((64, 4, 3), np.float32)
    rnn = layers.SimpleRNN(3, activation="linear", use_bias=False, return_sequences=True,
                           dropout=0.5, recurrent_dropout=0.5)
    rnn(x[:1])
    rnn.set_weights([np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32)])
    y = rnn(x, training=True)   # h_t = x * m + (h_{t-1} * r) @ I with fixed masks m and r
    m, r = y[:, 0], (y[:, 1] - y[:, 0]) / np.where(y[:, 0] == 0, 1, y[:, 0])
    assert set(np.unique(m)) <= {0.0, 2.0} and 0.0 in m and 2.0 in m
    np.testing.assert_allclose(y[:, 2], m + r * y[:, 1], atol=1e-6)
    np.testing.assert_allclose(y[:, 3], m + r * y[:, 2], atol=1e-6)
    np.testing.assert_allclose(rnn(x, training=False), np.cumsum(x, axis=1))

    inp = keras.Input((5, 3))
    lstm = layers.LSTM(4, dropout=0.3, recurrent_dropout=0.3)
    model = keras.Model(inp, lstm(inp))
    xs = RNG.randn(2, 5, 3).astype(np.float32)
    _randomize(lstm)
    ref = _ref_for(lstm, xs)[0]
    np.testing.assert_allclose(model.predict(xs, verbose=0), ref, rtol=1e-5, atol=2e-6)
    sess, phase = backend.get_session(), backend.learning_phase()   # as fit feeds it
    trained = sess.run(model.outputs[0], {model.inputs[0]: xs, phase: True})
    assert np.abs(trained - ref).max() > 1e-3
    np.testing.assert_allclose(sess.run(model.outputs[0], {model.inputs[0]: xs, phase: False}),
                               ref, rtol=1e-5, atol=2e-6)


def test_unsupported_arguments_raise_clearly():
    with pytest.raises(ValueError, match="dropout"):
        layers.LSTM(4, dropout=1.0)
    with pytest.raises(ValueError, match="stateful: it needs to know its batch size"):
        layers.GRU(4, stateful=True)(keras.Input((2, 3)))
    with pytest.raises(ValueError, match="known number of time steps"):
        layers.GRU(4)(keras.Input((None, 3)))
    with pytest.raises(ValueError, match="known number of time steps"):   # unrolled LSTM steps
        layers.LSTM(4, recurrent_activation="hard_sigmoid")(keras.Input((None, 3)))
    with pytest.raises(ValueError, match="ndim=3"):
        layers.GRU(4)(keras.Input((3,)))


def _model(kind="LSTM"):
    return keras.Sequential([keras.Input((6, 3)), getattr(layers, kind)(8, return_sequences=True),
                             getattr(layers, kind)(4), layers.Dense(2, activation="softmax")])


@needs_h5py
@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_save_load_round_trip(tmp_path, suffix):
    x = RNG.rand(10, 6, 3).astype(np.float32)
    model = _model("LSTM")
    model.add(layers.Dense(2))
    model.compile("adam", "mse")
    model.fit(x, RNG.rand(10, 2).astype(np.float32), epochs=1, verbose=0)
    before = model.predict(x, verbose=0)
    path = str(tmp_path / ("m" + suffix))
    if suffix == ".weights.h5":
        model.save_weights(path)
        backend.clear_session()
        loaded = _model("LSTM")
        loaded.add(layers.Dense(2))
        loaded.load_weights(path)
    else:
        model.save(path)
        backend.clear_session()
        loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), before)


@needs_h5py
def test_gru_and_simple_rnn_round_trip(tmp_path):
    x = RNG.rand(4, 6, 3).astype(np.float32)
    model = keras.Sequential([keras.Input((6, 3)), layers.GRU(5, return_sequences=True),
                              layers.GRU(3, reset_after=False, return_sequences=True),
                              layers.SimpleRNN(2)])
    for layer in model.layers:
        _randomize(layer)
    before = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    backend.clear_session()
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), before)


def _sequence_task():
    """Is the sum of the sequence positive? (batch, 8, 2) -> class."""
    rng = np.random.RandomState(0)
    x = rng.randn(256, 8, 2).astype(np.float32)
    return x, (x[:, :, 0].sum(1) > 0).astype(np.int32)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_training_loss_decreases_and_is_reproducible(kind):
    x, y = _sequence_task()

    def run():
        backend.clear_session()
        tf.set_random_seed(1)
        rnn = getattr(layers, kind)(8, recurrent_dropout=0.1 if kind == "GRU" else 0.0)
        model = keras.Sequential([keras.Input((8, 2)), rnn, layers.Dense(2, activation="softmax")])
        model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model.fit(x, y, batch_size=32, epochs=6, verbose=0, shuffle=False).history

    first, second = run(), run()
    losses = first["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    assert first["accuracy"][-1] > 0.85, first
    np.testing.assert_allclose(second["loss"], losses, rtol=1e-6)


@pytest.mark.parametrize("kind,op_type", [("LSTM", "LSTMSequence"), ("GRU", "GRUCell")])
def test_fused_cell_trains_like_the_unfused_ops(monkeypatch, kind, op_type):
    """Default activations run one fused cell op per step; the same weights and data give the same
    losses (float32 tolerance) as the unfused split/sigmoid/tanh ops."""
    x, y = _sequence_task()
    cls = getattr(layers, kind)

    def run(fused, weights=None):
        backend.clear_session()
        monkeypatch.setattr(cls, "_fused", property(lambda self: fused))
        tf.set_random_seed(1)
        model = keras.Sequential([keras.Input((8, 2)), cls(8, return_sequences=True), cls(6),
                                  layers.Dense(2, activation="softmax")])
        model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy")
        types = {op.type for op in backend.get_session().graph.get_operations()}
        assert (op_type in types) == fused
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)   # op seeds follow op counts, which the paths do not share
        history = model.fit(x, y, batch_size=32, epochs=4, verbose=0, shuffle=False).history
        return history["loss"], model.predict(x[:16], verbose=0), weights

    fused_loss, fused_pred, weights = run(True)
    plain_loss, plain_pred, _ = run(False, weights)
    assert fused_loss[-1] < 0.7 * fused_loss[0]
    np.testing.assert_allclose(fused_loss, plain_loss, rtol=2e-5)   # measured ~1e-7
    np.testing.assert_allclose(fused_pred, plain_pred, rtol=0, atol=5e-5)


@pytest.mark.parametrize("kind,kwargs,fused", [
    ("LSTM", {}, True), ("LSTM", {"activation": "relu"}, False),
    ("LSTM", {"recurrent_activation": "hard_sigmoid"}, False), ("GRU", {}, True),
    ("GRU", {"reset_after": False}, False), ("GRU", {"activation": "relu"}, False)])
def test_only_the_default_activations_fuse(kind, kwargs, fused):
    layer = getattr(layers, kind)(4, **kwargs)
    layer(keras.Input((3, 2)))
    assert layer._fused == fused


def _rnn_stack():
    return keras.Sequential([keras.Input((5, 3)), layers.LSTM(4, return_sequences=True),
                             layers.GRU(3, return_sequences=True),
                             layers.GRU(2, reset_after=False)], name="seq")


def _stack_ref(x, weights):
    h = rnn_ref(_lstm_step, x, weights[0:3], 2, return_sequences=True)[0]
    h = rnn_ref(_gru_step, h, weights[3:6], 1, return_sequences=True)[0]
    return rnn_ref(_gru_step, h, weights[6:9], 1, reset_after=False)[0]


def _file_weights():
    shapes = [(3, 16), (4, 16), (16,), (4, 9), (3, 9), (2, 9), (3, 6), (2, 6), (6,)]
    return [RNG.randn(*s).astype(np.float32) * 0.5 for s in shapes]


@needs_h5py
def test_reads_keras2_h5_rnn_weights(tmp_path):
    from tests.tfgraph_keras.saving.keras_files import write_keras2_h5
    w = _file_weights()
    names = ["kernel:0", "recurrent_kernel:0", "bias:0"]
    write_keras2_h5(tmp_path / "w.h5", [
        ("lstm_7", [("lstm_7/lstm_cell_7/" + n, a) for n, a in zip(names, w[0:3])]),
        ("gru_3", [("gru_3/gru_cell_3/" + n, a) for n, a in zip(names, w[3:6])]),
        ("gru_4", [("gru_4/gru_cell_4/" + n, a) for n, a in zip(names, w[6:9])])])
    model = _rnn_stack()
    model.load_weights(str(tmp_path / "w.h5"))
    x = RNG.randn(2, 5, 3).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), _stack_ref(x, w), rtol=1e-5,
                               atol=2e-6)


def _assert_loads_stack_weights(path, w):
    """The RNN stack loads `path` and predicts what the numpy reference does with weights `w`."""
    model = _rnn_stack()
    model.load_weights(str(path))
    x = RNG.randn(2, 5, 3).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), _stack_ref(x, w), rtol=1e-5,
                               atol=2e-6)


@needs_h5py
def test_reads_keras3_weights_h5_rnn_cell_layout(tmp_path):
    import h5py
    w = _file_weights()
    with h5py.File(tmp_path / "w.weights.h5", "w") as f:
        f.create_group("vars").attrs["name"] = "seq"
        for key, cell, arrays in (("lstm", "lstm_cell", w[0:3]), ("gru", "gru_cell", w[3:6]),
                                  ("gru_1", "gru_cell", w[6:9])):
            layer = f.create_group("layers/" + key)
            layer.create_group("vars").attrs["name"] = key
            g = layer.create_group("cell/vars")
            g.attrs["name"] = cell
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=a)
    _assert_loads_stack_weights(tmp_path / "w.weights.h5", w)


DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")


def _keras3_fixture_model(keras):
    """tests/reference/make_keras3_rnn_files.py's model (the same code ran on real Keras 3)."""
    L = keras.layers
    return keras.Sequential([keras.Input((5, 3)), L.LSTM(4, return_sequences=True),
                             L.GRU(3, return_sequences=True), L.SimpleRNN(3, return_sequences=True),
                             L.GRU(2, reset_after=False)], name="rnn_stack")


@needs_h5py
@pytest.mark.parametrize("kind", ["weights", "keras"])
def test_reads_files_written_by_keras3(kind):
    """keras3_rnn.* were written by Keras 3 (tensorflow 2.21): its predictions, reproduced."""
    with np.load(os.path.join(DATA, "keras3_rnn.npz")) as ref:
        x, want = ref["x"], ref["y"]
    if kind == "weights":
        model = _keras3_fixture_model(keras)
        model.load_weights(os.path.join(DATA, "keras3_rnn.weights.h5"))
    else:
        model = keras.models.load_model(os.path.join(DATA, "keras3_rnn.keras"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)


@needs_h5py
def test_writes_rnn_weights_in_the_keras3_cell_layout(tmp_path):
    import h5py
    model = _keras3_fixture_model(keras)
    for layer in model.layers:
        _randomize(layer)
    x = RNG.randn(2, 5, 3).astype(np.float32)
    before = model.predict(x, verbose=0)
    model.save_weights(str(tmp_path / "w.weights.h5"))
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        for key, cell in (("lstm", "lstm_cell"), ("gru", "gru_cell"),
                          ("simple_rnn", "simple_rnn_cell"), ("gru_1", "gru_cell")):
            group = f["layers/" + key]
            assert len(group["vars"]) == 0 and group["vars"].attrs["name"] != ""
            assert group["cell/vars"].attrs["name"] == cell
            assert len(group["cell/vars"]) == 3
        np.testing.assert_array_equal(f["layers/lstm/cell/vars/1"][()],
                                      model.layers[0].recurrent_kernel.eval(
                                          session=backend.get_session()))
    backend.clear_session()
    loaded = _keras3_fixture_model(keras)
    loaded.load_weights(str(tmp_path / "w.weights.h5"))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), before)


@needs_h5py
def test_reads_the_older_tfgraph_layout_without_cell(tmp_path):
    """tfgraph wrote RNN weights to layers/<key>/vars before it followed Keras 3's cell group."""
    import h5py
    w = _file_weights()
    with h5py.File(tmp_path / "w.weights.h5", "w") as f:
        f.create_group("vars").attrs["name"] = "seq"
        for key, arrays in (("lstm", w[0:3]), ("gru", w[3:6]), ("gru_1", w[6:9])):
            g = f.create_group("layers/%s/vars" % key)
            g.attrs["name"] = key
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=a)
    _assert_loads_stack_weights(tmp_path / "w.weights.h5", w)


def test_keras_zip_without_h5py_keeps_the_cell_layout(tmp_path, monkeypatch):
    from tfgraph_keras.saving import keras_zip
    monkeypatch.setattr(keras_zip, "_have_h5py", lambda: False)
    model = _rnn_stack()
    for layer in model.layers:
        _randomize(layer)
    x = RNG.randn(2, 5, 3).astype(np.float32)
    before = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z, \
            np.load(io.BytesIO(z.read("model.weights.npz"))) as arrays:
        assert "layers/lstm/cell/vars/0" in arrays.files
        assert not any(k.startswith("layers/lstm/vars/") for k in arrays.files)
    backend.clear_session()
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), before)


@pytest.mark.parametrize("kwargs,op_type", [({"dropout": 0.5}, "LSTMSequence"),
                                            ({"recurrent_dropout": 0.5}, "LSTMCell")])
def test_lstm_runs_one_sequence_op_unless_recurrent_dropout(kwargs, op_type):
    """Input dropout keeps the one LSTMSequence op (the mask is applied to x before it);
    recurrent dropout unrolls one LSTMCell per step. Both: masks when training, the plain
    LSTM at inference."""
    backend.clear_session()
    inp = keras.Input((5, 3))
    lstm = layers.LSTM(4, **kwargs)
    model = keras.Model(inp, lstm(inp))
    types = [op.type for op in backend.get_session().graph.get_operations()]
    other = ({"LSTMSequence", "LSTMCell"} - {op_type}).pop()
    assert op_type in types and other not in types
    xs = RNG.randn(64, 5, 3).astype(np.float32)
    _randomize(lstm)
    ref = _ref_for(lstm, xs)[0]
    sess, phase = backend.get_session(), backend.learning_phase()
    np.testing.assert_allclose(sess.run(model.outputs[0], {model.inputs[0]: xs, phase: False}),
                               ref, rtol=1e-5, atol=2e-6)
    trained = sess.run(model.outputs[0], {model.inputs[0]: xs, phase: True})
    assert np.abs(trained - ref).max() > 1e-3
