"""Fast NHWC convolution kernels: direct loops for tiny filters, Winograd for 3x3 and 5x5 filters at
stride 1 (float32, 16 channels or more), else im2col/col2im + BLAS GEMM.

Filters are HWIO. The im2col/col2im + GEMM path lives in im2col.py, Winograd's in winograd.py (both
split the batch over the cores, one BLAS thread each); a 1x1 convolution is one GEMM. A filter with
K = KH*KW*C <= DIRECT_MAX_K (a first layer on 1-channel images) skips im2col and BLAS: its forward
and filter-gradient kernels loop over the taps directly, vectorized over the output channels.
conv2d_relu_max_pool and its gradient run a whole Conv2D -> BiasAdd -> Relu -> MaxPool(2x2) block
with those kernels, image block by image block (for a plan that folds the block into one op).
float32 stays float32 end to end. Kernels never write into their inputs.

`geometry` holds TF's padding rule, shared with the ops' shape inference and numpy references.
"""
import functools

import numpy as np

from tfgraph.kernels import elementwise, im2col, pooling, threads, winograd
from tfgraph.kernels.jit import njit

# Direct kernels (no im2col, no BLAS) when K = kh*kw*c is at most this: W3's first layer (K = 9)
# measured 4.9 ms direct vs 5.7 ms im2col + GEMM on one thread, and BLAS's 2-thread GEMM with 9
# rows stalled for 100s of ms when the cores were shared; W7's 5x5 first layer (K = 25, 32
# channels) in its training step 2.8 against 3.8 ms forward and 2.5 against 3.5 ms for the filter
# gradient; with c = 3 (K = 27) the GEMM path was 1.5x faster.
DIRECT_MAX_K = 25
# ... and the joint conv + Relu + 2x2 max-pool kernels (one group of 9 taps)
CONV_POOL_MAX_K = 9


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


# -- direct kernels ---------------------------------------------------------------------------


# Direct kernels for a tiny K = kh*kw*c: the taps go in groups of 9 (one group for a 3x3 filter on
# 1 channel; a last, shorter group reads 0 for its missing taps), read from an input already padded
# so that no tap falls outside. Each output pixel loads its 9 input values once and the loop over
# the output channels does all 9 multiply-adds: the accumulator stays in a register and every
# output element is written once (the old tap-by-tap loops re-entered the channel loop 3 times per
# pixel and read-modified-wrote the output each time: W3's conv 3.9 -> 1.6 ms, batch 128).
# The channel count arrives as the length of a tuple, `otup`, so that it is a compile-time
# constant: LLVM unrolls the channel loop fully, with no remainder loop and one runtime alias
# check per pixel (a runtime count measured 1.9x slower with the output in cache). Wider layers go
# in blocks of 32 channels (_channel_blocks) to bound the number of compiled variants. The tap
# count arrives the same way, as len(ttup), which folds away the per-tap tests of a short last
# group (5-20% on W3's conv).
@njit(inline="always")
def _dot9(x0, x1, x2, x3, x4, x5, x6, x7, x8, wf, o, k):
    """sum_t x_t * wf[t*o + k] over one group of 9 taps, as a tree of adds."""
    return ((((x0 * wf[np.uint64(k)] + x1 * wf[np.uint64(o + k)])
              + (x2 * wf[np.uint64(2 * o + k)] + x3 * wf[np.uint64(3 * o + k)]))
             + ((x4 * wf[np.uint64(4 * o + k)] + x5 * wf[np.uint64(5 * o + k)])
                + (x6 * wf[np.uint64(6 * o + k)] + x7 * wf[np.uint64(7 * o + k)])))
            + x8 * wf[np.uint64(8 * o + k)])


# Not inline="always": Numba's IR inlining re-typed its 9 branches at each of the 7 call sites,
# and with an empty cache that cost more than compiling it once (W3's two kernels 5.6 -> 4.7 s of
# CPU); LLVM still inlines it, and an in-process A/B measured the same speed (RESULTS.md, session
# 6). A runtime channel count instead of len(otup) saved little compile time and ran 4-18% slower.
@njit
def _taps(xf, s, fo, nt, zero):
    """The (up to) 9 taps of one output pixel: xf[s + fo[t]] for t < nt, zero for the rest (a last,
    shorter group of taps)."""
    f0, f1, f2, f3, f4, f5, f6, f7, f8 = fo
    return (xf[np.uint64(s + f0)],
            xf[np.uint64(s + f1)] if nt > 1 else zero,
            xf[np.uint64(s + f2)] if nt > 2 else zero,
            xf[np.uint64(s + f3)] if nt > 3 else zero,
            xf[np.uint64(s + f4)] if nt > 4 else zero,
            xf[np.uint64(s + f5)] if nt > 5 else zero,
            xf[np.uint64(s + f6)] if nt > 6 else zero,
            xf[np.uint64(s + f7)] if nt > 7 else zero,
            xf[np.uint64(s + f8)] if nt > 8 else zero)


@njit(inline="always")
def _pool_row_pair(af, r, ow, o, q, pf):
    """pf[q + (j*o + k)] = the max of the 2x2 window j of rows af[r:] and af[r + ow*o:]."""
    for j in range(ow // 2):
        u, v = r + 2 * j * o, r + (2 * j + ow) * o
        for k in range(o):
            pf[np.uint64(q + j * o + k)] = max(
                max(af[np.uint64(u + k)], af[np.uint64(u + o + k)]),
                max(af[np.uint64(v + k)], af[np.uint64(v + o + k)]))


@njit
def _conv_direct(xf, n, hp, wp, c, offs, ttup, wf, oh, ow, sh, sw, otup, ostride, bf, relu,
                 outf, pf):
    """outf[pixel*ostride + k] for k < o = len(otup): x (flat padded (n, hp, wp, c)) times wf
    (flat (9*groups, o), zero rows past ntaps = len(ttup)); tap t of a pixel is xf[pixel's corner +
    offs[t]].

    Then + bf and, when `relu` and there is one group, max(., 0) (NaN stays NaN, as np.maximum):
    the plan's Conv2D -> BiasAdd -> Relu. With several groups the caller applies the Relu.

    When pf is an array, not None (one group, ostride == o), each pair of output rows is also
    max-pooled 2x2 into pf (flat (n, oh//2, ow//2, o)) while in cache, with
    pooling._max_pool_2x2's expression (the same bits); None compiles the pooling away (it cost
    plain convolutions ~4%)."""
    o, ntaps = len(otup), len(ttup)
    zero = outf.dtype.type(0)
    for g in range((ntaps + 8) // 9):
        nt = min(ntaps - 9 * g, 9)
        fo = _group_offsets(offs[9 * g:9 * g + 9])
        wg = wf[9 * g * o:9 * (g + 1) * o]
        mode = 2 if g > 0 else (1 if relu and ntaps <= 9 else 0)
        for b in range(n):
            for i in range(oh):
                for j in range(ow):
                    s = ((b * hp + i * sh) * wp + j * sw) * c
                    x0, x1, x2, x3, x4, x5, x6, x7, x8 = _taps(xf, s, fo, nt, zero)
                    t = ((b * oh + i) * ow + j) * ostride
                    if mode == 0:
                        for k in range(o):
                            outf[np.uint64(t + k)] = _dot9(x0, x1, x2, x3, x4, x5, x6, x7, x8,
                                                           wg, o, k) + bf[np.uint64(k)]
                    elif mode == 1:
                        for k in range(o):
                            v = _dot9(x0, x1, x2, x3, x4, x5, x6, x7, x8, wg, o, k) + bf[
                                np.uint64(k)]
                            outf[np.uint64(t + k)] = zero if v < zero else v
                    else:
                        for k in range(o):
                            outf[np.uint64(t + k)] += _dot9(x0, x1, x2, x3, x4, x5, x6, x7, x8,
                                                            wg, o, k)
                if pf is not None and i % 2 == 1 and i < oh // 2 * 2:
                    _pool_row_pair(outf, ((b * oh + i - 1) * ow) * o, ow, o,
                                   ((b * (oh // 2) + i // 2) * (ow // 2)) * o, pf)


@njit
def _filter_direct(xf, n, hp, wp, c, offs, ttup, dyf, oh, ow, sh, sw, otup, ostride, dwf):
    """The filter gradient of _conv_direct: dwf (flat (9*groups + 1, o)) = the sum over pixels of
    x_t * dy[pixel, k]; its last row is the bias gradient, the sum of dy (both from one read of
    dy). Pixels go in pairs along a row, so each accumulator is read and written once per two
    pixels (W3 1.8 -> 1.6 ms); each image's sum goes into its own buffer first (float32 partial
    sums of oh*ow terms, not n*oh*ow)."""
    o, ntaps = len(otup), len(ttup)
    groups = (ntaps + 8) // 9
    acc = np.empty(10 * o, dtype=dwf.dtype)
    zero = dwf.dtype.type(0)
    for e in range((9 * groups + 1) * o):
        dwf[np.uint64(e)] = 0
    for g in range(groups):
        nt = min(ntaps - 9 * g, 9)
        fo = _group_offsets(offs[9 * g:9 * g + 9])
        for b in range(n):
            acc[:] = 0
            for i in range(oh):
                for j in range(0, ow, 2):
                    s = ((b * hp + i * sh) * wp + j * sw) * c
                    x0, x1, x2, x3, x4, x5, x6, x7, x8 = _taps(xf, s, fo, nt, zero)
                    t = ((b * oh + i) * ow + j) * ostride
                    if j + 1 == ow:   # the last pixel of an odd row
                        for k in range(o):
                            d = dyf[np.uint64(t + k)]
                            acc[np.uint64(k)] += x0 * d
                            acc[np.uint64(o + k)] += x1 * d
                            acc[np.uint64(2 * o + k)] += x2 * d
                            acc[np.uint64(3 * o + k)] += x3 * d
                            acc[np.uint64(4 * o + k)] += x4 * d
                            acc[np.uint64(5 * o + k)] += x5 * d
                            acc[np.uint64(6 * o + k)] += x6 * d
                            acc[np.uint64(7 * o + k)] += x7 * d
                            acc[np.uint64(8 * o + k)] += x8 * d
                            acc[np.uint64(9 * o + k)] += d
                        continue
                    s += sw * c
                    y0, y1, y2, y3, y4, y5, y6, y7, y8 = _taps(xf, s, fo, nt, zero)
                    u = t + ostride
                    for k in range(o):
                        d, e = dyf[np.uint64(t + k)], dyf[np.uint64(u + k)]
                        acc[np.uint64(k)] += x0 * d + y0 * e
                        acc[np.uint64(o + k)] += x1 * d + y1 * e
                        acc[np.uint64(2 * o + k)] += x2 * d + y2 * e
                        acc[np.uint64(3 * o + k)] += x3 * d + y3 * e
                        acc[np.uint64(4 * o + k)] += x4 * d + y4 * e
                        acc[np.uint64(5 * o + k)] += x5 * d + y5 * e
                        acc[np.uint64(6 * o + k)] += x6 * d + y6 * e
                        acc[np.uint64(7 * o + k)] += x7 * d + y7 * e
                        acc[np.uint64(8 * o + k)] += x8 * d + y8 * e
                        acc[np.uint64(9 * o + k)] += d + e
            for e in range(9 * o):
                dwf[np.uint64(9 * g * o + e)] += acc[np.uint64(e)]
            if g == 0:
                for e in range(o):
                    dwf[np.uint64(9 * groups * o + e)] += acc[np.uint64(9 * o + e)]


# Conv2D -> BiasAdd -> Relu -> MaxPool(2x2, stride 2, VALID), W3/W5's first block, as one call
# each way. Forward: _conv_direct pools each pair of conv rows while they are in cache, writing
# the Relu output either into a cache-sized block scratch (inference: only the pooled output
# stays) or into the full array the gradient needs (training, with_relu_out: MaxPool need not read
# it back). Backward: _pool_filter_direct goes from the pool's gradient straight to the filter
# and bias gradients window by window, from the stored Relu output or from one recomputed block
# by block (the same kernel, so the same bits the forward pooled), instead of writing and
# re-reading dL/d(Relu output). Block sizes from 40 KB to 1 MB measured the same.
_BLOCK_BYTES = 1 << 20   # target size of one scratch block


@njit
def _pool_filter_direct(xf, n, hp, wp, c, offs, ttup, af, pf, gf, ah, aw, sh, sw, otup, dwf):
    """dwf (flat (10, o): the filter gradient, then the bias gradient) of
    pf = max_pool_2x2(af), af = relu(_conv_direct(x) + bias) (len(ttup) <= 9 taps), given gf =
    dL/dpf.

    Window by window: the gradient of a window goes to its first maximum only (as in
    pooling._max_pool_grad_2x2, ReluGrad included), so instead of forming dL/daf (3/4 zeros) and
    correlating it with x pixel by pixel, each tap's input value at the chosen pixel is picked
    from the 4 candidates and multiplied once (W3 batch 128: 2.4 ms against 3.8 ms for
    MaxPoolGrad + filter gradient kernels on L2-sized blocks). The picks are written out: the
    same selects in an inline helper ran 6x slower."""
    o = len(otup)
    ph, pw = ah // 2, aw // 2
    zero = dwf.dtype.type(0)
    one = dwf.dtype.type(1)
    nt = len(ttup)
    fo = _group_offsets(offs)
    acc = np.empty(10 * o, dtype=dwf.dtype)
    dwf[:] = 0
    for b in range(n):
        acc[:] = 0
        for i in range(ph):
            for j in range(pw):
                s0 = ((b * hp + 2 * i * sh) * wp + 2 * j * sw) * c   # the window's 4 pixels
                s1 = s0 + sw * c
                s2 = s0 + sh * wp * c
                s3 = s2 + sw * c
                a0, a1, a2, a3, a4, a5, a6, a7, a8 = _taps(xf, s0, fo, nt, zero)
                b0, b1, b2, b3, b4, b5, b6, b7, b8 = _taps(xf, s1, fo, nt, zero)
                c0, c1, c2, c3, c4, c5, c6, c7, c8 = _taps(xf, s2, fo, nt, zero)
                d0, d1, d2, d3, d4, d5, d6, d7, d8 = _taps(xf, s3, fo, nt, zero)
                q = ((b * ph + i) * pw + j) * o
                u = ((b * ah + 2 * i) * aw + 2 * j) * o
                u2 = u + aw * o
                for k in range(o):
                    x0, x1 = af[np.uint64(u + k)], af[np.uint64(u + o + k)]
                    x2, x3 = af[np.uint64(u2 + k)], af[np.uint64(u2 + o + k)]
                    m = pf[np.uint64(q + k)]
                    t0 = x0 == m
                    t1 = (x1 == m) & (not t0)
                    t2 = (x2 == m) & (not (t0 | t1))
                    xm = x0 if t0 else (x1 if t1 else (x2 if t2 else x3))
                    v = gf[np.uint64(q + k)] * (one if xm > zero else zero)
                    acc[np.uint64(k)] += (
                        a0 if t0 else (b0 if t1 else (c0 if t2 else d0))) * v
                    acc[np.uint64(o + k)] += (
                        a1 if t0 else (b1 if t1 else (c1 if t2 else d1))) * v
                    acc[np.uint64(2 * o + k)] += (
                        a2 if t0 else (b2 if t1 else (c2 if t2 else d2))) * v
                    acc[np.uint64(3 * o + k)] += (
                        a3 if t0 else (b3 if t1 else (c3 if t2 else d3))) * v
                    acc[np.uint64(4 * o + k)] += (
                        a4 if t0 else (b4 if t1 else (c4 if t2 else d4))) * v
                    acc[np.uint64(5 * o + k)] += (
                        a5 if t0 else (b5 if t1 else (c5 if t2 else d5))) * v
                    acc[np.uint64(6 * o + k)] += (
                        a6 if t0 else (b6 if t1 else (c6 if t2 else d6))) * v
                    acc[np.uint64(7 * o + k)] += (
                        a7 if t0 else (b7 if t1 else (c7 if t2 else d7))) * v
                    acc[np.uint64(8 * o + k)] += (
                        a8 if t0 else (b8 if t1 else (c8 if t2 else d8))) * v
                    acc[np.uint64(9 * o + k)] += v
        for e in range(10 * o):
            dwf[np.uint64(e)] += acc[np.uint64(e)]


@njit(inline="always")
def _group_offsets(offs):
    return (offs[0], offs[1], offs[2], offs[3], offs[4], offs[5], offs[6], offs[7], offs[8])


def _conv_pool_setup(x, w, bias, strides, dilations, padding):
    """(the direct kernels' arguments, images per block) for conv2d_relu_max_pool(_grad), or None
    when they do not apply (more than 9 taps or 64 output channels, or a conv output under 2x2)."""
    kh, kw, c, o = w.shape
    out_hw, pads = geometry(x.shape, w.shape, strides, dilations, padding)
    if kh * kw * c > CONV_POOL_MAX_K or o > 64 or min(out_hw) < 2 or x.shape[0] == 0:
        return None
    xf, hp, wp, offs = _direct_input(np.ascontiguousarray(x), (kh, kw), strides, dilations, pads,
                                     out_hw)
    wpad = np.zeros((9, o), dtype=x.dtype)
    wpad[:kh * kw * c] = w.reshape(-1, o)
    bf = np.zeros(o, x.dtype) if bias is None else np.asarray(bias, dtype=x.dtype).reshape(-1)
    blk = int(max(1, min(x.shape[0], _BLOCK_BYTES // (out_hw[0] * out_hw[1] * o * x.itemsize))))
    return (xf, hp, wp, c, offs, (0,) * (kh * kw * c), wpad.reshape(-1), out_hw, strides, (0,) * o,
            np.ascontiguousarray(bf)), blk


# The conv + pool block kernels split the batch over the cores (threads.by_rows) from this many
# images per thread: below it the handoff to the other thread costs more than half the work.
MIN_IMAGES_PER_THREAD = 16


def _conv_relu_block(args, b0, nb, af, pf=None):
    """af = relu(conv + bias) of images b0 .. b0 + nb, and pf = its 2x2 max pool when given."""
    xf, hp, wp, c, offs, ttup, wf, (ah, aw), strides, otup, bf = args
    _conv_direct(xf[b0 * hp * wp * c:], nb, hp, wp, c, offs, ttup, wf, ah, aw, strides[0],
                 strides[1], otup, len(otup), bf, True, af, pf)


def conv2d_relu_max_pool(x, w, bias, strides, dilations, padding, with_relu_out=False):
    """max_pool(relu(conv2d(x, w) + bias), 2x2, stride 2, VALID): (N, OH//2, OW//2, O), each pair
    of conv rows pooled while in cache and the conv output never stored in full (bias may be
    None). With `with_relu_out`, (that, the Relu output (N, OH, OW, O)) from the same single pass
    (MaxPool then need not read the Relu output back)."""
    setup = _conv_pool_setup(x, w, bias, strides, dilations, padding)
    if setup is None:
        a = conv2d(x, w, strides, dilations, padding, bias, relu=True)
        y = pooling.max_pool(a, (2, 2), (2, 2), (0, 0), (a.shape[1] // 2, a.shape[2] // 2))
        return (y, a) if with_relu_out else y
    args, blk = setup
    (ah, aw), o = args[7], w.shape[3]
    n, ph, pw = x.shape[0], ah // 2, aw // 2
    out = np.empty((n, ph, pw, o), dtype=x.dtype)
    outf = out.reshape(-1)
    if with_relu_out:
        a = np.empty((n, ah, aw, o), dtype=x.dtype)
        af = a.reshape(-1)

        def images(lo, hi, _):
            _conv_relu_block(args, lo, hi - lo, af[lo * ah * aw * o:], outf[lo * ph * pw * o:])
        threads.by_rows(n, images, min_rows=MIN_IMAGES_PER_THREAD)
        return out, a

    def image_blocks(lo, hi, _):
        af = np.empty(blk * ah * aw * o, dtype=x.dtype)   # this thread's block of activations
        for b0 in range(lo, hi, blk):
            _conv_relu_block(args, b0, min(blk, hi - b0), af, outf[b0 * ph * pw * o:])
    threads.by_rows(n, image_blocks, min_rows=MIN_IMAGES_PER_THREAD)
    return out


def conv2d_relu_max_pool_grad(x, w, bias, y, g, strides, dilations, padding, relu_out=None):
    """(dL/dw, dL/dbias) of y = conv2d_relu_max_pool(x, w, bias, ...) given g = dL/dy, in one
    pass (no (N, OH, OW, O) array written); dL/dbias is returned even when bias is None. The Relu
    output is recomputed unless given as `relu_out` (then it must be the one y was pooled from)."""
    kh, kw, c, o = w.shape
    setup = _conv_pool_setup(x, w, bias, strides, dilations, padding)
    if setup is None:
        a = relu_out if relu_out is not None else conv2d(x, w, strides, dilations, padding, bias,
                                                         relu=True)
        dy = pooling.max_pool_grad(a, y, g, (2, 2), (2, 2), (0, 0), relu=True)
        dw = conv2d_backprop_filter(x, (kh, kw, c, o), dy, strides, dilations, padding)
        return dw, dy.sum(axis=(0, 1, 2), dtype=dy.dtype)
    args, blk = setup
    xf, hp, wp, _, offs, ttup, _, (ah, aw), strides, otup, _ = args
    n, ph, pw = x.shape[0], ah // 2, aw // 2
    yf, gf = np.ascontiguousarray(y).reshape(-1), np.ascontiguousarray(g).reshape(-1)
    if relu_out is not None:
        blk = n   # nothing to recompute: one block
    aof = None if relu_out is None else np.ascontiguousarray(relu_out, x.dtype).reshape(-1)

    def image_blocks(lo, hi, _):   # this thread's images: its own sums, in image-block order
        af = np.empty(blk * ah * aw * o, dtype=x.dtype) if aof is None else None
        res, part = np.zeros((10, o), dtype=g.dtype), np.empty(10 * o, dtype=g.dtype)
        for b0 in range(lo, hi, blk):
            nb, p0 = min(blk, hi - b0), b0 * ph * pw * o
            if aof is None:
                _conv_relu_block(args, b0, nb, af)
            _pool_filter_direct(xf[b0 * hp * wp * c:], nb, hp, wp, c, offs, ttup,
                                af if aof is None else aof[b0 * ah * aw * o:], yf[p0:], gf[p0:],
                                ah, aw, strides[0], strides[1], otup, part)
            res += part.reshape(10, o)
        return res
    sums = threads.by_rows(n, image_blocks, min_rows=MIN_IMAGES_PER_THREAD)
    res = sums[0]
    for part in sums[1:]:
        res += part
    return res[:kh * kw * c].reshape(kh, kw, c, o), res[9]


def _direct_input(x, kshape, strides, dilations, pads, out_hw):
    """(flat x padded so that every tap of every output is inside, its (hp, wp), the tap offsets
    (kh*kw*c of them, HWIO order, then 0s up to a multiple of 9))."""
    n, h, w, c = x.shape
    kh, kw = kshape
    hp = max(h + pads[0], (out_hw[0] - 1) * strides[0] + (kh - 1) * dilations[0] + 1)
    wp = max(w + pads[1], (out_hw[1] - 1) * strides[1] + (kw - 1) * dilations[1] + 1)
    if (hp, wp) == (h, w):
        xp = np.ascontiguousarray(x)
    else:
        xp = np.zeros((n, hp, wp, c), dtype=x.dtype)
        xp[:, pads[0]:pads[0] + h, pads[1]:pads[1] + w] = x
    return xp.reshape(-1), hp, wp, _tap_offsets(kh, kw, c, dilations[0], dilations[1], wp)


@functools.lru_cache(maxsize=64)
def _tap_offsets(kh, kw, c, dh, dw, wp):
    """Read-only int64 array of the taps' offsets in a padded image row-major (HWIO order), 0s up
    to a multiple of 9; cached, as building it cost more than the kernel on one image."""
    offs = [(p * dh * wp + q * dw) * c + ch
            for p in range(kh) for q in range(kw) for ch in range(c)]
    offs = np.array(offs + [0] * (-len(offs) % 9), dtype=np.int64)
    offs.flags.writeable = False
    return offs


def _channel_blocks(o):
    """[(k0, k1)]: all o output channels at once up to 64, else blocks of 32."""
    step = o if o <= 64 else 32
    return [(k0, min(o, k0 + step)) for k0 in range(0, o, step)]


def _conv_direct_call(x, w, strides, dilations, pads, out_hw, bias, relu, out):
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (oh, ow) = out_hw
    xf, hp, wp, offs = _direct_input(x, (kh, kw), strides, dilations, pads, out_hw)
    wpad = np.zeros((offs.size, o), dtype=x.dtype)
    wpad[:kh * kw * c] = w.reshape(-1, o)
    bf = np.zeros(o, x.dtype) if bias is None else np.asarray(bias, dtype=x.dtype).reshape(-1)
    outf = out.reshape(-1)
    blocks = [(k0, k1, np.ascontiguousarray(wpad[:, k0:k1]).reshape(-1),
               np.ascontiguousarray(bf[k0:k1])) for k0, k1 in _channel_blocks(o)]

    def images(lo, hi, _):
        for k0, k1, wblk, bblk in blocks:
            _conv_direct(xf[lo * hp * wp * c:], hi - lo, hp, wp, c, offs, (0,) * (kh * kw * c),
                         wblk, oh, ow, strides[0], strides[1], (0,) * (k1 - k0), o, bblk, relu,
                         outf[lo * oh * ow * o + k0:], None)
    threads.by_rows(n, images, min_rows=MIN_IMAGES_PER_THREAD)
    if relu and offs.size > 9:
        np.maximum(out, out.dtype.type(0), out=out)
    return out


def _filter_direct_call(x, kshape, dy, strides, dilations, pads, out_hw):
    """(dw (kh*kw*c, o), db (o,)); the images split over the cores, each block's sums added in
    block order (deterministic)."""
    n, _, _, c = x.shape
    kh, kw = kshape
    o = dy.shape[-1]
    (oh, ow) = out_hw
    xf, hp, wp, offs = _direct_input(x, kshape, strides, dilations, pads, out_hw)
    dyf = np.ascontiguousarray(dy).reshape(-1)

    def images(lo, hi, _):
        res = np.empty((offs.size + 1, o), dtype=dy.dtype)
        for k0, k1 in _channel_blocks(o):
            blk = np.empty((offs.size + 1, k1 - k0), dtype=dy.dtype)
            _filter_direct(xf[lo * hp * wp * c:], hi - lo, hp, wp, c, offs, (0,) * (kh * kw * c),
                           dyf[lo * oh * ow * o + k0:], oh, ow, strides[0], strides[1],
                           (0,) * (k1 - k0), o, blk.reshape(-1))
            res[:, k0:k1] = blk
        return res
    sums = threads.by_rows(n, images, min_rows=MIN_IMAGES_PER_THREAD)
    res = sums[0]
    for part in sums[1:]:
        res += part
    return res[:kh * kw * c], res[-1]


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
        threads.matmul(x.reshape(-1, c), wmat, out=out.reshape(-1, o))
        return _epilogue(out, bias, relu)
    x = np.ascontiguousarray(x)
    if kh * kw * c <= DIRECT_MAX_K:
        return _conv_direct_call(x, w, strides, dilations, pads, out_hw, bias, relu, out)
    if winograd.supports(x.dtype, (kh, kw), strides, dilations, pads, (c, o)):
        return winograd.conv2d(x, w, pads, out_hw, out, bias, relu)
    if bias is not None:
        bias = np.ascontiguousarray(bias, dtype=x.dtype)
    im2col.conv2d(x, wmat, (kh, kw), strides, dilations, (ph, pw), (oh, ow),
                  out.reshape(n * oh * ow, o), bias, relu)
    return out


def conv2d_backprop_filter(x, filter_sizes, dy, strides, dilations, padding, with_bias=False):
    """dL/dw (KH,KW,C,O) from x (N,H,W,C) and dy (N,OH,OW,O); with `with_bias`, (dL/dw, dL/dbias),
    dL/dbias = dy summed over N, OH, OW (BiasAddGrad; the direct kernel gets it from the same read
    of dy)."""
    kh, kw, c, o = (int(d) for d in filter_sizes)
    dw = _backprop_filter(x, (kh, kw, c, o), dy, strides, dilations, padding, with_bias)
    dw, db = dw if isinstance(dw, tuple) else (dw, None)
    if not with_bias:
        return dw
    if db is None:
        db = np.empty(o, dy.dtype)
        elementwise.bias_add_grad(np.ascontiguousarray(dy).reshape(-1, o), db)
    return dw, db


def _backprop_filter(x, filter_sizes, dy, strides, dilations, padding, with_bias=False):
    """dL/dw, or (dL/dw, dL/dbias) from the direct and im2col kernels (the latter when
    `with_bias`)."""
    kh, kw, c, o = filter_sizes
    n = x.shape[0]
    (oh, ow), (ph, pw) = geometry(x.shape, (kh, kw), strides, dilations, padding)
    dw = np.zeros((kh * kw * c, o), dtype=dy.dtype)
    if n == 0 or oh * ow == 0:
        return dw.reshape(kh, kw, c, o)
    dy2 = np.ascontiguousarray(dy).reshape(-1, o)
    if _is_pointwise((kh, kw), tuple(strides), (ph, pw)):
        threads.matmul(x.reshape(-1, c).T, dy2, out=dw)
        return dw.reshape(kh, kw, c, o)
    x = np.ascontiguousarray(x)
    if kh * kw * c <= DIRECT_MAX_K:
        dw, db = _filter_direct_call(x, (kh, kw), dy, strides, dilations, (ph, pw), (oh, ow))
        return dw.reshape(kh, kw, c, o), db
    if winograd.supports(x.dtype, (kh, kw), strides, dilations, (ph, pw), (c, o)):
        return winograd.backprop_filter(x, np.ascontiguousarray(dy), kh, (ph, pw), with_bias)
    dw = im2col.backprop_filter(x, (kh, kw), dy2, strides, dilations, (ph, pw), (oh, ow),
                                with_bias)
    if with_bias:
        return dw[0].reshape(kh, kw, c, o), dw[1]
    return dw.reshape(kh, kw, c, o)


def conv2d_backprop_input(input_sizes, w, dy, strides, dilations, padding, relu_out=None):
    """dL/dx (N,H,W,C) from w (KH,KW,C,O) and dy (N,OH,OW,O). With `relu_out` (x's shape: the
    Relu output that was x), ReluGrad(dL/dx, relu_out) instead: the plan's Conv2DBackpropInput ->
    ReluGrad of a conv over a Relu."""
    n, h, wd, c = (int(d) for d in input_sizes)
    kh, kw, _, o = w.shape
    (oh, ow), (ph, pw) = geometry((n, h, wd, c), w.shape, strides, dilations, padding)
    wmat_t = w.reshape(kh * kw * c, o).T
    if relu_out is not None:
        if tuple(relu_out.shape) != (n, h, wd, c):
            raise ValueError("Incompatible shapes: the Relu output %s for an input gradient %s"
                             % (list(relu_out.shape), [n, h, wd, c]))
        relu_out = np.ascontiguousarray(relu_out, dtype=dy.dtype)
    if _is_pointwise(w.shape, tuple(strides), (ph, pw)):
        dx = threads.matmul(dy.reshape(-1, o), wmat_t).reshape(n, h, wd, c)
        if relu_out is not None:
            elementwise.relu_grad(dx.reshape(-1), relu_out.reshape(-1), dx.reshape(-1))
        return dx
    dx = np.empty((n, h, wd, c), dtype=dy.dtype)
    if dx.size == 0:
        return dx
    if winograd.supports(dy.dtype, (kh, kw), strides, dilations, (ph, pw), (c, o)):
        return winograd.backprop_input(np.ascontiguousarray(dy), w, (ph, pw), dx, relu_out)
    im2col.backprop_input(np.ascontiguousarray(dy).reshape(-1, o), wmat_t, (kh, kw), strides,
                          dilations, (ph, pw), (oh, ow), dx, relu_out)
    return dx
