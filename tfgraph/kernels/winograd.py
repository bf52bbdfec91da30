"""Winograd convolutions F(m x m, r x r) for 3x3 and 5x5 float32 filters at stride 1.

A stride-1 convolution computes each m x m block ("tile") of outputs from an a x a block of
inputs, a = m + r - 1. Winograd's minimal filtering does that with a*a products per channel pair
instead of m*m*r*r: transform the input tile (B^T d B) and the filter (G g G^T), multiply them
elementwise, transform back (A^T . A). Summed over the input channels, the elementwise products
become a*a independent GEMMs (tiles x C) @ (C x O), one per transform position. With a = 6:
F(2x2, 5x5) needs 36 products per 4 outputs instead of 100 (2.8x fewer), F(4x4, 3x3) 36 per 16
instead of 144 (4x fewer).

The transforms come from Toom-Cook interpolation at the points 0, 1, -1, 2, -2 and infinity
(`transform_matrices`). They cost float32 accuracy: relative errors about 3e-6 of the output's
largest value against 4e-7 for im2col + GEMM, well inside the tolerance training needs (cuDNN and
oneDNN offer Winograd convolutions for the same reason). float64 keeps im2col.

The three products:
- `conv2d`: input tiles -> GEMMs with the transformed filter -> output tiles (+ bias, Relu).
- `backprop_input`: the same forward convolution of dy with the filter turned 180 degrees and its
  channels swapped (padded by r - 1 - pad), then ReluGrad of a Relu input when given.
- `backprop_filter`: dU = sum over tiles of V^T @ dM, V the input tiles and dM the adjoint output
  transform of dy (A dy A^T), then dW = G^T dU G.

The batch is split into chunks of images, handed to the cores as they come free, as in im2col.py.
"""
import functools

import numpy as np

from tfgraph.kernels.elementwise import bias_add_grad as column_sums
from tfgraph.kernels.im2col import over_chunks, scratch
from tfgraph.kernels.jit import njit

TILE = {3: 4, 5: 2}           # r -> m: both a = 6
POINTS = (0.0, 1.0, -1.0, 2.0, -2.0)
# Below this many input or output channels the GEMMs are too thin for the transforms to pay:
# W7's second layer (32 -> 64, 5x5) measured 0.87 ms a chunk of 5 images against 1.24 ms for
# im2col + GEMM; a 3-channel first layer would spend most of its time transforming.
MIN_CHANNELS = 16


def supports(x_dtype, kshape, strides, dilations, pads, channels):
    """Whether a convolution takes these kernels: float32, a square 3x3 or 5x5 filter, stride and
    dilation 1, padding before of at most r - 1, at least MIN_CHANNELS channels in and out."""
    kh, kw = kshape
    c, o = channels
    return (np.dtype(x_dtype) == np.float32 and kh == kw and kh in TILE
            and tuple(strides) == (1, 1) and tuple(dilations) == (1, 1)
            and all(0 <= p <= kh - 1 for p in pads) and min(c, o) >= MIN_CHANNELS)


@functools.lru_cache(maxsize=None)
def transform_matrices(m, r):
    """(A^T (m, a), G (a, r), B^T (a, a)) in float64, a = m + r - 1: y = A^T[(G g) * (B^T d)] is
    the correlation y_i = sum_k d_(i+k) g_k. Toom-Cook at POINTS[:a-1] and infinity: G and A^T
    evaluate the filter and the output polynomial there, B^T is the transposed inverse of the
    Vandermonde matrix; each row of B^T is scaled to a largest entry of 1, G's row by the same."""
    a = m + r - 1
    points = POINTS[:a - 1]

    def vandermonde(cols):
        v = np.zeros((a, cols))
        for j, p in enumerate(points):
            v[j] = [p ** k for k in range(cols)]
        v[-1, -1] = 1.0     # the point at infinity: the leading coefficient
        return v
    bt = np.linalg.inv(vandermonde(a)).T
    scale = np.abs(bt).max(axis=1)
    return vandermonde(m).T, vandermonde(r) * scale[:, None], bt / scale[:, None]


@functools.lru_cache(maxsize=None)
def _sparse_rows(m, r, which):
    """A transform matrix's rows as (column index, coefficient, count) arrays of their nonzeros,
    the form the tile kernels loop over (about a third of B^T's entries are 0)."""
    at, _, bt = transform_matrices(m, r)
    mat = {"AT": at, "BT": bt, "A": at.T}[which]
    rows, cols = mat.shape
    idx = np.zeros((rows, cols), np.int64)
    coef = np.zeros((rows, cols), np.float32)
    cnt = np.zeros(rows, np.int64)
    for i in range(rows):
        nz = np.nonzero(mat[i])[0]
        idx[i, :nz.size], coef[i, :nz.size], cnt[i] = nz, mat[i, nz], nz.size
    for arr in (idx, coef, cnt):
        arr.flags.writeable = False
    return idx, coef, cnt


# Flat C-ordered arrays indexed with unsigned integers, as in im2col.py (a signed index stops LLVM
# vectorizing the channel loops). Every kernel works on one chunk of images on its caller's thread.
@njit
def _input_tiles(xf, n, h, w, c, ph, pw, th, tw, m, a, idx, coef, cnt, vf):
    """vf[((t*a + i)*a + j)*c + ch] = (B^T d B)[i, j] for tile t = (b*th + ti)*tw + tj, d the
    a x a input block at (ti*m - ph, tj*m - pw) of channel ch (zero outside x). Each band of `a`
    input rows is transformed down the rows once for all its tiles, then each tile across."""
    width = (tw - 1) * m + a
    band = np.empty(a * width * c, xf.dtype)
    for b in range(n):
        for ti in range(th):
            y0 = ti * m - ph
            for i in range(a):
                for col in range(width):
                    dst = (i * width + col) * c
                    for ch in range(c):
                        band[np.uint64(dst + ch)] = 0
                    xx = col - pw
                    if xx < 0 or xx >= w:
                        continue
                    for k in range(cnt[i]):
                        y = y0 + idx[i, k]
                        if y < 0 or y >= h:
                            continue
                        co = coef[i, k]
                        src = ((b * h + y) * w + xx) * c
                        for ch in range(c):
                            band[np.uint64(dst + ch)] += co * xf[np.uint64(src + ch)]
            for tj in range(tw):
                t = (b * th + ti) * tw + tj
                for i in range(a):
                    for j in range(a):
                        dst = ((t * a + i) * a + j) * c
                        src = (i * width + tj * m + idx[j, 0]) * c
                        co = coef[j, 0]
                        for ch in range(c):
                            vf[np.uint64(dst + ch)] = co * band[np.uint64(src + ch)]
                        for k in range(1, cnt[j]):
                            src = (i * width + tj * m + idx[j, k]) * c
                            co = coef[j, k]
                            for ch in range(c):
                                vf[np.uint64(dst + ch)] += co * band[np.uint64(src + ch)]


@njit
def _output_tiles(mf, n, oh, ow, o, th, tw, m, a, idx, coef, cnt, bias, relu, gatef,
                  outf):
    """outf (flat (n, oh, ow, o)) = A^T M A of each tile, the part inside the output, + bias, then
    max(., 0) when `relu`; or, when gatef is not empty (a Relu output of outf's shape), the result
    where gate > 0 and 0 elsewhere (ReluGrad)."""
    tmp = np.empty(m * a * o, mf.dtype)
    acc = np.empty(o, mf.dtype)
    zero = mf.dtype.type(0)
    gated = gatef.size > 0
    for b in range(n):
        for ti in range(th):
            for tj in range(tw):
                t = (b * th + ti) * tw + tj
                for i in range(m):
                    for j in range(a):
                        dst = (i * a + j) * o
                        src = ((t * a + idx[i, 0]) * a + j) * o
                        co = coef[i, 0]
                        for k in range(o):
                            tmp[np.uint64(dst + k)] = co * mf[np.uint64(src + k)]
                        for kk in range(1, cnt[i]):
                            src = ((t * a + idx[i, kk]) * a + j) * o
                            co = coef[i, kk]
                            for k in range(o):
                                tmp[np.uint64(dst + k)] += co * mf[np.uint64(src + k)]
                for i in range(m):
                    y = ti * m + i
                    if y >= oh:
                        continue
                    for j in range(m):
                        xx = tj * m + j
                        if xx >= ow:
                            continue
                        for k in range(o):
                            acc[k] = bias[k]
                        for kk in range(cnt[j]):
                            src = (i * a + idx[j, kk]) * o
                            co = coef[j, kk]
                            for k in range(o):
                                acc[k] += co * tmp[np.uint64(src + k)]
                        dst = ((b * oh + y) * ow + xx) * o
                        if gated:
                            for k in range(o):
                                keep = gatef[np.uint64(dst + k)] > zero
                                outf[np.uint64(dst + k)] = acc[k] if keep else acc[k] * zero
                        else:
                            for k in range(o):
                                v = acc[k]
                                outf[np.uint64(dst + k)] = zero if relu and v < zero else v


@njit
def _output_tiles_adjoint(dyf, n, oh, ow, o, th, tw, m, a, idx, coef, cnt, dmf):
    """The adjoint of _output_tiles without epilogue: dmf[((t*a + i)*a + j)*o + k] =
    (A dY A^T)[i, j] of each tile's m x m block of dy (zero outside dy); idx/coef/cnt are A's rows
    (A^T's columns)."""
    tmp = np.empty(a * m * o, dyf.dtype)
    for b in range(n):
        for ti in range(th):
            for tj in range(tw):
                t = (b * th + ti) * tw + tj
                for i in range(a):                   # down the rows: tmp[i, jj] = sum A[i, ii] dy
                    for jj in range(m):
                        dst = (i * m + jj) * o
                        for k in range(o):
                            tmp[np.uint64(dst + k)] = 0
                        xx = tj * m + jj
                        if xx >= ow:
                            continue
                        for kk in range(cnt[i]):
                            y = ti * m + idx[i, kk]
                            if y >= oh:
                                continue
                            co = coef[i, kk]
                            src = ((b * oh + y) * ow + xx) * o
                            for k in range(o):
                                tmp[np.uint64(dst + k)] += co * dyf[np.uint64(src + k)]
                for i in range(a):                   # across: dM[i, j] = sum A[j, jj] tmp[i, jj]
                    for j in range(a):
                        dst = ((t * a + i) * a + j) * o
                        src = (i * m + idx[j, 0]) * o
                        co = coef[j, 0]
                        for k in range(o):
                            dmf[np.uint64(dst + k)] = co * tmp[np.uint64(src + k)]
                        for kk in range(1, cnt[j]):
                            src = (i * m + idx[j, kk]) * o
                            co = coef[j, kk]
                            for k in range(o):
                                dmf[np.uint64(dst + k)] += co * tmp[np.uint64(src + k)]


def _tile_buffer(name, tiles, positions, ch, dtype):
    """This thread's scratch for `tiles` tiles of a*a transform `positions` of `ch` channels, tile
    by tile (each tile's values contiguous, as the tile kernels write and read them): (the flat
    buffer, its (positions, tiles, ch) view for the GEMMs, one per position)."""
    flat = scratch(name, (tiles * positions * ch,), dtype)
    return flat, flat.reshape(tiles, positions, ch).transpose(1, 0, 2)


def _gemms(matmul, lhs, rhs, out):
    """out[e] = lhs[e] @ rhs[e] for each transform position e. On a chunk thread (`matmul` is
    np.matmul on a one-thread BLAS) one batched call; a chunk on the plan's thread calls the plan's
    matmul once per position, which keeps the BLAS threads the plan chose (a split plan must not
    wake OpenBLAS's spinning workers: threads.ThreadPolicy)."""
    if matmul is np.matmul:
        return np.matmul(lhs, rhs, out=out)
    for e in range(lhs.shape[0]):
        matmul(lhs[e], rhs[e], out=out[e])
    return out


def _geometry(r, out_hw):
    m = TILE[r]
    a = m + r - 1
    return m, a, -(-out_hw[0] // m), -(-out_hw[1] // m)


def _transformed_filter(w):
    """U (a*a, C, O) = G w G^T for each channel pair, w (r, r, C, O)."""
    r, _, c, o = w.shape
    m, a, _, _ = _geometry(r, (1, 1))
    g = transform_matrices(m, r)[1].astype(w.dtype)
    rows = (g @ w.reshape(r, -1)).reshape(a, r, c * o)          # G along the filter's rows
    return np.matmul(g, rows).reshape(a * a, c, o)              # ... then along its columns


def _input_chunk(x, s, e, r, pads, out_hw):
    """The transformed input tiles (B^T d B) of images [s, e) of x, in this thread's buffer "v":
    a (a*a, tiles, C) view, one GEMM operand per transform position."""
    _, h, w, c = x.shape
    m, a, th, tw = _geometry(r, out_hw)
    vf, v = _tile_buffer("v", (e - s) * th * tw, a * a, c, x.dtype)
    _input_tiles(x[s:e].reshape(-1), e - s, h, w, c, pads[0], pads[1], th, tw, m, a,
                 *_sparse_rows(m, r, "BT"), vf)
    return v


def _forward(x, u, r, pads, out_hw, out, bias, relu, gate):
    """out (N, OH, OW, O) = the stride-1 convolution of x (N, H, W, C) whose transformed filter is
    u, explicit padding before `pads`, then the epilogue of _output_tiles."""
    n, c, o = x.shape[0], x.shape[3], u.shape[2]
    m, a, th, tw = _geometry(r, out_hw)
    at = _sparse_rows(m, r, "AT")
    per_image = th * tw
    u = u.astype(x.dtype, copy=False)
    outf = out.reshape(-1)
    gatef = np.empty(0, x.dtype) if gate is None else gate.reshape(-1)
    out_size = out_hw[0] * out_hw[1] * o

    def chunk(s, e, matmul):
        v = _input_chunk(x, s, e, r, pads, out_hw)
        prodf, prod = _tile_buffer("m", v.shape[1], a * a, o, x.dtype)
        _gemms(matmul, v, u, prod)
        _output_tiles(prodf, e - s, out_hw[0], out_hw[1], o, th, tw, m, a, *at, bias, relu,
                      gatef[s * out_size:e * out_size] if gate is not None else gatef,
                      outf[s * out_size:e * out_size])
    over_chunks(n, per_image * a * a, c + o, x.itemsize, chunk)
    return out


# -- the three products ------------------------------------------------------------------------
def conv2d(x, w, pads, out_hw, out, bias=None, relu=False):
    """out (N, OH, OW, O) = x (N, H, W, C, C-contiguous) * w (r, r, C, O), stride 1, padding
    before `pads`; then + bias and max(., 0) when given."""
    bias = np.zeros(w.shape[3], x.dtype) if bias is None else np.asarray(bias, x.dtype).ravel()
    return _forward(x, _transformed_filter(w), w.shape[0], pads, out_hw, out, bias, relu, None)


def backprop_input(dy, w, pads, dx, relu_out=None):
    """dx (N, H, W, C) from dy (N, OH, OW, O, C-contiguous) and w (r, r, C, O): the convolution of
    dy with w turned 180 degrees, in and out channels swapped, padded by r - 1 - pads. With
    `relu_out` (dx's shape, C-contiguous), ReluGrad(dx, relu_out)."""
    r = w.shape[0]
    flipped = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
    return _forward(dy, _transformed_filter(flipped), r,
                    (r - 1 - pads[0], r - 1 - pads[1]), dx.shape[1:3], dx,
                    np.zeros(w.shape[2], dy.dtype), False, relu_out)


def backprop_filter(x, dy, r, pads, with_bias=False):
    """dL/dw (r, r, C, O) from x (N, H, W, C) and dy (N, OH, OW, O), both C-contiguous; with
    `with_bias`, (dL/dw, dL/dbias). The chunks' sums are added in chunk order (deterministic)."""
    n, c = x.shape[0], x.shape[3]
    _, oh, ow, o = dy.shape
    m, a, th, tw = _geometry(r, (oh, ow))
    adj = _sparse_rows(m, r, "A")
    per_image = th * tw

    def chunk(s, e, matmul):
        v = _input_chunk(x, s, e, r, pads, (oh, ow))
        dmf, dm = _tile_buffer("m", v.shape[1], a * a, o, x.dtype)
        _output_tiles_adjoint(dy[s:e].reshape(-1), e - s, oh, ow, o, th, tw, m, a, *adj, dmf)
        du = _gemms(matmul, v.transpose(0, 2, 1), dm, np.empty((a * a, c, o), x.dtype))
        db = None
        if with_bias:
            db = np.empty(o, dy.dtype)
            column_sums(dy[s:e].reshape(-1, o), db)
        return du, db
    parts = over_chunks(n, per_image * a * a, c + o, x.itemsize, chunk)
    du, db = parts[0]
    for part, db_part in parts[1:]:
        du += part
        if with_bias:
            db += db_part
    g = transform_matrices(m, r)[1].astype(x.dtype)
    rows = (g.T @ du.reshape(a, -1)).reshape(r, a, c * o)       # G^T along the rows
    dw = np.matmul(g.T, rows).reshape(r, r, c, o)               # ... then along the columns
    return (dw, db) if with_bias else dw
