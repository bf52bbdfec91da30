"""tfgraph/kernels/winograd.py: Winograd F(2x2, 5x5) and F(4x4, 3x3) convolutions, their gradients,
and when conv.py takes them."""
import conv_reference as ref
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.kernels import conv, im2col, threads, winograd

CASES = [  # (x shape, filter shape, padding): outputs that are and are not multiples of the tile
    ((3, 14, 14, 16), (5, 5, 16, 24), "SAME"),
    ((2, 9, 10, 17), (5, 5, 17, 16), "VALID"),
    ((3, 13, 11, 16), (3, 3, 16, 20), "SAME"),
    ((2, 12, 9, 16), (3, 3, 16, 16), "VALID"),
    ((2, 6, 7, 16), (5, 5, 16, 16), [[0, 0], [1, 3], [4, 0], [0, 0]]),   # explicit, uneven
]
TOL = dict(rtol=1e-4, atol=1e-4)   # relative errors ~3e-6 of the largest value (module docstring)


@pytest.fixture(params=["one block", "chunks on threads"])
def split(request, monkeypatch):
    """Both paths: one chunk on this thread (the plan's matmul per transform position) and chunks
    of one image each handed to two threads (one batched GEMM call each)."""
    if request.param == "chunks on threads":
        monkeypatch.setattr(threads, "THREADS", 2)
        monkeypatch.setattr(im2col, "THREAD_CHUNK_BYTES", 1)
    return request.param


@pytest.fixture
def no_im2col(monkeypatch):
    """Any eligible convolution that still reached im2col would fail here."""
    for name in ("conv2d", "backprop_filter", "backprop_input"):
        monkeypatch.setattr(im2col, name, None)


def _setup(xs, ws, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32)
    w = (rng.standard_normal(ws) / np.sqrt(ws[0] * ws[1] * ws[2])).astype(np.float32)
    b = rng.standard_normal(ws[3]).astype(np.float32)
    out_hw, _ = conv.geometry(xs, ws, (1, 1), (1, 1), padding)
    dy = rng.standard_normal((xs[0],) + tuple(out_hw) + (ws[3],)).astype(np.float32)
    return x, w, b, dy


def _close(got, want):
    """Within TOL of the float64 reference, relative to its largest value."""
    assert got.dtype == np.float32
    scale = float(np.abs(want).max())
    np.testing.assert_allclose(got / scale, want / scale, **TOL)


@pytest.mark.parametrize("m, r", [(2, 5), (4, 3), (2, 3)])
def test_transform_matrices_compute_the_correlation(m, r):
    """A^T[(G g) * (B^T d)] = the correlation of d with g, for each of a random filter and input,
    in float64 (the identity is exact: 1e-12)."""
    at, g_mat, bt = winograd.transform_matrices(m, r)
    a = m + r - 1
    assert at.shape == (m, a) and g_mat.shape == (a, r) and bt.shape == (a, a)
    rng = np.random.default_rng(1)
    for _ in range(5):
        g, d = rng.standard_normal(r), rng.standard_normal(a)
        want = [sum(d[i + k] * g[k] for k in range(r)) for i in range(m)]
        np.testing.assert_allclose(at @ ((g_mat @ g) * (bt @ d)), want, rtol=1e-12, atol=1e-12)
    assert np.abs(bt).max(axis=1) == pytest.approx(np.ones(a))


@pytest.mark.parametrize("xs, ws, padding", CASES)
def test_products_match_the_loop_references(split, no_im2col, xs, ws, padding):
    x, w, b, dy = _setup(xs, ws, padding)
    x64, w64, dy64 = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    _close(conv.conv2d(x, w, (1, 1), (1, 1), padding), ref.conv2d(x64, w64, (1, 1), padding))
    _close(conv.conv2d(x, w, (1, 1), (1, 1), padding, bias=b, relu=True),
           np.maximum(ref.conv2d(x64, w64, (1, 1), padding) + b, 0))
    want_dx = ref.conv2d_backprop_input(xs, w64, dy64, (1, 1), padding)
    _close(conv.conv2d_backprop_input(xs, w, dy, (1, 1), (1, 1), padding), want_dx)
    relu_out = np.maximum(x, 0)
    _close(conv.conv2d_backprop_input(xs, w, dy, (1, 1), (1, 1), padding, relu_out=relu_out),
           want_dx * (relu_out > 0))
    want_dw = ref.conv2d_backprop_filter(x64, ws, dy64, (1, 1), padding)
    _close(conv.conv2d_backprop_filter(x, ws, dy, (1, 1), (1, 1), padding), want_dw)
    dw, db = conv.conv2d_backprop_filter(x, ws, dy, (1, 1), (1, 1), padding, with_bias=True)
    _close(dw, want_dw)
    _close(db, dy64.sum(axis=(0, 1, 2)))


def test_relu_gate_keeps_nan_as_relu_grad_does(no_im2col):
    """ReluGrad multiplies by the 0/1 gate, so a NaN gradient stays NaN where the gate is 0."""
    xs, ws, padding = CASES[0]
    x, w, _, dy = _setup(xs, ws, padding)
    dy[0, 3, 4, 5] = np.nan
    relu_out = np.zeros(xs, np.float32)
    dx = conv.conv2d_backprop_input(xs, w, dy, (1, 1), (1, 1), padding, relu_out=relu_out)
    assert np.isnan(dx[0, 1:6, 2:7]).any() and not np.isnan(dx[1:]).any()
    assert not np.any(dx[1:])


def test_split_chunks_add_up_in_order(monkeypatch):
    """The filter gradient's chunk sums are added in chunk order whichever thread ran each: the
    same bits at every run."""
    monkeypatch.setattr(threads, "THREADS", 2)
    monkeypatch.setattr(im2col, "THREAD_CHUNK_BYTES", 1)
    x, w, _, dy = _setup((8, 10, 10, 16), (3, 3, 16, 16), "SAME")
    runs = [conv.conv2d_backprop_filter(x, w.shape, dy, (1, 1), (1, 1), "SAME") for _ in range(3)]
    for other in runs[1:]:
        np.testing.assert_array_equal(other, runs[0])


@pytest.mark.parametrize("dtype, kshape, strides, dilations, pads, channels, want", [
    (np.float32, (5, 5), (1, 1), (1, 1), (2, 2), (32, 64), True),
    (np.float32, (3, 3), (1, 1), (1, 1), (0, 0), (32, 64), True),
    (np.float64, (5, 5), (1, 1), (1, 1), (2, 2), (32, 64), False),   # float64 stays exact
    (np.float32, (5, 5), (2, 2), (1, 1), (2, 2), (32, 64), False),
    (np.float32, (3, 3), (1, 1), (2, 2), (2, 2), (32, 64), False),
    (np.float32, (3, 5), (1, 1), (1, 1), (1, 2), (32, 64), False),
    (np.float32, (7, 7), (1, 1), (1, 1), (3, 3), (32, 64), False),
    (np.float32, (3, 3), (1, 1), (1, 1), (3, 0), (32, 64), False),   # padding past r - 1
    (np.float32, (5, 5), (1, 1), (1, 1), (2, 2), (3, 64), False),    # a 3-channel first layer
])
def test_which_convolutions_take_winograd(dtype, kshape, strides, dilations, pads, channels, want):
    assert winograd.supports(dtype, kshape, strides, dilations, pads, channels) is want


def test_float32_gradients_through_the_ops_match_numeric(no_im2col):
    """tf.nn.conv2d in float32 with a filter that takes Winograd: the numeric gradient checker on x
    and w (the op is linear in each, so central differences are exact up to float32 rounding)."""
    rng = np.random.RandomState(3)
    xv = rng.uniform(-1, 1, (1, 5, 5, 16)).astype(np.float32)
    wv = (rng.uniform(-1, 1, (3, 3, 16, 16)) / 12).astype(np.float32)
    x = tf.placeholder(tf.float32, xv.shape)
    w = tf.placeholder(tf.float32, wv.shape)
    y = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")
    with tf.Session() as sess:
        err = tf.test.compute_gradient_error([x, w], [xv.shape, wv.shape], y, [1, 5, 5, 16],
                                             x_init_value=[xv, wv], delta=1e-2, sess=sess)
    assert err < 1e-3   # measured 9e-5 (a float64 graph, which takes im2col: 3e-14)
