"""Fast NHWC convolution kernels: direct loops for tiny filters, else im2col/col2im + BLAS GEMM.

The batch is processed in chunks of images (an im2col matrix of up to _CHUNK_BYTES each, reused per
thread); im2col/col2im run on one Numba thread, the GEMM goes through `blas.matmul` (one or all
BLAS threads, whichever is cheaper under the machine's current load). The chunks are large
on purpose: every chunk is one more multi-threaded BLAS call, and on a loaded 2-core machine small
chunks (cache-sized, 4 MB) measured 5-15x slower than two or three big ones, while on an idle
machine they save only the DRAM round trip of the matrix. Filters are HWIO, so
`w.reshape(KH*KW*C, O)` is the GEMM operand with no copy, matching the column order (kh, kw, c)
that im2col writes. A filter with K = KH*KW*C <= _DIRECT_MAX_K (a first layer on 1-channel
images) skips im2col and BLAS: its forward and filter-gradient kernels loop over the taps
directly, vectorized over the output channels. float32 stays float32 end to end. Kernels never
write into their inputs.

`geometry` holds TF's padding rule, shared with the ops' shape inference and numpy references.
"""
import threading

import numpy as np

from tfgraph.kernels import blas
from tfgraph.kernels.jit import njit

_CHUNK_BYTES = 64 << 20  # target size of one chunk's im2col matrix
# Direct kernels (no im2col, no BLAS) when K = kh*kw*c is at most this: W3's first layer (K = 9)
# measured 4.9 ms direct vs 5.7 ms im2col + GEMM on one thread, and BLAS's 2-thread GEMM with 9
# rows stalled for 100s of ms when the cores were shared; with c = 3 (K = 27) the GEMM path was
# 1.5x faster.
_DIRECT_MAX_K = 16


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


# -- Numba kernels -------------------------------------------------------------------------------
# All work on flat C-ordered arrays and index them with unsigned integers: a signed index makes
# Numba emit a negative-index wraparound check that stops LLVM vectorizing the copy loops (measured
# 4-5x slower on W6's im2col). im2col copies one contiguous run of taps * channels per (output
# pixel, kernel row) when dilation is 1. They run on one thread: they are memory-bound, and handing
# the two cores from Numba's thread pool to BLAS's and back after every prange cost more than it
# saved (W3's im2col measured 2.7 ms single-threaded vs 4.1 ms with prange on an idle 2-core
# machine).
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


@njit(inline="always")
def _triple_range(ow, sw, w, x0, step, g):
    """[ja, jb): output columns where all 3 taps x0, x0 + step, x0 + 2*step of a group of g taps
    are inside [0, w) (empty unless g == 3)."""
    if g < 3:
        return 0, 0
    ja = _tap_range(ow, sw, x0, w)[0]
    jb = _tap_range(ow, sw, x0 + 2 * step, w)[1]
    return ja, max(ja, jb)


@njit(inline="always")
def _outside(j0, j1, ja, jb, seg):
    """Segment `seg` (0: left, 1: right) of [j0, j1) outside [ja, jb)."""
    if seg == 0:
        return j0, min(j1, ja) if ja < jb else j1
    return (max(j0, jb), j1) if ja < jb else (0, 0)


@njit(inline="always")
def _row_epilogue(outf, orow, ow, o, bf, relu, zero):
    """+ bf and/or max(., 0) over one output row; one branch-free loop per case, so it vectorizes
    (tests inside the loop measured 1.1 ms on W3's conv against 0.3 ms hoisted)."""
    if bf.size > 0 and relu:
        for j in range(ow):
            t = orow + j * o
            for k in range(o):
                v = outf[np.uint64(t + k)] + bf[np.uint64(k)]
                outf[np.uint64(t + k)] = zero if v < zero else v
    elif bf.size > 0:
        for j in range(ow):
            t = orow + j * o
            for k in range(o):
                outf[np.uint64(t + k)] += bf[np.uint64(k)]
    else:
        for e in range(ow * o):
            v = outf[np.uint64(orow + e)]
            outf[np.uint64(orow + e)] = zero if v < zero else v


@njit
def _conv_direct(xf, n, h, w, c, wf, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, o, bf, relu, outf):
    """Direct convolution for a tiny K = kh*kw*c (a first layer on 1-channel images): each output
    row accumulates tap by tap, the inner loop running over the o output channels (contiguous).
    Taps go in groups of 3 along the kernel row: one pass over the output row per group where all
    three are inside x (1.5x faster than tap by tap on W3), single taps at the edges.

    Epilogue, while the row is in cache: + bf (per output channel) when bf is not empty, then
    max(., 0) when `relu` (NaN stays NaN, as np.maximum): the plan's Conv2D -> BiasAdd -> Relu."""
    zero = outf.dtype.type(0)
    for b in range(n):
        for i in range(oh):
            orow = (b * oh + i) * ow * o
            for e in range(ow * o):
                outf[np.uint64(orow + e)] = 0
            for p in range(kh):
                y = i * sh - ph + p * dh
                if y < 0 or y >= h:
                    continue
                xrow = (b * h + y) * w
                for q0 in range(0, kw, 3):
                    g = min(3, kw - q0)
                    ja, jb = _triple_range(ow, sw, w, q0 * dw - pw, dw, g)
                    for ch in range(c):
                        r, ro = ((p * kw + q0) * c + ch) * o, c * o
                        for j in range(ja, jb):
                            s = (xrow + j * sw + q0 * dw - pw) * c + ch
                            v0, v1, v2 = xf[np.uint64(s)], xf[np.uint64(s + dw * c)], xf[
                                np.uint64(s + 2 * dw * c)]
                            t = orow + j * o
                            for k in range(o):
                                outf[np.uint64(t + k)] += (
                                    (v0 * wf[np.uint64(r + k)] + v1 * wf[np.uint64(r + ro + k)])
                                    + v2 * wf[np.uint64(r + 2 * ro + k)])
                        for q in range(q0, q0 + g):
                            x0 = q * dw - pw
                            j0, j1 = _tap_range(ow, sw, x0, w)
                            rq = ((p * kw + q) * c + ch) * o
                            for seg in range(2):
                                lo, hi = _outside(j0, j1, ja, jb, seg)
                                for j in range(lo, hi):
                                    v = xf[np.uint64((xrow + j * sw + x0) * c + ch)]
                                    t = orow + j * o
                                    for k in range(o):
                                        outf[np.uint64(t + k)] += v * wf[np.uint64(rq + k)]
            if bf.size > 0 or relu:
                _row_epilogue(outf, orow, ow, o, bf, relu, zero)


@njit
def _conv_filter_direct(xf, n, h, w, c, dyf, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, o, dwf):
    """Filter gradient for a tiny K, the loops of _conv_direct; each image's sum goes into its own
    buffer first (float32 partial sums of oh*ow terms, not n*oh*ow)."""
    kk = kh * kw * c * o
    acc = np.empty(kk, dtype=dwf.dtype)
    for e in range(kk):
        dwf[np.uint64(e)] = 0
    for b in range(n):
        acc[:] = 0
        for i in range(oh):
            drow = (b * oh + i) * ow * o
            for p in range(kh):
                y = i * sh - ph + p * dh
                if y < 0 or y >= h:
                    continue
                xrow = (b * h + y) * w
                for q0 in range(0, kw, 3):
                    g = min(3, kw - q0)
                    ja, jb = _triple_range(ow, sw, w, q0 * dw - pw, dw, g)
                    for ch in range(c):
                        r, ro = ((p * kw + q0) * c + ch) * o, c * o
                        for j in range(ja, jb):
                            s = (xrow + j * sw + q0 * dw - pw) * c + ch
                            v0, v1, v2 = xf[np.uint64(s)], xf[np.uint64(s + dw * c)], xf[
                                np.uint64(s + 2 * dw * c)]
                            t = drow + j * o
                            for k in range(o):
                                d = dyf[np.uint64(t + k)]
                                acc[np.uint64(r + k)] += v0 * d
                                acc[np.uint64(r + ro + k)] += v1 * d
                                acc[np.uint64(r + 2 * ro + k)] += v2 * d
                        for q in range(q0, q0 + g):
                            x0 = q * dw - pw
                            j0, j1 = _tap_range(ow, sw, x0, w)
                            rq = ((p * kw + q) * c + ch) * o
                            for seg in range(2):
                                lo, hi = _outside(j0, j1, ja, jb, seg)
                                for j in range(lo, hi):
                                    v = xf[np.uint64((xrow + j * sw + x0) * c + ch)]
                                    t = drow + j * o
                                    for k in range(o):
                                        acc[np.uint64(rq + k)] += v * dyf[np.uint64(t + k)]
        for e in range(kk):
            dwf[np.uint64(e)] += acc[np.uint64(e)]


def _im2col_chunk(x, col, kshape, strides, dilations, pads, out_hw):
    n, h, w, c = x.shape
    _im2col(x.reshape(-1), n, h, w, c, kshape[0], kshape[1], strides[0], strides[1],
            dilations[0], dilations[1], pads[0], pads[1], out_hw[0], out_hw[1], col.reshape(-1))


def _col2im_chunk(col, dx, kshape, strides, dilations, pads, out_hw):
    n, h, w, c = dx.shape
    _col2im(col.reshape(-1), n, h, w, c, kshape[0], kshape[1], strides[0], strides[1],
            dilations[0], dilations[1], pads[0], pads[1], out_hw[0], out_hw[1], dx.reshape(-1))


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


# -- the three convolution kernels ---------------------------------------------------------------
def conv2d(x, w, strides, dilations, padding, bias=None, relu=False):
    """NHWC x (N,H,W,C) * HWIO w (KH,KW,C,O) -> (N,OH,OW,O); then + bias (O,) and max(., 0) when
    given (the execution plan's fused Conv2D -> BiasAdd -> Relu)."""
    out_hw, pads = geometry(x.shape, w.shape, strides, dilations, padding)
    return _conv_gemm(x, w, strides, dilations, pads, out_hw, bias, relu)


def _epilogue(out, bias, relu):
    if bias is not None:
        np.add(out, bias, out=out)
    if relu:
        np.maximum(out, out.dtype.type(0), out=out)
    return out


def _conv_gemm(x, w, strides, dilations, pads, out_hw, bias=None, relu=False):
    """Convolution with explicit padding before (ph, pw) and output size (the rest reads as 0)."""
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (oh, ow), (ph, pw) = out_hw, pads
    out = np.empty((n, oh, ow, o), dtype=x.dtype)
    if out.size == 0:
        return out
    wmat = w.reshape(kh * kw * c, o)
    if _is_pointwise(w.shape, tuple(strides), (ph, pw)) and (oh, ow) == (h, wd):
        blas.matmul(x.reshape(-1, c), wmat, out=out.reshape(-1, o))
        return _epilogue(out, bias, relu)
    x = np.ascontiguousarray(x)
    if kh * kw * c <= _DIRECT_MAX_K:
        bf = np.ascontiguousarray(bias, dtype=x.dtype).reshape(-1) if bias is not None else \
            np.empty(0, x.dtype)
        _conv_direct(x.reshape(-1), n, h, wd, c, np.ascontiguousarray(wmat).reshape(-1), kh, kw,
                     strides[0], strides[1], dilations[0], dilations[1], ph, pw, oh, ow, o, bf,
                     relu, out.reshape(-1))
        return out
    rows = oh * ow
    step = _chunk(n, rows, kh * kw * c, x.itemsize)
    out2 = out.reshape(n * rows, o)
    for s in range(0, n, step):
        e = min(n, s + step)
        col = _scratch((e - s) * rows, kh * kw * c, x.dtype)
        _im2col_chunk(x[s:e], col, (kh, kw), strides, dilations, (ph, pw), (oh, ow))
        blas.matmul(col, wmat, out=out2[s * rows:e * rows])
    return _epilogue(out, bias, relu)


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
        blas.matmul(x.reshape(-1, c).T, dy2, out=dw)
        return dw.reshape(kh, kw, c, o)
    x = np.ascontiguousarray(x)
    if kh * kw * c <= _DIRECT_MAX_K:
        _conv_filter_direct(x.reshape(-1), n, x.shape[1], x.shape[2], c, dy2.reshape(-1), kh, kw,
                            strides[0], strides[1], dilations[0], dilations[1], ph, pw, oh, ow, o,
                            dw.reshape(-1))
        return dw.reshape(kh, kw, c, o)
    rows = oh * ow
    step = _chunk(n, rows, kh * kw * c, x.itemsize)
    part = np.empty_like(dw)
    for s in range(0, n, step):
        e = min(n, s + step)
        col = _scratch((e - s) * rows, kh * kw * c, x.dtype)
        _im2col_chunk(x[s:e], col, (kh, kw), strides, dilations, (ph, pw), (oh, ow))
        if s == 0:
            blas.matmul(col.T, dy2[s * rows:e * rows], out=dw)
        else:
            blas.matmul(col.T, dy2[s * rows:e * rows], out=part)
            dw += part
    return dw.reshape(kh, kw, c, o)


def conv2d_backprop_input(input_sizes, w, dy, strides, dilations, padding):
    """dL/dx (N,H,W,C) from w (KH,KW,C,O) and dy (N,OH,OW,O)."""
    n, h, wd, c = (int(d) for d in input_sizes)
    kh, kw, _, o = w.shape
    (oh, ow), (ph, pw) = geometry((n, h, wd, c), w.shape, strides, dilations, padding)
    wmat_t = w.reshape(kh * kw * c, o).T
    if _is_pointwise(w.shape, tuple(strides), (ph, pw)):
        return blas.matmul(dy.reshape(-1, o), wmat_t).reshape(n, h, wd, c)
    dx = np.empty((n, h, wd, c), dtype=dy.dtype)
    if dx.size == 0:
        return dx
    dy2 = np.ascontiguousarray(dy).reshape(-1, o)
    rows = oh * ow
    step = _chunk(n, rows, kh * kw * c, dy.itemsize)
    for s in range(0, n, step):
        e = min(n, s + step)
        col = _scratch((e - s) * rows, kh * kw * c, dy.dtype)
        blas.matmul(dy2[s * rows:e * rows], wmat_t, out=col)
        _col2im_chunk(col, dx[s:e], (kh, kw), strides, dilations, (ph, pw), (oh, ow))
    return dx
