"""TimeDistributed and Bidirectional: numpy references, gradients, errors, and Keras 3 files.

The keras_wrappers_* fixtures were written by real Keras 3.15 (tests/reference/
make_keras_wrappers.py); its `build_*` functions build the same models here.
"""
import json
import os
import re
import sys

import numpy as np
import pytest

import tfgraph_keras as keras
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer
from tests.tfgraph_keras.saving.keras_files import needs_h5py
from tfgraph_keras import backend, layers

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_keras_wrappers as ref_models

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
RNG = np.random.RandomState(11)


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def fixture(name):
    with np.load(os.path.join(DATA, "keras_wrappers_%s.npz" % name)) as f:
        return {k: f[k] for k in f.files}


def outputs(model, x):
    y = model.predict(x, verbose=0)
    return y if isinstance(y, list) else [y]


def _norm(path):
    """A weight path without its model prefix and layer-name counters (Keras made all fixture
    models in one session: lstm_2), so paths compare by structure."""
    return "/".join(re.sub(r"_\d+$", "", p) for p in path.split(":")[0].split("/"))


def _tf_paths(model):
    return [_norm(w.name) for w in model.weights]


def _keras_paths(ref, model_name):
    """Keras 3 paths start with the model's name in a Sequential model, not in a functional one."""
    paths = json.loads(str(ref["weight_paths"]))
    return [_norm(p[len(model_name) + 1:] if p.startswith(model_name + "/") else p)
            for p in paths]


# -- files written by Keras 3 ----------------------------------------------------------------------
@needs_h5py
@pytest.mark.parametrize("name", ["bidi", "bidi_modes", "tdist", "tdist_conv"])
def test_keras3_weights_h5_loads_and_predicts_as_keras(name):
    ref = fixture(name)
    model = getattr(ref_models, "build_" + name)(keras)
    model.load_weights(os.path.join(DATA, "keras_wrappers_%s.weights.h5" % name))
    got = outputs(model, ref["x"])
    assert len(got) == len([k for k in ref if re.fullmatch(r"y\d+", k)])
    for i, y in enumerate(got):
        np.testing.assert_allclose(y, ref["y%d" % i], rtol=1e-5, atol=1e-6)
    assert _tf_paths(model) == _keras_paths(ref, model.name)
    assert [w.shape.as_list() for w in model.weights] == json.loads(str(ref["weight_shapes"]))


@needs_h5py
@pytest.mark.parametrize("name", ["bidi", "tdist"])
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_keras3_model_files_load(name, ext):
    ref = fixture(name)
    model = keras.models.load_model(os.path.join(DATA, "keras_wrappers_%s%s" % (name, ext)))
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)
    assert type(model.layers[0]).__name__ == {"bidi": "Bidirectional",
                                              "tdist": "TimeDistributed"}[name]


@needs_h5py
def test_weights_are_written_in_keras3_wrapper_groups(tmp_path):
    import h5py
    model = ref_models.build_bidi(keras)
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        for side in ("forward_layer", "backward_layer"):
            cell = f["layers/bidirectional/%s/cell/vars" % side]
            assert cell.attrs["name"] == "lstm_cell" and len(cell) == 3
            assert f["layers/bidirectional/%s/vars" % side].attrs["name"] == \
                side.split("_")[0] + "_lstm"
        assert f["layers/bidirectional_1/forward_layer/cell/vars/2"].shape == (2, 9)
    model2 = ref_models.build_tdist(keras)
    model2.save_weights(path)
    with h5py.File(path, "r") as f:
        assert f["layers/time_distributed/layer/vars/0"].shape == (4, 3)
        assert f["layers/time_distributed_1/layer/vars/1"].shape == (2,)


@needs_h5py
@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
def test_round_trip(tmp_path, ext):
    ref = fixture("bidi_modes")
    model = ref_models.build_bidi_modes(keras)
    model.load_weights(os.path.join(DATA, "keras_wrappers_bidi_modes.weights.h5"))
    path = str(tmp_path / ("m" + ext))
    if ext == ".weights.h5":
        model.save_weights(path)
        backend.clear_session()
        model = ref_models.build_bidi_modes(keras)
        model.load_weights(path)
    else:
        model.save(path)
        backend.clear_session()
        model = keras.models.load_model(path)
    for i, y in enumerate(outputs(model, ref["x"])):
        np.testing.assert_allclose(y, ref["y%d" % i], rtol=1e-5, atol=1e-6)


# -- Bidirectional against numpy -------------------------------------------------------------------
def _simple_rnn(x, k, rk, b, backwards=False):
    xs = x[:, ::-1] if backwards else x
    h = np.zeros((x.shape[0], k.shape[1]))
    out = []
    for t in range(x.shape[1]):
        h = np.tanh(xs[:, t] @ k + h @ rk + b)
        out.append(h)
    return np.stack(out, 1), h


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_merge_modes_match_numpy(merge_mode, return_sequences):
    x = RNG.randn(3, 4, 2).astype(np.float32)
    layer = layers.Bidirectional(layers.SimpleRNN(3, return_sequences=return_sequences),
                                 merge_mode=merge_mode)
    if merge_mode:
        got = run_layer(layer, x)
    else:
        layer.build((None, 4, 2))
    k1, r1, b1, k2, r2, b2 = layer.get_weights()
    seq_f, h_f = _simple_rnn(x, k1, r1, b1)
    seq_b, h_b = _simple_rnn(x, k2, r2, b2, backwards=True)
    f, b = (seq_f, seq_b[:, ::-1]) if return_sequences else (h_f, h_b)
    want = {"concat": lambda: np.concatenate([f, b], -1), "sum": lambda: f + b,
            "ave": lambda: (f + b) / 2, "mul": lambda: f * b, None: lambda: None}[merge_mode]()
    if merge_mode is None:
        inp = keras.Input((4, 2))
        outs = layer(inp)
        assert isinstance(outs, list) and len(outs) == 2
        got_f, got_b = keras.Model(inp, outs).predict(x, verbose=0)
        np.testing.assert_allclose(got_f, f, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_b, b, rtol=1e-5, atol=1e-6)
        return
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 4, 2)) == tuple(
        [None] + ([4] if return_sequences else []) + [6 if merge_mode == "concat" else 3])


def test_bidirectional_return_state_and_names():
    layer = layers.Bidirectional(layers.LSTM(2, return_state=True), name="bi")
    out = layer(keras.Input((5, 3)))
    assert len(out) == 5   # merged output, forward h, c, backward h, c
    assert [t.shape.as_list() for t in out] == [[None, 4]] + [[None, 2]] * 4
    assert layer.forward_layer.name == "forward_lstm" and layer.backward_layer.go_backwards
    assert [w.name for w in layer.weights][:1] == ["bi/forward_lstm/lstm_cell/kernel:0"]
    assert layer.backward_layer.name.startswith("backward_lstm")


def test_bidirectional_gradients():
    x = RNG.randn(2, 3, 2)
    layer = layers.Bidirectional(layers.GRU(2, return_sequences=True), dtype="float64")
    layer.forward_layer.dtype = layer.backward_layer.dtype = "float64"
    check_gradients(layer, x)


def test_time_distributed_gradients_and_shape():
    x = RNG.randn(2, 3, 4)
    layer = layers.TimeDistributed(layers.Dense(2, dtype="float64"), dtype="float64")
    check_gradients(layer, x)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 2)
    k, b = layer.get_weights()
    got = run_layer(layers.TimeDistributed(layers.Dense(2, weights=[k, b])),
                    x.astype(np.float32))
    np.testing.assert_allclose(got, x @ k + b, rtol=1e-5, atol=1e-6)


def test_bad_arguments_raise_clearly():
    with pytest.raises(ValueError, match="Invalid merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
            2, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="keras.layers.Layer"):
        layers.TimeDistributed("dense")
    with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
        layers.TimeDistributed(layers.Dense(2))(keras.Input((4,)))


def test_config_round_trip_keeps_the_backward_layer():
    layer = layers.Bidirectional(layers.LSTM(2), merge_mode="sum",
                                 backward_layer=layers.GRU(2, go_backwards=True, name="bw"))
    config = layer.get_config()
    assert config["layer"]["config"]["name"] == "forward_lstm"
    assert config["backward_layer"]["class_name"] == "GRU"
    again = layers.Bidirectional.from_config(config)
    assert again.forward_layer.name == "forward_lstm" and again.backward_layer.name == "bw"
    assert again.merge_mode == "sum"


@needs_h5py
@pytest.mark.parametrize("how", ["load_model", "load_weights"])
def test_keras2_h5_with_wrappers_masks_and_cells_loads(how):
    """A tf_keras (Keras 2) model.save('x.h5'): Embedding(mask_zero) -> Bidirectional(LSTM)
    -> TimeDistributed(Dense) -> RNN(GRUCell) -> Bidirectional(GRU, 'ave')."""
    ref = fixture("keras2")
    path = os.path.join(DATA, "keras_wrappers_keras2.h5")
    if how == "load_model":
        model = keras.models.load_model(path)
    else:
        model = ref_models.build_keras2(keras)
        model.load_weights(path)
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)
    names = [w.name for w in model.weights]
    want = json.loads(str(ref["weight_names"]))
    # Keras 2 names a TimeDistributed layer's weights without the inner layer's name
    # (time_distributed/kernel:0); tfgraph follows Keras 3 (time_distributed/dense/kernel)
    assert [n for n in names if "time_distributed" not in n] == \
        [n for n in want if "time_distributed" not in n]
