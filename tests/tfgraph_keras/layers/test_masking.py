"""Masks as Keras propagates them: Masking, Embedding(mask_zero=True), RNNs that skip masked steps,
Bidirectional on masked input, and losses and metrics that leave masked steps out. Reference
numbers are Keras 3.15's (tests/reference/make_keras_wrappers.py)."""
import os
import sys

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tests.tfgraph_keras.layers.layer_check import check_gradients
from tests.tfgraph_keras.saving.keras_files import needs_h5py
from tfgraph_keras import backend, layers

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_keras_wrappers as ref_models

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
RNG = np.random.RandomState(7)


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def fixture(name):
    with np.load(os.path.join(DATA, "keras_wrappers_%s.npz" % name)) as f:
        return {k: f[k] for k in f.files}


def _load(name):
    model = getattr(ref_models, "build_" + name)(keras)
    model.load_weights(os.path.join(DATA, "keras_wrappers_%s.weights.h5" % name))
    return model


# -- Keras 3's numbers -------------------------------------------------------------------------
@needs_h5py
@pytest.mark.parametrize("name", ["masked", "masking", "masked_seq", "masked_pool"])
def test_masked_models_predict_as_keras(name):
    """Right- and left-padded rows, holes, an all-masked row and an unmasked row; a masked
    GlobalAveragePooling1D averages the kept steps only."""
    ref = fixture(name)
    got = _load(name).predict(ref["x"], verbose=0)
    np.testing.assert_allclose(got, ref["y0"], rtol=1e-5, atol=1e-6)


@needs_h5py
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_keras_files_with_mask_zero_load(ext, tmp_path):
    """Keras 3 records the mask as a NotEqual(ids, 0) node feeding `mask=`; it loads, and the
    model saves and loads again."""
    ref = fixture("masked")
    model = keras.models.load_model(os.path.join(DATA, "keras_wrappers_masked" + ext))
    assert model.layers[1].mask_zero
    assert [type(layer).__name__ for layer in model.layers][2:] == ["LSTM", "Bidirectional",
                                                                      "Dense"]
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)
    model.save(str(tmp_path / ("again" + ext)))
    backend.clear_session()
    again = keras.models.load_model(str(tmp_path / ("again" + ext)))
    np.testing.assert_allclose(again.predict(ref["x"], verbose=0), ref["y0"], rtol=1e-5,
                               atol=1e-6)


@needs_h5py
def test_masked_loss_and_metric_train_as_keras():
    """mse and mae over the kept steps only: Keras's loss/metric trajectory and evaluate."""
    ref = fixture("masked_seq")
    model = _load("masked_seq")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    hist = model.fit(ref["x"], ref["target"], batch_size=4, epochs=5, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], ref["loss"], rtol=1e-5)
    np.testing.assert_allclose(hist.history["mae"], ref["mae"], rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(ref["x"], ref["target"], verbose=0),
                               ref["evaluate"], rtol=1e-5)


# -- the rules ------------------------------------------------------------------------------------
def _run(tensors, feed):
    return backend.get_session().run(tensors, feed)


def test_masking_layer_zeroes_and_masks_all_equal_steps():
    x = keras.Input((3, 2))
    y = layers.Masking(mask_value=1.5)(x)
    xv = np.array([[[1.5, 1.5], [1.5, 0.0], [2.0, 2.0]]], np.float32)
    out, mask = _run([y, y._keras_mask], {x: xv})
    np.testing.assert_array_equal(mask, [[False, True, True]])
    np.testing.assert_array_equal(out, [[[0, 0], [1.5, 0], [2, 2]]])
    assert layers.Masking(2.0).get_config()["mask_value"] == 2.0


def test_mask_passes_dense_and_stops_at_a_last_step_rnn():
    ids = keras.Input((4,), dtype="int32")
    e = layers.Embedding(6, 3, mask_zero=True)(ids)
    d = layers.Dense(2)(e)
    seq = layers.GRU(2, return_sequences=True)(d)
    last, h = layers.SimpleRNN(2, return_state=True)(seq)
    assert d._keras_mask is e._keras_mask and seq._keras_mask is e._keras_mask
    assert not hasattr(last, "_keras_mask") and not hasattr(h, "_keras_mask")
    flat = layers.Flatten()(e)   # a layer without supports_masking drops the mask
    assert not hasattr(flat, "_keras_mask")


def _np_masked_simple_rnn(x, mask, k, rk, b, backwards=False, zero_output=False):
    """Keras's masked loop: a masked step keeps h and repeats the previous output."""
    if backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    h = np.zeros((x.shape[0], k.shape[1]))
    prev, outs = np.zeros_like(h), []
    for t in range(x.shape[1]):
        new = np.tanh(x[:, t] @ k + h @ rk + b)
        m = mask[:, t:t + 1]
        h = np.where(m, new, h)
        out = np.where(m, new, 0.0 if zero_output else prev)
        prev = out
        outs.append(out)
    return np.stack(outs, 1), h


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_steps_keep_state_and_output_as_keras(go_backwards, zero_output):
    x = RNG.randn(3, 5, 2).astype(np.float32)
    mask = np.array([[1, 1, 0, 0, 0], [0, 1, 1, 0, 1], [1, 1, 1, 1, 1]], bool)
    inp, m = keras.Input((5, 2)), keras.Input((5,), dtype="bool")
    layer = layers.SimpleRNN(3, return_sequences=True, return_state=True,
                             go_backwards=go_backwards, zero_output_for_mask=zero_output)
    seq, h = layer(inp, mask=m)
    backend.initialize_variables(layer.weights)
    got_seq, got_h = _run([seq, h], {inp: x, m: mask})
    want_seq, want_h = _np_masked_simple_rnn(x, mask, *layer.get_weights(), go_backwards,
                                             zero_output)
    np.testing.assert_allclose(got_seq, want_seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-5, atol=1e-6)


def test_lstm_ops_with_and_without_mask():
    """No mask: one LSTMSequence op; a mask: one MaskedLSTMSequence op; a mask and an initial
    state: the unrolled steps (fused LSTMCell ops)."""
    def types_for(mask_zero, initial_state=False):
        backend.clear_session()
        ids = keras.Input((5,), dtype="int32")
        e = layers.Embedding(4, 3, mask_zero=mask_zero)(ids)
        kw = {"initial_state": [keras.Input((4,)), keras.Input((4,))]} if initial_state else {}
        layers.LSTM(4)(e, **kw)
        return {op.type for op in backend.get_session().graph.get_operations()}
    assert {"LSTMSequence"} <= types_for(False) and "LSTMCell" not in types_for(False)
    masked = types_for(True)
    assert "MaskedLSTMSequence" in masked and not {"LSTMCell", "LSTMSequence"} & masked
    assert "LSTMCell" in types_for(True, initial_state=True)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_masked_sequence_op_equals_the_unrolled_steps(go_backwards, zero_output,
                                                      return_sequences):
    """The fused masked LSTM against the unrolled path (forced by a zero initial state given
    as tensors), forward and gradients."""
    x = RNG.randn(4, 6, 3).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 0, 1, 0],
                     [0, 0, 0, 0, 0, 0]], bool)
    inp, m = keras.Input((6, 3)), keras.Input((6,), dtype="bool")
    lstm = layers.LSTM(5, return_sequences=return_sequences, go_backwards=go_backwards,
                       zero_output_for_mask=zero_output)
    fused = lstm(inp, mask=m)
    zeros = tf.zeros(tf.stack([tf.shape(inp)[0], 5]))
    unrolled = lstm(inp, mask=m, initial_state=[zeros, zeros])
    types = [op.type for op in backend.get_session().graph.get_operations()]
    assert types.count("MaskedLSTMSequence") == 1 and "LSTMCell" in types
    backend.initialize_variables(lstm.weights)
    grads = [tf.gradients(tf.reduce_sum(y * y), [inp] + lstm.trainable_weights)
             for y in (fused, unrolled)]
    got, want = _run([[fused] + grads[0], [unrolled] + grads[1]], {inp: x, m: mask})
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_masked_rnn_gradients(kind):
    """Float64 numeric Jacobians through the masked steps (x and the weights); the mask is a
    constant (a Masking layer's mask would flip where the checker nudges a zero)."""
    x = RNG.randn(2, 4, 3)
    mask = np.array([[True, True, False, False], [False, True, False, True]])

    class MaskedRNN(layers.Layer):
        def __init__(self, **kw):
            super().__init__(dtype="float64", **kw)
            self.rnn = getattr(layers, kind)(2, return_sequences=True, dtype="float64")

        def call(self, inputs):
            return self.rnn(inputs, mask=tf.constant(mask))
    layer = MaskedRNN()
    check_gradients(layer, x, tol=1e-5)
    want = {"LSTM": "MaskedLSTMSequence", "GRU": "SelectV2"}[kind]   # GRU: selects per step
    assert any(op.type == want for op in backend.get_session().graph.get_operations())


@needs_h5py
def test_masks_through_merge_layers_as_keras():
    """Add/Average OR the masks, Multiply takes 1 and Maximum/Minimum the other value at masked
    steps, Concatenate on features is unmasked by an unmasked input and on time concatenates
    the masks (Keras 3.15's numbers through GRUs that skip the masked steps)."""
    ref = fixture("merged_masks")
    model = _load("merged_masks")
    got = model.predict([ref["a"], ref["b"]], verbose=0)
    assert len(got) == 8
    for i, y in enumerate(got):
        np.testing.assert_allclose(y, ref["y%d" % i], rtol=1e-5, atol=1e-6, err_msg=str(i))
