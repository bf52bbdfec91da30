"""LSTMCell / LSTMCellGrad: kernels against numpy references, gradients against numeric ones."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.kernels import rnn as kernels
from tfgraph.kernels import threads as kernel_threads
from tfgraph.ops import rnn_ops

RNG = np.random.RandomState(7)   # values vary with the test order; every bound holds for any


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _lstm_ref(z, c_prev):
    """Keras's LSTM step in float64, gate order i, f, c, o: (h, c, gates, tanh_c)."""
    z, c_prev = z.astype(np.float64), c_prev.astype(np.float64)
    i, f, g, o = np.split(z, 4, axis=1)
    i, f, g, o = _sig(i), _sig(f), np.tanh(g), _sig(o)
    c = f * c_prev + i * g
    return o * np.tanh(c), c, np.concatenate([i, f, g, o], axis=1), np.tanh(c)


def _inputs(batch, units, dtype, scale=3.0):
    return ((RNG.randn(batch, 4 * units) * scale).astype(dtype),
            RNG.randn(batch, units).astype(dtype))


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-6), (np.float64, 1e-12)])
def test_forward_kernel_matches_numpy(dtype, tol):
    # units 19: odd widths exercise the vectorized loops' remainders; z up to ~+-15 saturates gates
    z, c_prev = _inputs(6, 19, dtype, scale=5.0)
    got = _run(rnn_ops.lstm_cell(tf.constant(z), tf.constant(c_prev)))
    for a, r in zip(got, _lstm_ref(z, c_prev)):
        assert a.dtype == dtype and a.shape == r.shape
        np.testing.assert_allclose(a, r, rtol=0, atol=tol)
    # and the op's own numpy reference (the fallback) agrees with the kernel
    for a, r in zip(got, rnn_ops.LSTMCell().compute(z, c_prev)):
        np.testing.assert_allclose(a, r, rtol=0, atol=tol)


def test_float32_tanh_is_within_4e7_everywhere():
    x = np.linspace(-20, 20, 400001).astype(np.float32)
    z = np.zeros((1, 4 * x.size), np.float32)
    z[0, 2 * x.size:3 * x.size] = x              # the candidate block: tanh(x)
    gates = np.empty_like(z)
    h, c, t = (np.empty((1, x.size), np.float32) for _ in range(3))
    kernels.lstm_cell_f32(z, np.zeros((1, x.size), np.float32), h, c, gates, t)
    assert np.abs(gates[0, 2 * x.size:3 * x.size] - np.tanh(x.astype(np.float64))).max() < 4e-7
    assert np.all(np.abs(gates) <= 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_kernel_matches_numpy(dtype):
    n, u = 5, 11
    z, c_prev = _inputs(n, u, dtype)
    _, _, gates, tanh_c = rnn_ops.LSTMCell().compute(z, c_prev)
    dh, dc = RNG.randn(n, u).astype(dtype), RNG.randn(n, u).astype(dtype)
    got = _run(rnn_ops.LSTMCellGrad.apply(*[tf.constant(a) for a in
                                            (c_prev, gates, tanh_c, dh, dc)]))
    # reference: the chain rule written out on the float64 activations
    i, f, g, o = np.split(gates.astype(np.float64), 4, axis=1)
    t = tanh_c.astype(np.float64)
    dct = dc + dh * o * (1 - t * t)
    dz = np.concatenate([dct * g * i * (1 - i), dct * c_prev * f * (1 - f),
                         dct * i * (1 - g * g), dh * t * o * (1 - o)], axis=1)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got[0], dz, rtol=0, atol=tol)
    np.testing.assert_allclose(got[1], dct * f, rtol=0, atol=tol)


@pytest.mark.parametrize("outputs", [(0,), (1,), (0, 1), (2,), (3,), (0, 1, 2, 3)],
                         ids=["h", "c", "h_c", "gates", "tanh_c", "all"])
def test_gradient_check(outputs):
    z0, c0 = _inputs(3, 2, np.float64, scale=1.5)
    z, c_prev = tf.constant(z0), tf.constant(c0)
    outs = rnn_ops.lstm_cell(z, c_prev)
    weights = [tf.constant(RNG.randn(*o.shape.as_list())) for o in outs]
    loss = tf.add_n([tf.reduce_sum(outs[k] * weights[k]) for k in outputs])
    with tf.Session():
        err = tf.test.compute_gradient_error([z, c_prev], [(3, 8), (3, 2)], loss, [],
                                             x_init_value=[z0, c0])
    assert err < 1e-5   # measured 3e-9..3e-7 (central differences)


def test_gradient_through_steps_matches_unfused_ops():
    """Two chained steps: tf.gradients through LSTMCell equals autodiff of the plain ops."""
    z0 = [RNG.randn(4, 12) for _ in range(2)]
    zs = [tf.constant(z) for z in z0]
    c = tf.zeros([4, 3], dtype=tf.float64)
    fused_c, plain_c = c, c
    hs_fused, hs_plain = [], []
    for z in zs:
        h, fused_c, _, _ = rnn_ops.lstm_cell(z, fused_c)
        hs_fused.append(h)
        i, f, g, o = tf.split(z, 4, axis=1)
        plain_c = tf.sigmoid(f) * plain_c + tf.sigmoid(i) * tf.tanh(g)
        hs_plain.append(tf.sigmoid(o) * tf.tanh(plain_c))
    loss_fused = tf.reduce_sum(hs_fused[0] * hs_fused[1]) + tf.reduce_sum(fused_c)
    loss_plain = tf.reduce_sum(hs_plain[0] * hs_plain[1]) + tf.reduce_sum(plain_c)
    got, want = _run([tf.gradients(loss_fused, zs), tf.gradients(loss_plain, zs)])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_static_shapes_and_errors():
    z = tf.placeholder(tf.float32, [None, 8])
    c = tf.placeholder(tf.float32, [None, 2])
    h, c1, gates, tanh_c = rnn_ops.lstm_cell(z, c)
    assert [t.shape.as_list() for t in (h, c1, gates, tanh_c)] == \
        [[None, 2], [None, 2], [None, 8], [None, 2]]
    dz, dc = tf.gradients(h, [z, c])
    assert dz.shape.as_list() == [None, 8] and dc.shape.as_list() == [None, 2]
    with pytest.raises(ValueError, match="4 \\* units"):
        rnn_ops.lstm_cell(tf.placeholder(tf.float32, [None, 6]), c)
    with pytest.raises(TypeError):
        rnn_ops.lstm_cell(tf.placeholder(tf.int32, [None, 8]), tf.placeholder(tf.int32, [None, 2]))
    with pytest.raises(Exception, match="z must be \\(batch, 4 \\* units\\)"):
        _run(h, {z: np.zeros((3, 8), np.float32), c: np.zeros((4, 2), np.float32)})


def test_grad_op_is_not_differentiable():
    z, c = tf.constant(RNG.randn(2, 4)), tf.constant(RNG.randn(2, 1))
    dz = tf.gradients(rnn_ops.lstm_cell(z, c)[0], z)[0]
    with pytest.raises(LookupError, match="LSTMCellGrad"):
        tf.gradients(tf.reduce_sum(dz), z)


# -- GRUCell ---------------------------------------------------------------------------------------
def _gru_ref(mx, mh, h_prev):
    """Keras 3's GRU step (reset_after) in float64, gate order z, r, h: (h, gates)."""
    mx, mh, h_prev = (a.astype(np.float64) for a in (mx, mh, h_prev))
    u = h_prev.shape[1]
    z = _sig(mx[:, :u] + mh[:, :u])
    r = _sig(mx[:, u:2 * u] + mh[:, u:2 * u])
    hh = np.tanh(mx[:, 2 * u:] + r * mh[:, 2 * u:])
    return z * h_prev + (1 - z) * hh, np.concatenate([z, r, hh], axis=1)


def _gru_inputs(batch, units, dtype, scale=3.0):
    return ((RNG.randn(batch, 3 * units) * scale).astype(dtype),
            (RNG.randn(batch, 3 * units) * scale).astype(dtype),
            RNG.randn(batch, units).astype(dtype))


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-6), (np.float64, 1e-12)])
def test_gru_forward_kernel_matches_numpy(dtype, tol):
    mx, mh, h_prev = _gru_inputs(6, 19, dtype, scale=5.0)
    got = _run(rnn_ops.gru_cell(*[tf.constant(a) for a in (mx, mh, h_prev)]))
    for a, r, ref in zip(got, _gru_ref(mx, mh, h_prev), rnn_ops.GRUCell().compute(mx, mh, h_prev)):
        assert a.dtype == dtype and a.shape == r.shape
        np.testing.assert_allclose(a, r, rtol=0, atol=tol)
        np.testing.assert_allclose(a, ref, rtol=0, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gru_grad_kernel_matches_numpy(dtype):
    n, u = 5, 11
    mx, mh, h_prev = _gru_inputs(n, u, dtype)
    gates = rnn_ops.GRUCell().compute(mx, mh, h_prev)[1]
    dh = RNG.randn(n, u).astype(dtype)
    got = _run(rnn_ops.GRUCellGrad.apply(*[tf.constant(a) for a in (mh, h_prev, gates, dh)]))
    z, r, hh = np.split(gates.astype(np.float64), 3, axis=1)
    dah = dh * (1 - z) * (1 - hh * hh)
    daz = dh * (h_prev - hh) * z * (1 - z)
    dar = dah * mh[:, 2 * u:] * r * (1 - r)
    want = [np.concatenate([daz, dar, dah], 1), np.concatenate([daz, dar, dah * r], 1), dh * z]
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, w in zip(got, want):
        np.testing.assert_allclose(a, w, rtol=0, atol=tol)


@pytest.mark.parametrize("outputs", [(0,), (1,), (0, 1)], ids=["h", "gates", "both"])
def test_gru_gradient_check(outputs):
    values = _gru_inputs(3, 2, np.float64, scale=1.5)
    inputs = [tf.constant(v) for v in values]
    outs = rnn_ops.gru_cell(*inputs)
    weights = [tf.constant(RNG.randn(*o.shape.as_list())) for o in outs]
    loss = tf.add_n([tf.reduce_sum(outs[k] * weights[k]) for k in outputs])
    with tf.Session():
        err = tf.test.compute_gradient_error(inputs, [(3, 6), (3, 6), (3, 2)], loss, [],
                                             x_init_value=list(values))
    assert err < 1e-5   # measured 2e-7..6e-7 (central differences)


def test_gru_static_shapes_and_errors():
    mx = tf.placeholder(tf.float32, [None, 6])
    h = tf.placeholder(tf.float32, [None, 2])
    out, gates = rnn_ops.gru_cell(mx, mx, h)
    assert out.shape.as_list() == [None, 2] and gates.shape.as_list() == [None, 6]
    assert [g.shape.as_list() for g in tf.gradients(out, [mx, h])] == [[None, 6], [None, 2]]
    with pytest.raises(ValueError, match="3 \\* units"):
        rnn_ops.gru_cell(tf.placeholder(tf.float32, [None, 8]),
                         tf.placeholder(tf.float32, [None, 8]), h)
    with pytest.raises(Exception, match="mx and mh must be \\(batch, 3 \\* units\\)"):
        _run(out, {mx: np.zeros((3, 6), np.float32), h: np.zeros((4, 2), np.float32)})


# -- LSTMSequence ----------------------------------------------------------------------------------
def _seq_inputs(steps, batch, units, dtype, zero_state=False, features=3):
    x, kernel = RNG.randn(steps, batch, features), RNG.randn(features, 4 * units)
    rk, bias = RNG.randn(units, 4 * units), RNG.randn(4 * units)
    h0, c0 = RNG.randn(batch, units), RNG.randn(batch, units)
    if zero_state:
        h0, c0 = h0 * 0, c0 * 0
    return [a.astype(dtype) for a in (x, kernel, rk, bias, h0, c0)]


def _seq_ref(x, kernel, rk, bias, h0, c0):
    """The steps written out with _lstm_ref in float64: (hs, cs, gates, tanh_c), time-major."""
    h, c, outs = h0.astype(np.float64), c0, []
    for xt in x.astype(np.float64):
        h, c, g, t = _lstm_ref(xt @ kernel + h @ rk.astype(np.float64) + bias, c)
        outs.append((h, c, g, t))
    return [np.stack(o) for o in zip(*outs, strict=True)]


def _seq_grad_ref(x, kernel, rk, bias, h0, c0, dhs, dcs):
    """The chain rule step by step with LSTMCellGrad's formulas in float64:
    (dz, d kernel, d recurrent_kernel, d bias, dc0)."""
    hs, cs, gates, tanh_c = _seq_ref(x, kernel, rk, bias, h0, c0)
    dz, dh, dc = np.empty(gates.shape), np.zeros(h0.shape), np.zeros(h0.shape)
    for k in range(len(x) - 1, -1, -1):
        i, f, g, o = np.split(gates[k], 4, axis=1)
        t, dhk = tanh_c[k], dhs[k] + dh
        dct = dcs[k] + dc + dhk * o * (1 - t * t)
        c_prev = cs[k - 1] if k else c0
        dz[k] = np.concatenate([dct * g * i * (1 - i), dct * c_prev * f * (1 - f),
                                dct * i * (1 - g * g), dhk * t * o * (1 - o)], axis=1)
        dh, dc = dz[k] @ rk.T, dct * f
    h_prev = np.concatenate([h0[None], hs[:-1]]).reshape(-1, h0.shape[1])
    dz2 = dz.reshape(len(h_prev), -1)
    return [dz, x.reshape(len(h_prev), -1).T @ dz2, h_prev.T @ dz2, dz.sum(axis=(0, 1)), dc]


# Split into blocks of rows, a GEMM takes other BLAS kernel paths (edge tiles, another SIMD width
# on another CPU), so float32 results differ in the last bits, which a few recurrent steps grow to
# about 1e-5 of the largest value.
F32_ROW_BLOCKS_TOL = 2e-5


def _close(got, want, tol):
    for a, w in zip(got, want, strict=True):
        assert a.shape == w.shape
        np.testing.assert_allclose(a, w, rtol=0, atol=tol * max(1, np.abs(w).max()))


@pytest.mark.parametrize("dtype,tol", [(np.float32, 2e-6), (np.float64, 1e-12)])
@pytest.mark.parametrize("zero_state", [False, True])
def test_sequence_forward_matches_numpy(dtype, tol, zero_state):
    values = _seq_inputs(5, 6, 19, dtype, zero_state)
    got = _run(rnn_ops.lstm_sequence(*[tf.constant(v) for v in values]))
    assert all(a.dtype == dtype for a in got)
    _close(got, _seq_ref(*values), tol)
    _close(got, rnn_ops.LSTMSequence().compute(*values), tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [6, 70])                # 70 rows: one block per thread
def test_inference_plans_keep_no_gates(dtype, batch, monkeypatch):
    """A plan that reads only hs and cs (a prediction) runs _LSTMSequenceInference: the same hs
    and cs, bit for bit, as the op that stores every step's gates; gates and tanh_c are then
    zero views (nothing reads them)."""
    from tfgraph.kernels import threads
    monkeypatch.setattr(threads, "THREADS", 2)
    values = _seq_inputs(7, batch, 19, dtype)
    ph = [tf.placeholder(tf.as_dtype(dtype), v.shape) for v in values]
    hs, cs, gates, tanh_c = rnn_ops.lstm_sequence(*ph)
    last = hs[-1] * 2.0
    feed = dict(zip(ph, values, strict=True))
    with tf.Session() as sess:
        got_last, got_cs = sess.run([last, cs], feed)
        types = [s.op.type for p in sess._plans.values() for s in p.steps]
        assert "_LSTMSequenceInference" in types and "LSTMSequence" not in types
        stored = sess.run([hs, cs, gates, tanh_c], feed)   # gates fetched: the storing op
        plan = next(p for p in sess._plans.values() if len(p.fetches) == 4)
        assert "LSTMSequence" in [s.op.type for s in plan.steps]
    np.testing.assert_array_equal(got_last, stored[0][-1] * dtype(2))
    np.testing.assert_array_equal(got_cs, stored[1])
    want = rnn_ops.LSTMSequenceInference().compute(*values)
    np.testing.assert_array_equal(want[2], 0)
    _close(stored[:2], want[:2], F32_ROW_BLOCKS_TOL if dtype == np.float32 else 1e-12)


def test_training_plans_keep_the_gates_for_the_gradient():
    values = _seq_inputs(4, 3, 5, np.float32)
    x = tf.constant(values[0])
    kernel = tf.Variable(values[1])
    hs = rnn_ops.lstm_sequence(x, kernel, *[tf.constant(v) for v in values[2:]])[0]
    step = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(hs[-1]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        types = [s.op.type for p in sess._plans.values() for s in p.steps]
    assert "LSTMSequence" in types and "_LSTMSequenceInference" not in types


def _saved(values):
    """LSTMSequenceGrad's inputs but the output gradients: x, rk, h0, c0 and the forward's."""
    x, _, rk, _, h0, c0 = values
    return [x, rk, h0, c0] + list(rnn_ops.LSTMSequence().compute(*values))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("zero_state", [False, True])
def test_sequence_grad_kernel_matches_numpy(dtype, zero_state):
    values = _seq_inputs(4, 5, 11, dtype, zero_state)
    saved = _saved(values)
    dhs, dcs = (RNG.randn(*saved[4].shape).astype(dtype) for _ in range(2))
    tol = 2e-5 if dtype == np.float32 else 1e-11
    for d_hs, d_cs in ((dhs, dcs), (dhs, 0.0), (0.0, dcs)):
        got = _run(rnn_ops.LSTMSequenceGrad.apply(*[tf.constant(a) for a in saved],
                                                  tf.constant(d_hs, dtype=dtype),
                                                  tf.constant(d_cs, dtype=dtype)))
        assert all(a.dtype == dtype for a in got)
        full = [np.broadcast_to(d, saved[4].shape) for d in (d_hs, d_cs)]
        _close(got, _seq_grad_ref(*values, *full), tol)   # a scalar 0 stands for zeros
        _close(got, rnn_ops.LSTMSequenceGrad().compute(*saved, d_hs, d_cs), tol)


@pytest.mark.parametrize("outputs", [(0,), (1,), (0, 1), (3,), (0, 1, 3)],
                         ids=["hs", "cs", "hs_cs", "tanh_c", "hs_cs_tanh_c"])
@pytest.mark.parametrize("zero_state", [False, True])
def test_sequence_gradient_check(outputs, zero_state):
    values = [v * 0.5 for v in _seq_inputs(3, 2, 2, np.float64, zero_state)]
    inputs = [tf.constant(v) for v in values]
    outs = rnn_ops.lstm_sequence(*inputs)
    weights = [tf.constant(RNG.randn(*o.shape.as_list())) for o in outs]
    loss = tf.add_n([tf.reduce_sum(outs[k] * weights[k]) for k in outputs])
    with tf.Session():
        err = tf.test.compute_gradient_error(inputs, [v.shape for v in values], loss, [],
                                             x_init_value=values)
    assert err < 1e-5   # measured 1e-7..2e-6 (central differences)


def test_sequence_gradient_matches_chained_cells():
    """tf.gradients through LSTMSequence equals that through one LSTMCell per step."""
    args = [tf.constant(v) for v in _seq_inputs(4, 3, 5, np.float64)]
    x, kernel, rk, bias, h0, c0 = args
    hs, cs, _, _ = rnn_ops.lstm_sequence(*args)
    h, c, hs_cells = h0, c0, []
    for xt in tf.unstack(x, axis=0):
        h, c, _, _ = rnn_ops.lstm_cell(tf.matmul(xt, kernel) + tf.matmul(h, rk) + bias, c)
        hs_cells.append(h)
    w = tf.constant(RNG.randn(4, 3, 5))
    loss_seq = tf.reduce_sum(hs * w) + tf.reduce_sum(cs[-1])
    loss_cells = tf.reduce_sum(tf.stack(hs_cells) * w) + tf.reduce_sum(c)
    got, want = _run([tf.gradients(loss_seq, args), tf.gradients(loss_cells, args)])
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


def test_sequence_static_shapes_and_errors():
    x = tf.placeholder(tf.float32, [7, None, 3])
    kernel, rk = tf.placeholder(tf.float32, [3, 8]), tf.placeholder(tf.float32, [2, 8])
    bias, h0 = tf.placeholder(tf.float32, [8]), tf.placeholder(tf.float32, [None, 2])
    outs = rnn_ops.lstm_sequence(x, kernel, rk, bias, h0, h0)
    assert [t.shape.as_list() for t in outs] == [[7, None, 2], [7, None, 2], [7, None, 8],
                                                 [7, None, 2]]
    grads = tf.gradients(outs[0], [x, kernel, rk, bias, h0])
    assert [g.shape.as_list() for g in grads] == [[7, None, 3], [3, 8], [2, 8], [8], [None, 2]]
    with pytest.raises(ValueError, match="4 \\* units"):
        rnn_ops.lstm_sequence(x, tf.placeholder(tf.float32, [3, 6]), rk, bias, h0, h0)
    with pytest.raises(ValueError, match="recurrent_kernel must be"):
        rnn_ops.lstm_sequence(x, kernel, tf.placeholder(tf.float32, [3, 8]), bias, h0, h0)
    feeds = {x: np.zeros((7, 3, 3), np.float32), kernel: np.zeros((3, 8), np.float32),
             rk: np.zeros((2, 8), np.float32), bias: np.zeros(8, np.float32)}
    with pytest.raises(Exception, match="initial states"):
        _run(outs[0], {**feeds, h0: np.zeros((4, 2), np.float32)})
    with pytest.raises(NotImplementedError, match="gates"):
        tf.gradients(tf.reduce_sum(outs[2]), x)


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("zero_state", [False, True])
def test_sequence_row_blocks_on_threads_match_numpy(monkeypatch, threads, zero_state):
    """Several blocks of batch rows (and of steps for the weight gradients), each on its own
    thread, give the numpy results."""
    monkeypatch.setattr(kernel_threads, "THREADS", threads)
    monkeypatch.setattr(rnn_ops, "MIN_BLOCK_ROWS", 1)
    values = _seq_inputs(5, 7, 6, np.float32, zero_state)
    saved = _saved(values)
    dhs, dcs = (RNG.randn(*saved[4].shape).astype(np.float32) for _ in range(2))
    outs = rnn_ops.lstm_sequence(*[tf.constant(v) for v in values])
    grad = rnn_ops.LSTMSequenceGrad.apply(*[tf.constant(a) for a in saved + [dhs, dcs]])
    got = _run([outs, grad])
    _close(got[0], saved[4:], F32_ROW_BLOCKS_TOL)
    _close(got[1], rnn_ops.LSTMSequenceGrad().compute(*saved, dhs, dcs), F32_ROW_BLOCKS_TOL)
