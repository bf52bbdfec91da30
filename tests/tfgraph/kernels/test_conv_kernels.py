"""Numba/BLAS conv and pooling kernels, and the ops' numpy references, vs slow loop references."""
import conv_reference as ref
import numpy as np
import pytest

from tfgraph.kernels import conv as K
from tfgraph.kernels import im2col
from tfgraph.kernels import pooling as P
from tfgraph.kernels import threads
from tfgraph.ops import conv_ops

# (x shape, filter shape, strides, padding, dilations)
CONV_CASES = [
    ((2, 7, 7, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1)),
    ((2, 7, 7, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((1, 8, 9, 2), (2, 3, 2, 5), (2, 3), "SAME", (1, 1)),
    ((2, 9, 8, 2), (3, 2, 2, 3), (2, 1), "VALID", (1, 1)),
    ((1, 9, 9, 2), (3, 3, 2, 2), (1, 1), "SAME", (2, 2)),
    ((2, 10, 8, 1), (2, 3, 1, 3), (1, 1), "VALID", (3, 2)),
    ((3, 5, 5, 4), (1, 1, 4, 6), (1, 1), "VALID", (1, 1)),   # pointwise: plain GEMM path
    ((2, 6, 6, 4), (1, 1, 4, 3), (2, 2), "SAME", (1, 1)),
    ((1, 4, 4, 2), (4, 4, 2, 3), (1, 1), "SAME", (1, 1)),    # even kernel: asymmetric SAME pad
    ((2, 2, 3, 2), (3, 3, 2, 2), (1, 1), "VALID", (1, 1)),   # empty output
]


def _arrays(xs, ws, dtype=np.float32, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(*xs).astype(dtype), rng.randn(*ws).astype(dtype)


def _dy(x, w, s, p, d, dtype, seed=1):
    oh, ow = ref.out_hw(x.shape, w.shape[0], w.shape[1], s, d, p)
    return np.random.RandomState(seed).randn(x.shape[0], oh, ow, w.shape[3]).astype(dtype)


def _close(got, want, dtype):
    assert got.dtype == dtype and got.shape == want.shape
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs,ws,s,p,d", CONV_CASES)
def test_conv2d_kernels_match_loop_reference(xs, ws, s, p, d, dtype):
    x, w = _arrays(xs, ws, dtype)
    dy = _dy(x, w, s, p, d, dtype)
    x_copy, w_copy, dy_copy = x.copy(), w.copy(), dy.copy()
    _close(K.conv2d(x, w, s, d, p), ref.conv2d(x, w, s, p, d), dtype)
    _close(K.conv2d_backprop_input(np.array(xs), w, dy, s, d, p),
           ref.conv2d_backprop_input(xs, w, dy, s, p, d), dtype)
    _close(K.conv2d_backprop_filter(x, np.array(ws), dy, s, d, p),
           ref.conv2d_backprop_filter(x, ws, dy, s, p, d), dtype)
    # kernels never write into their inputs
    for a, b in ((x, x_copy), (w, w_copy), (dy, dy_copy)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("path", ["direct", "gemm"])
@pytest.mark.parametrize("xs,ws,s,p,d", CONV_CASES + [
    ((2, 9, 9, 1), (3, 3, 1, 5), (3, 3), "SAME", (1, 1)),    # stride larger than the padding
    ((1, 6, 7, 1), (3, 3, 1, 4), (2, 2), "SAME", (3, 2)),    # dilated taps falling off both ends
    ((1, 2, 2, 1), (3, 3, 1, 2), (1, 1), "SAME", (2, 2)),    # every output sees one tap only
    ((2, 7, 8, 1), (2, 5, 1, 3), (1, 2), "SAME", (1, 1)),    # taps in a group of 3 and one of 2
    ((2, 7, 7, 1), (4, 4, 1, 3), (1, 1), "SAME", (1, 1)),
])
def test_direct_and_gemm_paths_match_loop_reference(xs, ws, s, p, d, path, monkeypatch):
    """Each case through both the direct (tiny K) kernels and im2col/col2im + GEMM."""
    monkeypatch.setattr(K, "DIRECT_MAX_K", 10 ** 6 if path == "direct" else 0)
    x, w = _arrays(xs, ws, np.float32)
    dy = _dy(x, w, s, p, d, np.float32)
    _close(K.conv2d(x, w, s, d, p), ref.conv2d(x, w, s, p, d), np.float32)
    _close(K.conv2d_backprop_filter(x, np.array(ws), dy, s, d, p),
           ref.conv2d_backprop_filter(x, ws, dy, s, p, d), np.float32)
    _close(K.conv2d_backprop_input(np.array(xs), w, dy, s, d, p),
           ref.conv2d_backprop_input(xs, w, dy, s, p, d), np.float32)


@pytest.mark.parametrize("xs,ws,p", [((40, 14, 13, 1), (5, 5, 1, 32), "SAME"),
                                      ((35, 9, 9, 2), (3, 3, 2, 70), "VALID")])
def test_direct_kernels_split_the_images_over_two_threads(xs, ws, p, monkeypatch):
    """W7's first layer (K = 25) runs direct, one block of images per thread; the filter
    gradient's block sums are added in block order."""
    monkeypatch.setattr(threads, "THREADS", 2)
    blocks = []
    by_rows = threads.by_rows
    monkeypatch.setattr(threads, "by_rows", lambda n, fn, **kw: blocks.append(
        threads.blocks_for(n, kw.get("min_rows", 1))) or by_rows(n, fn, **kw))
    monkeypatch.setattr(K.im2col, "conv2d", None)            # no im2col path taken
    monkeypatch.setattr(K.im2col, "backprop_filter", None)
    x, w = _arrays(xs, ws, np.float32)
    dy = _dy(x, w, (1, 1), p, (1, 1), np.float32)
    _close(K.conv2d(x, w, (1, 1), (1, 1), p), ref.conv2d(x, w, (1, 1), p, (1, 1)), np.float32)
    dw, db = K.conv2d_backprop_filter(x, np.array(ws), dy, (1, 1), (1, 1), p, with_bias=True)
    _close(dw, ref.conv2d_backprop_filter(x, ws, dy, (1, 1), p, (1, 1)), np.float32)
    _close(db, dy.sum(axis=(0, 1, 2)), np.float32)
    assert blocks == [2, 2]


def test_first_layer_on_one_channel_images_takes_the_direct_kernels(monkeypatch):
    """W3/W6's Conv2D(32, 3x3) on (N, 28, 28, 1): no im2col (and no BLAS call) at all."""
    def fail(*args):
        raise AssertionError("im2col called")
    monkeypatch.setattr(im2col, "_im2col_chunk", fail)
    x, w = _arrays((3, 28, 28, 1), (3, 3, 1, 32))
    dy = _dy(x, w, (1, 1), "VALID", (1, 1), np.float32)
    _close(K.conv2d(x, w, (1, 1), (1, 1), "VALID"), ref.conv2d(x, w), np.float32)
    _close(K.conv2d_backprop_filter(x, np.array(w.shape), dy, (1, 1), (1, 1), "VALID"),
           ref.conv2d_backprop_filter(x, w.shape, dy), np.float32)


@pytest.mark.parametrize("xs,ws,s,p,d", CONV_CASES)
def test_numpy_references_match_loop_reference(xs, ws, s, p, d):
    x, w = _arrays(xs, ws, np.float64)
    dy = _dy(x, w, s, p, d, np.float64)
    S, D = (1,) + s + (1,), (1,) + d + (1,)
    _close(conv_ops.conv2d_reference(x, w, S, p, D), ref.conv2d(x, w, s, p, d), np.float64)
    _close(conv_ops.conv2d_backprop_input_reference(xs, w, dy, S, p, D),
           ref.conv2d_backprop_input(xs, w, dy, s, p, d), np.float64)
    _close(conv_ops.conv2d_backprop_filter_reference(x, ws, dy, S, p, D),
           ref.conv2d_backprop_filter(x, ws, dy, s, p, d), np.float64)


def test_conv2d_kernels_chunk_the_batch(monkeypatch):
    """Tiny chunks: the batch is split into several im2col/GEMM rounds with the same result
    (tests/tfgraph/kernels/test_im2col.py covers the blocks on threads)."""
    monkeypatch.setattr(im2col, "SHARED_CHUNK_BYTES", 1)
    monkeypatch.setattr(im2col, "THREAD_CHUNK_BYTES", 1 << 40)   # one block
    x, w = _arrays((5, 6, 6, 3), (3, 3, 3, 4))
    dy = _dy(x, w, (1, 1), "SAME", (1, 1), np.float32)
    _close(K.conv2d(x, w, (1, 1), (1, 1), "SAME"), ref.conv2d(x, w, (1, 1), "SAME"), np.float32)
    _close(K.conv2d_backprop_input(np.array(x.shape), w, dy, (1, 1), (1, 1), "SAME"),
           ref.conv2d_backprop_input(x.shape, w, dy, (1, 1), "SAME"), np.float32)
    _close(K.conv2d_backprop_filter(x, np.array(w.shape), dy, (1, 1), (1, 1), "SAME"),
           ref.conv2d_backprop_filter(x, w.shape, dy, (1, 1), "SAME"), np.float32)


def test_conv2d_kernel_accepts_non_contiguous_input():
    x, w = _arrays((2, 6, 6, 3), (3, 3, 3, 2))
    xt = np.ascontiguousarray(x.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
    assert not xt.flags.c_contiguous
    _close(K.conv2d(xt, w, (1, 1), (1, 1), "VALID"), ref.conv2d(x, w), np.float32)


# (x shape, ksize, strides, padding)
POOL_CASES = [
    ((2, 6, 6, 3), (2, 2), (2, 2), "VALID"),
    ((2, 7, 7, 3), (2, 2), (2, 2), "SAME"),
    ((1, 7, 5, 2), (3, 3), (2, 2), "SAME"),
    ((2, 8, 6, 2), (3, 2), (1, 2), "VALID"),
    ((1, 5, 5, 1), (3, 3), (1, 1), "SAME"),
    ((1, 4, 9, 2), (1, 4), (1, 3), "SAME"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs,k,s,p", POOL_CASES)
def test_pool_kernels_match_loop_reference(xs, k, s, p, dtype):
    rng = np.random.RandomState(0)
    x = rng.randn(*xs).astype(dtype)
    x_copy = x.copy()
    oh, ow = ref.out_hw(xs, k[0], k[1], s, (1, 1), p)
    (_, ph), (_, pw) = ref.geometry(xs[1], k[0], s[0], 1, p), ref.geometry(xs[2], k[1], s[1], 1, p)
    dy = rng.randn(xs[0], oh, ow, xs[3]).astype(dtype)
    _close(P.max_pool(x, k, s, (ph, pw), (oh, ow)), ref.max_pool(x, k, s, p), dtype)
    _close(P.avg_pool(x, k, s, (ph, pw), (oh, ow)), ref.avg_pool(x, k, s, p), dtype)
    y = P.max_pool(x, k, s, (ph, pw), (oh, ow))
    _close(P.max_pool_grad(x, y, dy, k, s, (ph, pw)), ref.max_pool_grad(x, dy, k, s, p), dtype)
    _close(P.avg_pool_grad(np.array(xs), dy, k, s, (ph, pw)),
           ref.avg_pool_grad(xs, dy, k, s, p), dtype)
    np.testing.assert_array_equal(x, x_copy)


def test_max_pool_grad_ties_go_to_the_first_maximum():
    x = np.ones((1, 4, 4, 1), np.float32)
    dy = np.arange(1, 5, dtype=np.float32).reshape(1, 2, 2, 1)
    dx = P.max_pool_grad(x, np.ones((1, 2, 2, 1), np.float32), dy, (2, 2), (2, 2), (0, 0))
    want = np.zeros((1, 4, 4, 1), np.float32)
    want[0, ::2, ::2, 0] = dy[0, :, :, 0]
    np.testing.assert_array_equal(dx, want)
    np.testing.assert_array_equal(dx, ref.max_pool_grad(x, dy, (2, 2), (2, 2), "VALID"))


def test_max_pool_grad_grad_picks_gradient_at_argmax():
    rng = np.random.RandomState(3)
    x = rng.randn(2, 5, 5, 3).astype(np.float32)
    gg = rng.randn(*x.shape).astype(np.float32)
    k, s, p = (3, 3), (2, 2), "SAME"
    oh, ow = ref.out_hw(x.shape, 3, 3, s, (1, 1), p)
    y = P.max_pool(x, k, s, (1, 1), (oh, ow))
    got = P.max_pool_grad_grad(x, y, gg, k, s, (1, 1))
    # <max_pool_grad(x, dy), gg> == <dy, max_pool_grad_grad(x, gg)> for every dy (adjoint pair)
    dy = rng.randn(2, oh, ow, 3).astype(np.float32)
    lhs = np.sum(ref.max_pool_grad(x, dy, k, s, p) * gg)
    np.testing.assert_allclose(lhs, np.sum(dy * got), rtol=1e-5)


@pytest.mark.parametrize("xs,ws,s,p,d", [
    ((2, 9, 8, 1), (3, 3, 1, 32), (1, 1), "VALID", (1, 1)),   # W3's layer: one group of 9 taps
    ((2, 7, 6, 3), (2, 2, 3, 5), (2, 1), "SAME", (1, 1)),     # K = 12: a group of 9 and one of 3
    ((1, 6, 7, 1), (2, 2, 1, 70), (1, 1), "VALID", (1, 1)),   # 70 channels: blocks of 32, 32, 6
    ((1, 5, 5, 1), (3, 3, 1, 3), (2, 2), "SAME", (2, 1)),
])
def test_direct_kernels_fold_bias_and_relu_and_give_the_bias_gradient(xs, ws, s, p, d,
                                                                     monkeypatch):
    """conv2d(..., bias, relu) = max(conv + bias, 0), NaN kept; the filter-gradient kernel's
    bias gradient is BiasAddGrad (dy summed over all but the channels)."""
    x, w = _arrays(xs, ws, np.float32)
    x[0, 1, 1, 0] = np.nan
    bias = np.random.RandomState(2).randn(ws[3]).astype(np.float32)
    want = np.maximum(ref.conv2d(x, w, s, p, d) + bias, np.float32(0))
    _close(K.conv2d(x, w, s, d, p, bias, relu=True), want, np.float32)
    _close(K.conv2d(x, w, s, d, p, bias), ref.conv2d(x, w, s, p, d) + bias, np.float32)
    x[0, 1, 1, 0] = 0
    dy = _dy(x, w, s, p, d, np.float32)
    for direct_max_k in (16, 0):   # the direct kernel's bias gradient, and im2col's per chunk
        monkeypatch.setattr(K, "DIRECT_MAX_K", direct_max_k)
        dw, db = K.conv2d_backprop_filter(x, np.array(ws), dy, s, d, p, with_bias=True)
        _close(dw, ref.conv2d_backprop_filter(x, ws, dy, s, p, d), np.float32)
        _close(db, dy.sum(axis=(0, 1, 2)), np.float32)


@pytest.mark.parametrize("xs,ws,s,p,d", [
    ((2, 12, 11, 1), (3, 3, 1, 32), (1, 1), "VALID", (1, 1)),   # W3's block; odd conv width 9
    ((3, 9, 8, 1), (3, 3, 1, 5), (1, 1), "SAME", (1, 1)),
    ((2, 11, 10, 3), (1, 3, 3, 4), (2, 1), "VALID", (1, 2)),
    ((2, 9, 9, 4), (2, 2, 4, 6), (1, 1), "VALID", (1, 1)),      # K = 16: conv2d + max_pool path
    ((1, 6, 6, 1), (3, 3, 1, 70), (1, 1), "SAME", (1, 1)),      # 70 channels: same
])
def test_conv2d_relu_max_pool_and_its_gradient(xs, ws, s, p, d, monkeypatch):
    """The fused block equals max_pool(relu(conv + b)) (and gives conv2d's Relu output and
    max_pool's result bit for bit); its gradient equals MaxPoolGrad, ReluGrad,
    Conv2DBackpropFilter and BiasAddGrad in turn, with blocks of one image and of all, and from
    the Relu output given instead of recomputed."""
    x, w = _arrays(xs, ws, np.float32)
    b = np.random.RandomState(3).randn(ws[3]).astype(np.float32)
    a = np.maximum(ref.conv2d(x, w, s, p, d) + b, np.float32(0))
    y = K.conv2d_relu_max_pool(x, w, b, s, d, p)
    _close(y, ref.max_pool(a, (2, 2), (2, 2), "VALID"), np.float32)
    y2, a2 = K.conv2d_relu_max_pool(x, w, b, s, d, p, with_relu_out=True)
    a_kernel = K.conv2d(x, w, s, d, p, b, relu=True)   # the same bits: the gradient finds the max
    np.testing.assert_array_equal(a2, a_kernel)
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(y, P.max_pool(a_kernel, (2, 2), (2, 2), (0, 0), y.shape[1:3]))
    g = np.random.RandomState(4).randn(*y.shape).astype(np.float32)
    dy = ref.max_pool_grad(a, g, (2, 2), (2, 2), "VALID") * (a > 0)
    for block_bytes, relu_out in ((1, None), (1 << 30, None), (1, a_kernel)):
        monkeypatch.setattr(K, "_BLOCK_BYTES", block_bytes)
        dw, db = K.conv2d_relu_max_pool_grad(x, w, b, y, g, s, d, p, relu_out=relu_out)
        _close(dw, ref.conv2d_backprop_filter(x, ws, dy, s, p, d), np.float32)
        _close(db, dy.sum(axis=(0, 1, 2)), np.float32)


@pytest.mark.parametrize("relu_out", [False, True])
def test_conv_relu_pool_block_split_over_threads_matches_one_thread(monkeypatch, relu_out):
    """Images split over two threads (each its own scratch and partial weight sums) give what one
    thread gives: the forward bit for bit, the weight and bias gradients up to float32 rounding."""
    from tfgraph.kernels import threads
    x, w = _arrays((37, 12, 11, 1), (3, 3, 1, 8))
    b = np.linspace(-0.5, 0.5, 8).astype(np.float32)
    args = ((1, 1), (1, 1), "VALID")

    def run():
        y, a = K.conv2d_relu_max_pool(x, w, b, *args, with_relu_out=True)
        y2 = K.conv2d_relu_max_pool(x, w, b, *args)
        g = np.cos(np.arange(y.size, dtype=np.float32)).reshape(y.shape)
        return (y, a, y2) + K.conv2d_relu_max_pool_grad(x, w, b, y, g, *args,
                                                        relu_out=a if relu_out else None)
    monkeypatch.setattr(threads, "THREADS", 1)
    one = run()
    monkeypatch.setattr(threads, "THREADS", 2)
    monkeypatch.setattr(K, "MIN_IMAGES_PER_THREAD", 1)
    calls = []
    by_rows = threads.by_rows
    monkeypatch.setattr(threads, "by_rows", lambda n, fn, **kw: calls.append(
        threads.blocks_for(n, kw.get("min_rows", 1))) or by_rows(n, fn, **kw))
    two = run()
    assert calls and all(c == 2 for c in calls)
    for got, want in zip(two[:3], one[:3]):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(two[3:], one[3:]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("ws", [(1, 1, 3, 4), (3, 3, 3, 4)])   # pointwise GEMM and im2col paths
def test_input_gradient_with_the_relu_output_is_relu_grad_of_it(ws):
    x, w = _arrays((2, 6, 5, 3), ws, np.float32)
    s, p, d = (1, 1), "SAME", (1, 1)
    dy = _dy(x, w, s, p, d, np.float32)
    relu_out = np.maximum(x, 0)
    got = K.conv2d_backprop_input(x.shape, w, dy, s, d, p, relu_out=relu_out)
    _close(got, ref.conv2d_backprop_input(x.shape, w, dy, s, p, d) * (relu_out > 0), np.float32)
    with pytest.raises(ValueError, match=r"Relu output \[2, 6, 5, 2\]"):
        K.conv2d_backprop_input(x.shape, w, dy, s, d, p, relu_out=relu_out[..., :2])
