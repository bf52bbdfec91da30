"""keras.layers.RNN with SimpleRNNCell / LSTMCell / GRUCell / StackedRNNCells / a user-defined
cell, and stateful RNNs, against Keras 3.15's files and numbers (tests/reference/
make_keras_wrappers.py) and numpy."""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer
from tests.tfgraph_keras.layers.test_wrappers import _keras_paths, _tf_paths, fixture
from tests.tfgraph_keras.saving.keras_files import needs_h5py
from tfgraph_keras import backend, layers

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_keras_wrappers as ref_models

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
RNG = np.random.RandomState(5)


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def _op_types():
    return {op.type for op in backend.get_session().graph.get_operations()}


# -- Keras 3's files and numbers -------------------------------------------------------------
@needs_h5py
def test_cells_model_loads_keras_weights_names_and_predictions():
    ref = fixture("cells")
    model = ref_models.build_cells(keras)
    model.load_weights(os.path.join(DATA, "keras_wrappers_cells.weights.h5"))
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)
    assert _tf_paths(model) == _keras_paths(ref, model.name)
    assert [w.shape.as_list() for w in model.weights] == json.loads(str(ref["weight_shapes"]))


@needs_h5py
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_cells_model_files_load(ext, tmp_path):
    ref = fixture("cells")
    model = keras.models.load_model(os.path.join(DATA, "keras_wrappers_cells" + ext))
    assert type(model.layers[0].cell).__name__ == "StackedRNNCells"
    assert [type(c).__name__ for c in model.layers[0].cell.cells] == ["LSTMCell", "GRUCell"]
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)
    model.save(str(tmp_path / ("m" + ext)))
    backend.clear_session()
    again = keras.models.load_model(str(tmp_path / ("m" + ext)))
    np.testing.assert_allclose(again.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)


@needs_h5py
def test_user_defined_cell_loads_keras_weights():
    with np.load(os.path.join(DATA, "keras_wrappers_custom.npz")) as f:
        ref = {k: f[k] for k in f.files}
    model = ref_models.build_custom_cell(keras, tf.matmul)
    model.load_weights(os.path.join(DATA, "keras_wrappers_custom.weights.h5"))
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)
    assert [w.name for w in model.weights] == ["rnn/minimal_rnn_cell/kernel:0",
                                               "rnn/minimal_rnn_cell/recurrent_kernel:0"]


@needs_h5py
def test_stateful_model_carries_states_across_batches_until_reset():
    ref = fixture("stateful")
    model = ref_models.build_stateful(keras)
    model.load_weights(os.path.join(DATA, "keras_wrappers_stateful.weights.h5"))
    np.testing.assert_allclose(model.predict(ref["x1"], verbose=0), ref["y1"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.predict(ref["x2"], verbose=0), ref["y2"], rtol=1e-5,
                               atol=1e-6)
    model.reset_states()
    np.testing.assert_allclose(model.predict(ref["x2"], verbose=0), ref["y3"], rtol=1e-5,
                               atol=1e-6)
    assert len(model.weights) == 9   # the states are not weights (nor saved), as in Keras
    assert not np.allclose(ref["y2"], ref["y3"])


# -- behaviour --------------------------------------------------------------------------------
def test_rnn_of_lstm_cell_is_lstm_and_runs_the_fused_sequence_op():
    x = RNG.randn(3, 5, 2).astype(np.float32)
    rnn = layers.RNN(layers.LSTMCell(4), return_sequences=True)
    got = run_layer(rnn, x)
    assert "LSTMSequence" in _op_types() and "LSTMCell" not in _op_types()
    lstm = layers.LSTM(4, return_sequences=True)
    lstm.build((None, 5, 2))
    lstm.set_weights(rnn.get_weights())
    np.testing.assert_allclose(got, run_layer(lstm, x), rtol=1e-5, atol=1e-6)


def test_rnn_of_cells_matches_numpy_with_return_state_and_go_backwards():
    x = RNG.randn(2, 4, 3).astype(np.float32)
    inp = keras.Input((4, 3))
    rnn = layers.RNN([layers.SimpleRNNCell(3), layers.GRUCell(2)], return_state=True,
                     go_backwards=True)
    out, h1, h2 = rnn(inp)
    model = keras.Model(inp, [out, h1, h2])
    k1, r1, b1, k2, r2, b2 = model.get_weights()
    s1, s2 = np.zeros((2, 3)), np.zeros((2, 2))
    sig = lambda v: 1 / (1 + np.exp(-v))
    for t in range(3, -1, -1):
        s1 = np.tanh(x[:, t] @ k1 + s1 @ r1 + b1)
        mx, mh = s1 @ k2 + b2[0], s2 @ r2 + b2[1]
        z, r = sig(mx[:, :2] + mh[:, :2]), sig(mx[:, 2:4] + mh[:, 2:4])
        hh = np.tanh(mx[:, 4:] + r * mh[:, 4:])
        s2 = z * s2 + (1 - z) * hh
    got = model.predict(x, verbose=0)
    for g, w in zip(got, [s2, s1, s2]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert rnn.compute_output_shape((None, 4, 3)) == [(None, 2), (None, 3), (None, 2)]


def test_cell_called_alone_is_one_step():
    cell = layers.LSTMCell(2)
    x, h, c = keras.Input((3,)), keras.Input((2,)), keras.Input((2,))
    out, (h1, c1) = cell(x, [h, c])
    assert out.shape.as_list() == [None, 2] and c1.shape.as_list() == [None, 2]
    assert cell.state_size == [2, 2] and cell.output_size == 2
    assert [w.name for w in cell.weights] == ["lstm_cell/kernel:0",
                                              "lstm_cell/recurrent_kernel:0",
                                              "lstm_cell/bias:0"]


def test_stacked_cells_gradients():
    x = RNG.randn(2, 3, 2)
    rnn = layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(2, dtype="float64"),
                                             layers.GRUCell(2, dtype="float64")]),
                     return_sequences=True, dtype="float64")
    # central differences with TF's delta (1e-3) through two stacked cells: the checker's own
    # truncation error reaches 1e-5 for some random weights (8 seeds: 3e-7 to 1.1e-5); a wrong
    # gradient is off by far more
    check_gradients(rnn, x, tol=1e-4)


def test_cell_dropout_is_drawn_once_per_sequence():
    x = np.ones((64, 4, 3), np.float32)
    rnn = layers.RNN(layers.SimpleRNNCell(3, activation="linear", use_bias=False, dropout=0.5),
                     return_sequences=True)
    rnn(x[:1])
    rnn.set_weights([np.eye(3, dtype=np.float32), np.zeros((3, 3), np.float32)])
    y = rnn(x, training=True)
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.0 in y and 2.0 in y
    np.testing.assert_array_equal(y[:, 1:], np.repeat(y[:, :1], 3, axis=1))   # same mask
    np.testing.assert_array_equal(rnn(x, training=False), x)


def test_stateful_reset_and_errors():
    rnn = layers.RNN(layers.SimpleRNNCell(2), stateful=True)
    with pytest.raises(ValueError, match="stateful: it needs to know its batch size"):
        rnn(keras.Input((3, 2)))
    backend.clear_session()
    model = keras.Sequential([keras.Input(batch_shape=(2, 3, 2)),
                              layers.SimpleRNN(2, stateful=True, use_bias=False)])
    x = RNG.randn(2, 3, 2).astype(np.float32)
    first = model.predict(x, verbose=0)
    assert not np.allclose(model.predict(x, verbose=0), first)
    model.layers[0].reset_states()
    np.testing.assert_allclose(model.predict(x, verbose=0), first, rtol=1e-6)
    model.layers[0].reset_states([np.ones((2, 2), np.float32)])
    assert not np.allclose(model.predict(x, verbose=0), first)
    with pytest.raises(ValueError, match="expects states of shapes"):
        model.layers[0].reset_states([np.ones((3, 2), np.float32)])


def test_bad_cells_and_unknown_time_steps_raise_clearly():
    with pytest.raises(ValueError, match="`call` method and a `state_size`"):
        layers.RNN(layers.Dense(2))
    with pytest.raises(ValueError, match="known number of time steps"):
        layers.RNN(layers.GRUCell(2))(keras.Input((None, 3)))
    with pytest.raises(TypeError, match="return_sequences"):
        layers.LSTMCell(2, return_sequences=True)


def test_config_round_trip():
    rnn = layers.RNN([layers.LSTMCell(3, dropout=0.1), layers.GRUCell(2, reset_after=False)],
                     return_sequences=True, go_backwards=True)
    config = rnn.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    assert "return_sequences" not in config["cell"]["config"]["cells"][0]["config"]
    again = layers.RNN.from_config(config)
    assert again.go_backwards and again.return_sequences
    assert not again.cell.cells[1].reset_after and again.cell.cells[0].dropout == 0.1


@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_rnn_of_lstm_cell_runs_the_masked_sequence_op_like_lstm(zero_output):
    ids = np.array([[1, 2, 0, 0], [0, 3, 1, 0], [2, 2, 2, 2]], np.int32)
    inp = keras.Input((4,), dtype="int32")
    emb = layers.Embedding(4, 3, mask_zero=True)
    rnn = layers.RNN(layers.LSTMCell(2), return_sequences=True, go_backwards=True,
                     zero_output_for_mask=zero_output)
    lstm = layers.LSTM(2, return_sequences=True, go_backwards=True,
                       zero_output_for_mask=zero_output)
    e = emb(inp)
    model = keras.Model(inp, [rnn(e), lstm(e)])
    assert "MaskedLSTMSequence" in _op_types() and "LSTMCell" not in _op_types()
    lstm.set_weights(rnn.get_weights())
    a, b = model.predict(ids, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_bidirectional_wraps_a_generic_rnn_and_a_stateful_one():
    x = RNG.randn(2, 3, 2).astype(np.float32)
    bi = layers.Bidirectional(layers.RNN(layers.GRUCell(2), return_sequences=True))
    out = run_layer(bi, x)
    assert out.shape == (2, 3, 4)
    assert [w.name for w in bi.weights][0] == "bidirectional/forward_rnn/gru_cell/kernel:0"
    backend.clear_session()
    model = keras.Sequential([keras.Input(batch_shape=(2, 3, 2)),
                              layers.Bidirectional(layers.LSTM(2, stateful=True))])
    first = model.predict(x, verbose=0)
    assert not np.allclose(model.predict(x, verbose=0), first)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x, verbose=0), first, rtol=1e-6)
