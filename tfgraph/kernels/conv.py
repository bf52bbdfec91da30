"""Fast NHWC convolution kernels: Numba im2col/col2im around BLAS GEMM (numpy matmul).

The batch is processed in chunks of images (an im2col matrix of up to _CHUNK_BYTES each, reused per
thread); im2col/col2im run in parallel over the images of a chunk, the GEMM uses BLAS's threads. The
chunks are large on purpose: every chunk hands the cores from Numba's thread pool to BLAS's and back,
and on a loaded 2-core machine small chunks (cache-sized, 4 MB) measured 5-15x slower than two or three
big ones, while on an idle machine they save only the DRAM round trip of the matrix. Filters are HWIO, so `w.reshape(KH*KW*C, O)`
is the GEMM operand with no copy, matching the column order (kh, kw, c) that im2col writes.
float32 stays float32 end to end. Kernels never write into their inputs.

`geometry` holds TF's padding rule, shared with the ops' shape inference and numpy references.
"""
import threading

import numpy as np

from tfgraph.kernels.jit import njit, prange

_CHUNK_BYTES = 64 << 20  # target size of one chunk's im2col matrix


def out_size(in_size, k, stride, dilation, padding):
    """(output size, padding before) of one spatial dim under TF's 'SAME'/'VALID' rule."""
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        if in_size is None:
            return None, 0
        q = in_size - eff + stride
        return (q // stride if q >= 0 else -(-q // stride)), 0   # C++ division: negative = error
    if in_size is None:
        return None, None
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff - in_size, 0)
    return out, total // 2


def geometry(x_shape, k_shape, strides, dilations, padding):
    """((oh, ow), (ph, pw)) for input (N, H, W, C) and filter (KH, KW, ...) shapes."""
    oh, ph = out_size(x_shape[1], k_shape[0], strides[0], dilations[0], padding)
    ow, pw = out_size(x_shape[2], k_shape[1], strides[1], dilations[1], padding)
    return (oh, ow), (ph, pw)


# -- Numba im2col / col2im ----------------------------------------------------------------------------
@njit(parallel=True)
def _im2col(x, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, col):
    n, h, w, c = x.shape
    for b in prange(n):
        for i in range(oh):
            for j in range(ow):
                r = (b * oh + i) * ow + j
                for p in range(kh):
                    y = i * sh - ph + p * dh
                    for q in range(kw):
                        xx = j * sw - pw + q * dw
                        base = (p * kw + q) * c
                        if 0 <= y < h and 0 <= xx < w:
                            for ch in range(c):
                                col[r, base + ch] = x[b, y, xx, ch]
                        else:
                            for ch in range(c):
                                col[r, base + ch] = 0


@njit(parallel=True)
def _col2im(col, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, dx):
    n, h, w, c = dx.shape
    for b in prange(n):
        dx[b] = 0
        for i in range(oh):
            for j in range(ow):
                r = (b * oh + i) * ow + j
                for p in range(kh):
                    y = i * sh - ph + p * dh
                    if y < 0 or y >= h:
                        continue
                    for q in range(kw):
                        xx = j * sw - pw + q * dw
                        if xx < 0 or xx >= w:
                            continue
                        base = (p * kw + q) * c
                        for ch in range(c):
                            dx[b, y, xx, ch] += col[r, base + ch]


# -- per-thread scratch buffers (Session.run may run concurrently) ---------------------------------
_local = threading.local()


def _scratch(rows, cols, dtype):
    key = np.dtype(dtype).char
    bufs = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = {}
    buf = bufs.get(key)
    if buf is None or buf.size < rows * cols:
        buf = bufs[key] = np.empty(rows * cols, dtype=dtype)
    return buf[:rows * cols].reshape(rows, cols)


def _chunk(n, rows_per_image, cols, itemsize):
    per = max(rows_per_image * cols * itemsize, 1)
    return int(max(1, min(n, _CHUNK_BYTES // per)))


def _is_pointwise(kshape, strides, pads):
    return kshape[0] == 1 and kshape[1] == 1 and strides == (1, 1) and pads == (0, 0)


# -- the three convolution kernels --------------------------------------------------------------------
def conv2d(x, w, strides, dilations, padding):
    """NHWC x (N,H,W,C) * HWIO w (KH,KW,C,O) -> (N,OH,OW,O)."""
    out_hw, pads = geometry(x.shape, w.shape, strides, dilations, padding)
    return _conv_gemm(x, w, strides, dilations, pads, out_hw)


def _conv_gemm(x, w, strides, dilations, pads, out_hw):
    """Convolution with explicit padding before (ph, pw) and output size; the rest reads as zeros."""
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (oh, ow), (ph, pw) = out_hw, pads
    out = np.empty((n, oh, ow, o), dtype=x.dtype)
    if out.size == 0:
        return out
    wmat = w.reshape(kh * kw * c, o)
    if _is_pointwise(w.shape, tuple(strides), (ph, pw)) and (oh, ow) == (h, wd):
        np.matmul(x.reshape(-1, c), wmat, out=out.reshape(-1, o))
        return out
    x = np.ascontiguousarray(x)
    rows = oh * ow
    step = _chunk(n, rows, kh * kw * c, x.itemsize)
    out2 = out.reshape(n * rows, o)
    for s in range(0, n, step):
        e = min(n, s + step)
        col = _scratch((e - s) * rows, kh * kw * c, x.dtype)
        _im2col(x[s:e], kh, kw, strides[0], strides[1], dilations[0], dilations[1], ph, pw,
                oh, ow, col)
        np.matmul(col, wmat, out=out2[s * rows:e * rows])
    return out


def conv2d_backprop_filter(x, filter_sizes, dy, strides, dilations, padding):
    """dL/dw (KH,KW,C,O) from x (N,H,W,C) and dy (N,OH,OW,O)."""
    kh, kw, c, o = (int(d) for d in filter_sizes)
    n = x.shape[0]
    (oh, ow), (ph, pw) = geometry(x.shape, (kh, kw), strides, dilations, padding)
    dw = np.zeros((kh * kw * c, o), dtype=dy.dtype)
    if n == 0 or oh * ow == 0:
        return dw.reshape(kh, kw, c, o)
    dy2 = np.ascontiguousarray(dy).reshape(-1, o)
    if _is_pointwise((kh, kw), tuple(strides), (ph, pw)):
        np.matmul(x.reshape(-1, c).T, dy2, out=dw)
        return dw.reshape(kh, kw, c, o)
    x = np.ascontiguousarray(x)
    rows = oh * ow
    step = _chunk(n, rows, kh * kw * c, x.itemsize)
    part = np.empty_like(dw)
    for s in range(0, n, step):
        e = min(n, s + step)
        col = _scratch((e - s) * rows, kh * kw * c, x.dtype)
        _im2col(x[s:e], kh, kw, strides[0], strides[1], dilations[0], dilations[1], ph, pw,
                oh, ow, col)
        if s == 0:
            np.matmul(col.T, dy2[s * rows:e * rows], out=dw)
        else:
            np.matmul(col.T, dy2[s * rows:e * rows], out=part)
            dw += part
    return dw.reshape(kh, kw, c, o)


def conv2d_backprop_input(input_sizes, w, dy, strides, dilations, padding):
    """dL/dx (N,H,W,C) from w (KH,KW,C,O) and dy (N,OH,OW,O)."""
    n, h, wd, c = (int(d) for d in input_sizes)
    kh, kw, _, o = w.shape
    (oh, ow), (ph, pw) = geometry((n, h, wd, c), w.shape, strides, dilations, padding)
    wmat_t = w.reshape(kh * kw * c, o).T
    if _is_pointwise(w.shape, tuple(strides), (ph, pw)):
        return np.matmul(dy.reshape(-1, o), wmat_t).reshape(n, h, wd, c)
    dx = np.empty((n, h, wd, c), dtype=dy.dtype)
    if dx.size == 0:
        return dx
    dy2 = np.ascontiguousarray(dy).reshape(-1, o)
    rows = oh * ow
    step = _chunk(n, rows, kh * kw * c, dy.itemsize)
    for s in range(0, n, step):
        e = min(n, s + step)
        col = _scratch((e - s) * rows, kh * kw * c, dy.dtype)
        np.matmul(dy2[s * rows:e * rows], wmat_t, out=col)
        _col2im(col, kh, kw, strides[0], strides[1], dilations[0], dilations[1], ph, pw,
                oh, ow, dx[s:e])
    return dx
