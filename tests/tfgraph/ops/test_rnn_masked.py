"""MaskedLSTMSequence (Keras's masked LSTM in one op) and its gradient: kernels against numpy
references, the numeric gradient checker, and the unrolled cells with selects."""
import numpy as np
import pytest

import tfgraph as tf
from tests.tfgraph.ops.test_rnn_ops import _close, _lstm_ref, _run, _seq_inputs
from tfgraph.ops import rnn_ops

RNG = np.random.RandomState(12)


def _mask(steps, batch):
    """Right- and left-padding, holes, an all-masked row and an unmasked row."""
    m = RNG.rand(steps, batch) > 0.4
    m[:, 0] = True
    m[:, 1 % batch] = False
    m[steps // 2:, 2 % batch] = False
    return m


def _masked_ref(x, kernel, rk, bias, h0, c0, mask):
    """float64, written out: a masked row keeps h and c (hs, cs, gates, tanh_c)."""
    h, c, outs = h0.astype(np.float64), c0.astype(np.float64), []
    for xt, m in zip(x.astype(np.float64), mask, strict=True):
        hn, cn, g, t = _lstm_ref(xt @ kernel + h @ rk.astype(np.float64) + bias, c)
        keep = m[:, None] != 0
        h, c = np.where(keep, hn, h), np.where(keep, cn, c)
        outs.append((h, c, g, t))
    return [np.stack(o) for o in zip(*outs, strict=True)]


@pytest.mark.parametrize("dtype,tol", [(np.float32, 2e-6), (np.float64, 1e-12)])
@pytest.mark.parametrize("batch", [6, 70])   # 70: the rows split over threads
def test_forward_kernel_matches_numpy(dtype, tol, batch):
    values = _seq_inputs(5, batch, 19, dtype)
    mask = _mask(5, batch).astype(dtype)
    got = _run(rnn_ops.masked_lstm_sequence(*[tf.constant(v) for v in values + [mask]]))
    assert all(a.dtype == dtype for a in got)
    _close(got, _masked_ref(*values, mask), tol)
    _close(got, rnn_ops.MaskedLSTMSequence().compute(*values, mask), tol)
    hs = got[0]
    assert np.array_equal(hs[0, 1 % batch], values[4][1 % batch])   # masked at step 0: h0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [5, 70])
def test_grad_kernel_matches_numpy(dtype, batch):
    values = _seq_inputs(4, batch, 11, dtype)
    mask = _mask(4, batch).astype(dtype)
    x, _, rk, _, h0, c0 = values
    saved = [x, rk, h0, c0] + list(rnn_ops.MaskedLSTMSequence().compute(*values, mask))
    dhs, dcs = (RNG.randn(*saved[4].shape).astype(dtype) for _ in range(2))
    tol = 3e-5 if dtype == np.float32 else 1e-11
    for d_hs, d_cs in ((dhs, dcs), (dhs, 0.0), (0.0, dcs)):
        got = _run(rnn_ops.MaskedLSTMSequenceGrad.apply(
            *[tf.constant(a) for a in saved], tf.constant(d_hs, dtype=dtype),
            tf.constant(d_cs, dtype=dtype), tf.constant(mask)))
        assert all(a.dtype == dtype for a in got)
        want = rnn_ops.MaskedLSTMSequenceGrad().compute(*saved, d_hs, d_cs, mask)
        _close(got, want, tol)
        masked = mask == 0
        assert not got[0][masked].any()   # no gate gradient at masked steps


@pytest.mark.parametrize("outputs", [(0,), (1,), (0, 1)], ids=["hs", "cs", "hs_cs"])
def test_gradient_check(outputs):
    """Numeric Jacobians w.r.t. x, kernel, recurrent_kernel, bias, h0 and c0 (float64)."""
    values = [v * 0.5 for v in _seq_inputs(4, 3, 2, np.float64)]
    mask = tf.constant(_mask(4, 3).astype(np.float64))
    inputs = [tf.constant(v) for v in values]
    outs = rnn_ops.masked_lstm_sequence(*inputs, mask)
    weights = [tf.constant(RNG.randn(*o.shape.as_list())) for o in outs]
    loss = tf.add_n([tf.reduce_sum(outs[k] * weights[k]) for k in outputs])
    with tf.Session():
        err = tf.test.compute_gradient_error(inputs, [v.shape for v in values], loss, [],
                                             x_init_value=values)
    assert err < 1e-5


def test_gradient_matches_unrolled_cells_with_selects():
    args = [tf.constant(v) for v in _seq_inputs(5, 4, 3, np.float64)]
    m = _mask(5, 4)
    x, kernel, rk, bias, h0, c0 = args
    hs, cs, _, _ = rnn_ops.masked_lstm_sequence(*args, tf.constant(m.astype(np.float64)))
    h, c, hs_cells = h0, c0, []
    for k, xt in enumerate(tf.unstack(x, axis=0)):
        hn, cn, _, _ = rnn_ops.lstm_cell(tf.matmul(xt, kernel) + tf.matmul(h, rk) + bias, c)
        keep = tf.constant(m[k][:, None])
        h, c = tf.where(keep, hn, h), tf.where(keep, cn, c)
        hs_cells.append(h)
    w = tf.constant(RNG.randn(5, 4, 3))
    loss_seq = tf.reduce_sum(hs * w) + tf.reduce_sum(cs[-1])
    loss_cells = tf.reduce_sum(tf.stack(hs_cells) * w) + tf.reduce_sum(c)
    got, want = _run([tf.gradients(loss_seq, args), tf.gradients(loss_cells, args)])
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_bad_mask_shape_names_the_op():
    values = [tf.constant(v) for v in _seq_inputs(3, 2, 2, np.float32)]
    with pytest.raises(ValueError, match="mask must be .*op: 'MaskedLSTMSequence'"):
        rnn_ops.masked_lstm_sequence(*values, tf.constant(np.ones((2, 3), np.float32)))
