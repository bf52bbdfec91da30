"""tfgraph/kernels/im2col.py: im2col / col2im + GEMM convolutions, the batch split over threads."""
import conv_reference as ref
import numpy as np
import pytest

from tfgraph.kernels import conv, im2col, threads

CASES = [  # (x shape, filter shape, strides, padding, dilations)
    ((6, 7, 7, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((5, 9, 8, 2), (3, 2, 2, 3), (2, 1), "VALID", (1, 1)),
    ((7, 9, 9, 2), (3, 3, 2, 2), (1, 1), "SAME", (2, 2)),
    ((4, 8, 9, 2), (2, 3, 2, 5), (2, 3), "SAME", (1, 1)),
]


@pytest.fixture(params=["one block", "chunks on threads"])
def split(request, monkeypatch):
    """Both paths: one block (multi-threaded BLAS, big chunks) and chunks of one image each (tiny
    chunk budget) handed to two threads, so every edge between chunks is crossed."""
    if request.param == "chunks on threads":
        monkeypatch.setattr(threads, "THREADS", 2)
        monkeypatch.setattr(im2col, "THREAD_CHUNK_BYTES", 1)
    return request.param


def _setup(xs, ws, strides, padding, dilations, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    out_hw, pads = conv.geometry(xs, ws, strides, dilations, padding)
    dy = rng.standard_normal((xs[0], out_hw[0], out_hw[1], ws[3])).astype(dtype)
    return x, w, dy, out_hw, pads


@pytest.mark.parametrize("xs, ws, strides, padding, dilations", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_products_match_the_loop_references(split, xs, ws, strides, padding, dilations, dtype):
    x, w, dy, out_hw, pads = _setup(xs, ws, strides, padding, dilations, dtype)
    kh, kw, c, o = ws
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    out = np.empty((xs[0],) + tuple(out_hw) + (o,), dtype)
    im2col.conv2d(x, w.reshape(-1, o), (kh, kw), strides, dilations, pads, out_hw,
                  out.reshape(-1, o))
    np.testing.assert_allclose(out, ref.conv2d(x, w, strides, padding, dilations), **tol)
    dw = im2col.backprop_filter(x, (kh, kw), dy.reshape(-1, o), strides, dilations, pads, out_hw)
    assert dw.dtype == dtype
    np.testing.assert_allclose(dw.reshape(ws),
                               ref.conv2d_backprop_filter(x, ws, dy, strides, padding, dilations),
                               **tol)
    dw_b, db = im2col.backprop_filter(x, (kh, kw), dy.reshape(-1, o), strides, dilations, pads,
                                      out_hw, with_bias=True)
    np.testing.assert_array_equal(dw_b, dw)
    assert db.dtype == dtype
    np.testing.assert_allclose(db, dy.astype(np.float64).sum(axis=(0, 1, 2)), **tol)
    dx = np.empty(xs, dtype)
    im2col.backprop_input(dy.reshape(-1, o), w.reshape(-1, o).T, (kh, kw), strides, dilations,
                          pads, out_hw, dx)
    np.testing.assert_allclose(dx, ref.conv2d_backprop_input(xs, w, dy, strides, padding,
                                                             dilations), **tol)


@pytest.mark.parametrize("relu", [False, True])
def test_bias_and_relu_are_applied_chunk_by_chunk(split, relu):
    xs, ws, strides, padding, dilations = CASES[0]
    x, w, _, out_hw, pads = _setup(xs, ws, strides, padding, dilations, np.float32)
    x[2, 3, 3, 0] = np.nan                       # NaN stays NaN through the Relu, as np.maximum
    bias = np.linspace(-1, 1, ws[3]).astype(np.float32)
    out = np.empty((xs[0],) + tuple(out_hw) + (ws[3],), np.float32)
    im2col.conv2d(x, w.reshape(-1, ws[3]), ws[:2], strides, dilations, pads, out_hw,
                  out.reshape(-1, ws[3]), bias, relu)
    want = ref.conv2d(x, w, strides, padding, dilations) + bias
    if relu:
        want = np.maximum(want, 0)
    assert np.isnan(out).any()
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)


def test_input_gradient_applies_the_relu_mask_chunk_by_chunk(split):
    xs, ws, strides, padding, dilations = CASES[0]
    _, w, dy, out_hw, pads = _setup(xs, ws, strides, padding, dilations, np.float32)
    relu_out = np.maximum(np.random.default_rng(3).standard_normal(xs), 0).astype(np.float32)
    dy[1, 2, 2, :] = np.nan                       # NaN * 0 stays NaN, as ReluGrad's kernel
    dx = np.empty(xs, np.float32)
    im2col.backprop_input(dy.reshape(-1, ws[3]), w.reshape(-1, ws[3]).T, ws[:2], strides,
                          dilations, pads, out_hw, dx, relu_out)
    plain = ref.conv2d_backprop_input(xs, w, dy, strides, padding, dilations)
    np.testing.assert_allclose(dx, plain * (relu_out > 0), rtol=1e-4, atol=1e-4)
    assert np.isnan(dx).any() and (dx[~np.isnan(dx) & (relu_out == 0)] == 0).all()


def test_chunks_follow_the_blas_in_use(monkeypatch):
    """Chunks of 4 MB of patches handed to the threads, or one big chunk for a shared BLAS."""
    def spans(threads_count):
        monkeypatch.setattr(threads, "THREADS", threads_count)
        return im2col.over_chunks(100, 576, 288, 4, lambda s, e, matmul: (s, e))
    on_threads, shared = spans(2), spans(1)
    assert shared == [(0, 100)]
    # at most 4 MB (6 images of 663 KB): 17 chunks, made 18 for two threads, of 5 or 6 images
    assert len(on_threads) == 18 and on_threads[0] == (0, 5) and on_threads[-1] == (94, 100)
    assert all(e == s2 for (_, e), (s2, _) in zip(on_threads, on_threads[1:]))
