"""Convolutions as im2col / col2im + GEMM, for filters too big for conv.py's direct kernels.

x (N, H, W, C) becomes, a chunk of images at a time, the matrix of its patches (one row per output
pixel, columns (kh, kw, c) in the filter's HWIO order, so `w.reshape(KH*KW*C, O)` is the other GEMM
operand with no copy); the input gradient is the reverse (dy @ w^T, then col2im sums each patch
back). float32 stays float32; kernels never write into their inputs.

The batch is split over the cores in chunks of about `THREAD_CHUNK_BYTES` of patches (cache-sized,
each thread's own scratch), handed to the threads as they come free (`threads.by_chunks`), each with
a one-thread BLAS: on a shared machine, a core taken by another process for a while costs only its
share of the chunks, not the whole of one core's half. On a loaded 2-core machine W6's second
conv (128x26x26x32, 3x3x32x64) took 57-68 ms on threads (then one block of images each) against
89-96 ms for the former one-thread im2col feeding a BLAS that split each GEMM (whose chunks had to
be large, `SHARED_CHUNK_BYTES`, because every multi-threaded GEMM call meets its workers: 4 MB
chunks measured 5-15x slower there than two or three big ones). Fewer images than two chunks still
take that path.
"""
import threading

import numpy as np

from tfgraph.kernels import threads
from tfgraph.kernels.elementwise import bias_add_grad as column_sums
from tfgraph.kernels.elementwise import relu_grad
from tfgraph.kernels.jit import njit

THREAD_CHUNK_BYTES = 4 << 20    # patches per chunk when each thread has its own one-thread BLAS
SHARED_CHUNK_BYTES = 64 << 20   # ... when one chunk loop feeds a multi-threaded BLAS


# All work on flat C-ordered arrays and index them with unsigned integers: a signed index makes
# Numba emit a negative-index wraparound check that stops LLVM vectorizing the copy loops (measured
# 4-5x slower on W6's im2col). im2col copies one contiguous run of taps * channels per (output
# pixel, kernel row) when dilation is 1. Each call runs on its caller's thread: a prange handing
# the cores between Numba's thread pool and BLAS's after every chunk cost more than it saved (W3's
# im2col 2.7 ms single-threaded vs 4.1 ms with prange on an idle 2-core machine); the batch is
# split over threads one level up instead (`threads.by_rows`).
@njit(inline="always")
def _tap_range(k, d, x0, size):
    """[t0, t1) of kernel taps t whose input position x0 + t*d lies in [0, size)."""
    t0 = 0
    if x0 < 0:
        t0 = min((-x0 + d - 1) // d, k)
    t1 = k
    if x0 + (k - 1) * d >= size:
        t1 = (size - 1 - x0) // d + 1 if size - 1 - x0 >= 0 else 0
    return t0, max(t0, t1)


@njit
def _im2col(xf, n, h, w, c, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, colf):
    """colf[((b*oh + i)*ow + j)*K + (p*kw + q)*c + ch] = x[b, i*sh - ph + p*dh, j*sw - pw + q*dw,
    ch] (zero outside x), K = kh*kw*c; xf and colf are flat C-ordered views."""
    kwc = kw * c
    kk = kh * kwc
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                row = ((b * oh + i) * ow + j) * kk
                x0 = j * sw - pw
                q0, q1 = _tap_range(kw, dw, x0, w)
                for p in range(kh):
                    y = i * sh - ph + p * dh
                    d = row + p * kwc
                    if y < 0 or y >= h:
                        for e in range(kwc):
                            colf[np.uint64(d + e)] = 0
                        continue
                    for e in range(q0 * c):
                        colf[np.uint64(d + e)] = 0
                    for e in range(q1 * c, kwc):
                        colf[np.uint64(d + e)] = 0
                    src = ((b * h + y) * w + x0) * c
                    if dw == 1:
                        for e in range(q0 * c, q1 * c):
                            colf[np.uint64(d + e)] = xf[np.uint64(src + e)]
                    else:
                        for q in range(q0, q1):
                            s, t = src + q * dw * c, d + q * c
                            for e in range(c):
                                colf[np.uint64(t + e)] = xf[np.uint64(s + e)]


@njit
def _col2im(colf, n, h, w, c, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, dxf):
    """The adjoint of _im2col: dxf (flat (n, h, w, c)) = the sum of the column entries of each
    pixel."""
    kwc = kw * c
    kk = kh * kwc
    hwc = h * w * c
    for b in range(n):
        for e in range(hwc):
            dxf[np.uint64(b * hwc + e)] = 0
        for i in range(oh):
            for j in range(ow):
                row = ((b * oh + i) * ow + j) * kk
                x0 = j * sw - pw
                q0, q1 = _tap_range(kw, dw, x0, w)
                for p in range(kh):
                    y = i * sh - ph + p * dh
                    if y < 0 or y >= h:
                        continue
                    d = row + p * kwc
                    dst = ((b * h + y) * w + x0) * c
                    if dw == 1:
                        for e in range(q0 * c, q1 * c):
                            dxf[np.uint64(dst + e)] += colf[np.uint64(d + e)]
                    else:
                        for q in range(q0, q1):
                            s, t = dst + q * dw * c, d + q * c
                            for e in range(c):
                                dxf[np.uint64(s + e)] += colf[np.uint64(t + e)]


def _im2col_chunk(x, col, kshape, strides, dilations, pads, out_hw):
    n, h, w, c = x.shape
    _im2col(x.reshape(-1), n, h, w, c, kshape[0], kshape[1], strides[0], strides[1],
            dilations[0], dilations[1], pads[0], pads[1], out_hw[0], out_hw[1], col.reshape(-1))


def _col2im_chunk(col, dx, kshape, strides, dilations, pads, out_hw):
    n, h, w, c = dx.shape
    _col2im(col.reshape(-1), n, h, w, c, kshape[0], kshape[1], strides[0], strides[1],
            dilations[0], dilations[1], pads[0], pads[1], out_hw[0], out_hw[1], dx.reshape(-1))


@njit
def _bias_relu_rows(out2, bias, relu):
    """out2 (rows, o) += bias (o,), then max(., 0) when `relu` (NaN stays NaN, as np.maximum)."""
    rows, o = out2.shape
    zero = out2.dtype.type(0)
    for r in range(rows):
        for k in range(o):
            v = out2[r, k] + bias[k]
            out2[r, k] = zero if relu and v < zero else v


# -- per-thread scratch buffers (Session.run may run concurrently, and blocks run on threads) -----
_local = threading.local()


def scratch(name, shape, dtype):
    """This thread's reusable buffer `name` for `dtype`, as an array of `shape` (grown as needed;
    its contents are whatever the last user left)."""
    key = (name, np.dtype(dtype).char)
    bufs = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = {}
    size = int(np.prod(shape))
    buf = bufs.get(key)
    if buf is None or buf.size < size:
        buf = bufs[key] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(shape)


def over_chunks(n, rows_per_image, cols, itemsize, fn):
    """[fn(s, e, matmul) for chunks of images [s, e) covering 0..n], in order. With at least two
    chunks of `THREAD_CHUNK_BYTES` of patches, the chunks go to the cores as they come free
    (`threads.by_chunks`); else the plan's BLAS runs `SHARED_CHUNK_BYTES` chunks on this thread."""
    per_image = max(rows_per_image * cols * itemsize, 1)
    step = int(max(1, THREAD_CHUNK_BYTES // per_image))
    if threads.blocks_for(n, step) > 1:
        chunks = -(-n // step)
        # a multiple of the thread count (equal shares when the cores run at one speed), no
        # chunk empty
        chunks = min(n, chunks + -chunks % threads.THREADS)
        return threads.by_chunks(n, chunks, fn)
    step = int(max(1, SHARED_CHUNK_BYTES // per_image))
    matmul = threads.current_policy().matmul
    return [fn(s, min(n, s + step), matmul) for s in range(0, n, step)]


# -- the three products ------------------------------------------------------------------------
def conv2d(x, wmat, kshape, strides, dilations, pads, out_hw, out2, bias=None, relu=False):
    """out2 (N*OH*OW, O) = patches(x) @ wmat, wmat (KH*KW*C, O); x C-contiguous. Then + bias (O,)
    and max(., 0) when given (the plan's Conv2D -> BiasAdd -> Relu), chunk by chunk while the
    chunk's output is in cache: W6's second conv spent 4.2-4.6 ms in a separate pass over the
    whole output on one thread."""
    n, rows, k = x.shape[0], out_hw[0] * out_hw[1], wmat.shape[0]
    if bias is None and relu:
        bias = np.zeros(out2.shape[1], out2.dtype)

    def chunk(s, e, matmul):
        col = scratch("col", ((e - s) * rows, k), x.dtype)
        _im2col_chunk(x[s:e], col, kshape, strides, dilations, pads, out_hw)
        matmul(col, wmat, out=out2[s * rows:e * rows])
        if bias is not None:
            _bias_relu_rows(out2[s * rows:e * rows], bias, relu)
    over_chunks(n, rows, k, x.itemsize, chunk)


def backprop_filter(x, kshape, dy2, strides, dilations, pads, out_hw, with_bias=False):
    """dL/dw as (KH*KW*C, O) = patches(x)^T @ dy2, dy2 (N*OH*OW, O); x C-contiguous. The chunks'
    products are added in chunk order, whichever thread ran each (deterministic). With `with_bias`,
    (dL/dw, dL/dbias): dL/dbias (BiasAddGrad of dy) summed chunk by chunk while the chunk of dy2 is
    in cache, instead of another pass over all of dy."""
    n, rows = x.shape[0], out_hw[0] * out_hw[1]
    k = kshape[0] * kshape[1] * x.shape[3]
    o = dy2.shape[1]

    def chunk(s, e, matmul):
        col = scratch("col", ((e - s) * rows, k), x.dtype)
        _im2col_chunk(x[s:e], col, kshape, strides, dilations, pads, out_hw)
        dw = matmul(col.T, dy2[s * rows:e * rows])
        db = None
        if with_bias:
            db = np.empty(o, dy2.dtype)
            column_sums(dy2[s * rows:e * rows], db)
        return dw, db
    sums = over_chunks(n, rows, k, x.itemsize, chunk)
    dw, db = sums[0]
    for part, db_part in sums[1:]:
        dw += part
        if with_bias:
            db += db_part
    return (dw, db) if with_bias else dw


def backprop_input(dy2, wmat_t, kshape, strides, dilations, pads, out_hw, dx, relu_out=None):
    """dx (N, H, W, C) = col2im(dy2 @ wmat_t), wmat_t (O, KH*KW*C). With `relu_out` (the Relu
    output the conv's input came from, dx's shape, C-contiguous), dx is then ReluGrad(dx,
    relu_out), chunk by chunk while it is in cache: W6's first layer spent 1.7 ms in that separate
    pass."""
    n, rows, k = dx.shape[0], out_hw[0] * out_hw[1], wmat_t.shape[1]

    def chunk(s, e, matmul):
        col = scratch("col", ((e - s) * rows, k), dx.dtype)
        matmul(dy2[s * rows:e * rows], wmat_t, out=col)
        _col2im_chunk(col, dx[s:e], kshape, strides, dilations, pads, out_hw)
        if relu_out is not None:
            flat = dx[s:e].reshape(-1)
            relu_grad(flat, relu_out[s:e].reshape(-1), flat)
    over_chunks(n, rows, k, dx.itemsize, chunk)
