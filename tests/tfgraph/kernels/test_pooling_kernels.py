"""Pooling kernels: the 2x2 stride-2 fast paths and the general loops vs slow loop references."""
import conv_reference as ref
import numpy as np
import pytest

from tfgraph.kernels import pooling as P

# (x shape, padding): 2x2 windows, stride 2
TWO_BY_TWO = [
    ((2, 6, 6, 3), "VALID"),
    ((2, 7, 5, 3), "VALID"),   # odd sizes: the last row/column is in no window (gradient 0)
    ((1, 8, 4, 5), "SAME"),    # even sizes: SAME needs no padding, fast path
    ((1, 7, 7, 2), "SAME"),    # odd SAME: the last window is cut, general path
    ((3, 2, 2, 1), "VALID"),
]


def _pads(xs, k, s, p):
    oh, ph = ref.geometry(xs[1], k[0], s[0], 1, p)
    ow, pw = ref.geometry(xs[2], k[1], s[1], 1, p)
    return (oh, ow), (ph, pw)


def _close(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs,p", TWO_BY_TWO)
def test_max_pool_2x2_matches_loop_reference(xs, p, dtype):
    rng = np.random.RandomState(1)
    x = rng.randn(*xs).astype(dtype)
    x[..., 0] = np.round(x[..., 0])          # ties inside windows: the first maximum wins
    x_copy = x.copy()
    (oh, ow), pads = _pads(xs, (2, 2), (2, 2), p)
    dy = rng.randn(xs[0], oh, ow, xs[3]).astype(dtype)
    y = P.max_pool(x, (2, 2), (2, 2), pads, (oh, ow))
    _close(y, ref.max_pool(x, (2, 2), (2, 2), p))
    dx = P.max_pool_grad(x, y, dy, (2, 2), (2, 2), pads)
    _close(dx, ref.max_pool_grad(x, dy, (2, 2), (2, 2), p))
    np.testing.assert_array_equal(x, x_copy)


@pytest.mark.parametrize("xs,p", TWO_BY_TWO)
def test_max_pool_2x2_fast_path_equals_general_kernel(xs, p, monkeypatch):
    rng = np.random.RandomState(2)
    x = np.round(rng.randn(*xs) * 2).astype(np.float32)   # many ties
    (oh, ow), pads = _pads(xs, (2, 2), (2, 2), p)
    dy = rng.randn(xs[0], oh, ow, xs[3]).astype(np.float32)
    y = P.max_pool(x, (2, 2), (2, 2), pads, (oh, ow))
    dx = P.max_pool_grad(x, y, dy, (2, 2), (2, 2), pads)
    monkeypatch.setattr(P, "_is_2x2", lambda *a: False)
    np.testing.assert_array_equal(P.max_pool(x, (2, 2), (2, 2), pads, (oh, ow)), y)
    np.testing.assert_array_equal(P.max_pool_grad(x, y, dy, (2, 2), (2, 2), pads), dx)


@pytest.mark.parametrize("xs,p", TWO_BY_TWO + [((2, 7, 6, 32), "VALID"), ((1, 4, 5, 9), "VALID")])
def test_max_pool_grad_with_relu_folded_in(xs, p, monkeypatch):
    """max_pool_grad(..., relu=True) of a Relu output = ReluGrad(MaxPoolGrad(...)), NaN kept: the
    2x2 fast path (any channel count) and the general kernel."""
    rng = np.random.RandomState(5)
    x = np.maximum(np.round(rng.randn(*xs) * 2), 0).astype(np.float32)   # 0s and ties
    (oh, ow), pads = _pads(xs, (2, 2), (2, 2), p)
    dy = rng.randn(xs[0], oh, ow, xs[3]).astype(np.float32)
    dy[0, 0, 0, 0] = np.nan
    y = P.max_pool(x, (2, 2), (2, 2), pads, (oh, ow))
    want = ref.max_pool_grad(x, dy, (2, 2), (2, 2), p) * (x > 0)
    _close(P.max_pool_grad(x, y, dy, (2, 2), (2, 2), pads, relu=True), want)
    monkeypatch.setattr(P, "_is_2x2", lambda *a: False)
    _close(P.max_pool_grad(x, y, dy, (2, 2), (2, 2), pads, relu=True), want)


def test_max_pool_2x2_gradient_ties_go_to_the_first_maximum():
    x = np.zeros((1, 2, 2, 4), np.float32)
    x[0, :, :, 1] = [[0, 1], [1, 1]]           # max at the 2nd position (and later ones)
    x[0, :, :, 2] = [[0, 0], [1, 1]]           # 3rd
    x[0, :, :, 3] = [[0, 0], [0, 1]]           # 4th
    g = np.full((1, 1, 1, 4), 5, np.float32)
    y = P.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1))
    dx = P.max_pool_grad(x, y, g, (2, 2), (2, 2), (0, 0))
    want = np.zeros_like(x)
    want[0, 0, 0, 0] = want[0, 0, 1, 1] = want[0, 1, 0, 2] = want[0, 1, 1, 3] = 5
    np.testing.assert_array_equal(dx, want)


def test_pool_kernels_accept_non_contiguous_input():
    rng = np.random.RandomState(3)
    x = rng.randn(2, 6, 6, 3).astype(np.float32)
    xt = np.ascontiguousarray(x.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
    assert not xt.flags.c_contiguous
    y = P.max_pool(xt, (2, 2), (2, 2), (0, 0), (3, 3))
    _close(y, ref.max_pool(x, (2, 2), (2, 2), "VALID"))
    dy = rng.randn(2, 3, 3, 3).astype(np.float32)
    _close(P.max_pool_grad(xt, y, dy[:, ::-1][:, ::-1], (2, 2), (2, 2), (0, 0)),
           ref.max_pool_grad(x, dy, (2, 2), (2, 2), "VALID"))
    _close(P.avg_pool(xt, (3, 3), (1, 1), (1, 1), (6, 6)), ref.avg_pool(x, (3, 3), (1, 1), "SAME"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_kernels_keep_the_dtype(dtype):
    rng = np.random.RandomState(4)
    x = rng.randn(2, 5, 5, 3).astype(dtype)
    y = P.avg_pool(x, (3, 3), (2, 2), (1, 1), (3, 3))
    _close(y, ref.avg_pool(x, (3, 3), (2, 2), "SAME"))
    dy = rng.randn(*y.shape).astype(dtype)
    _close(P.avg_pool_grad(np.array(x.shape), dy, (3, 3), (2, 2), (1, 1)),
           ref.avg_pool_grad(x.shape, dy, (3, 3), (2, 2), "SAME"))


def test_max_pool_empty_batch():
    x = np.zeros((0, 4, 4, 2), np.float32)
    y = P.max_pool(x, (2, 2), (2, 2), (0, 0), (2, 2))
    assert y.shape == (0, 2, 2, 2)
    assert P.max_pool_grad(x, y, y, (2, 2), (2, 2), (0, 0)).shape == x.shape
