"""Numba kernels for NHWC max/avg pooling and their gradients.

Windows are (kh, kw) with strides (sh, sw) and padding before (ph, pw); padded positions never take
part (max ignores them, avg divides by the number of valid elements, as TensorFlow does). The
max-pool gradients find each window's maximum again from the input and the pooled output (the first
position, in row-major window order, equal to the max wins, as in TF's CPU kernel) instead of
storing indices. The 2x2 stride-2 pool without padding (Keras's MaxPooling2D default) has its own
kernels: one pass over the window, and a gradient that writes every input element once (no
zero-fill, no accumulation).

Kernels take flat C-ordered views and index them with unsigned integers: a signed index makes Numba
emit a wraparound check that stops LLVM vectorizing the channel loops. They run on one thread: they
are memory-bound, sit between BLAS calls, and prange measured no faster on the loaded 2-core machine
(a parallel region waits for a descheduled thread). Outputs are fresh arrays; inputs are never
written.
"""
import numpy as np

from tfgraph.kernels.jit import njit


@njit
def _max_pool(xf, n, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow, outf):
    """Row by row: the first valid input row of a window initialises it, the others max into it."""
    for b in range(n):
        for i in range(oh):
            y0, y1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            orow = (b * oh + i) * ow * c
            for y in range(y0, y1):
                xrow = (b * h + y) * w * c
                for j in range(ow):
                    x0, x1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                    o = orow + j * c
                    if y == y0:
                        s = xrow + x0 * c
                        for ch in range(c):
                            outf[np.uint64(o + ch)] = xf[np.uint64(s + ch)]
                        x0 += 1
                    for xx in range(x0, x1):
                        s = xrow + xx * c
                        for ch in range(c):
                            outf[np.uint64(o + ch)] = max(outf[np.uint64(o + ch)],
                                                          xf[np.uint64(s + ch)])


@njit
def _max_pool_2x2(xf, n, h, w, ctup, oh, ow, outf):
    """2x2 windows, stride 2, no padding, every window inside x (2*oh <= h, 2*ow <= w); the
    c = len(ctup) channels are a compile-time constant (see _max_pool_grad_2x2)."""
    c = len(ctup)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                o = ((b * oh + i) * ow + j) * c
                s = ((b * h + 2 * i) * w + 2 * j) * c
                t = s + w * c
                for ch in range(c):
                    outf[np.uint64(o + ch)] = max(
                        max(xf[np.uint64(s + ch)], xf[np.uint64(s + c + ch)]),
                        max(xf[np.uint64(t + ch)], xf[np.uint64(t + c + ch)]))


@njit
def _max_pool_grad(xf, yf, gf, n, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow, dxf):
    """dx: each window's g goes to the first position (row-major) where x equals the max y.

    Branch-free (`todo` is 1 until the window's max is found), so the channel loop vectorizes."""
    hwc = h * w * c
    zero = dxf.dtype.type(0)
    todo = np.empty(c, dtype=dxf.dtype)
    for b in range(n):
        for e in range(hwc):
            dxf[np.uint64(b * hwc + e)] = 0
        for i in range(oh):
            y0, y1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            for j in range(ow):
                x0, x1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                o = ((b * oh + i) * ow + j) * c
                todo[:] = 1
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        s = ((b * h + y) * w + xx) * c
                        for ch in range(c):
                            k, si, oi = np.uint64(ch), np.uint64(s + ch), np.uint64(o + ch)
                            hit = (xf[si] == yf[oi]) * todo[k]
                            dxf[si] += gf[oi] if hit > 0 else zero
                            todo[k] -= hit


@njit
def _max_pool_grad_2x2(xf, yf, gf, n, h, w, ctup, oh, ow, relu, dxf):
    """_max_pool_grad for _max_pool_2x2's windows: each element of x is written exactly once; a
    last odd row or column of x is in no window and gets 0.

    g goes to the first position equal to the max, else to the 4th (selects, not arithmetic: a NaN
    in g stays at its position). With `relu` (x is a Relu output) each result is also multiplied
    by (x > 0): ReluGrad fused in, as numpy's dy * (y > 0).

    The c = len(ctup) channels are a compile-time constant, so the channel loop unrolls fully with
    no remainder loop. Window j's first column is cols[j] (= 2*j*c): read from an array, the
    offset is opaque to LLVM, which then checks the 4 store streams for overlap per window; with
    2*j*c it hoisted the check out of the j loop, found the whole-row ranges of the streams
    overlapping and ran the scalar loop (W3's MaxPoolGrad + ReluGrad 3.5 -> 1.8 ms, batch 128)."""
    c = len(ctup)
    wc = w * c
    zero = dxf.dtype.type(0)
    one = dxf.dtype.type(1)
    cols = np.arange(ow) * 2 * c
    for b in range(n):
        for i in range(oh):
            s = (b * h + 2 * i) * wc
            o = (b * oh + i) * ow * c
            for j in range(ow):
                q, u = o + j * c, s + cols[j]
                for ch in range(c):
                    x0, x1 = xf[np.uint64(u + ch)], xf[np.uint64(u + c + ch)]
                    x2, x3 = xf[np.uint64(u + wc + ch)], xf[np.uint64(u + wc + c + ch)]
                    m, v = yf[np.uint64(q + ch)], gf[np.uint64(q + ch)]
                    t0 = x0 == m
                    t1 = (x1 == m) & (not t0)
                    t2 = (x2 == m) & (not (t0 | t1))
                    g0 = v if t0 else zero
                    g1 = v if t1 else zero
                    g2 = v if t2 else zero
                    g3 = zero if t0 | t1 | t2 else v
                    if relu:
                        g0 *= one if x0 > zero else zero
                        g1 *= one if x1 > zero else zero
                        g2 *= one if x2 > zero else zero
                        g3 *= one if x3 > zero else zero
                    dxf[np.uint64(u + ch)] = g0
                    dxf[np.uint64(u + c + ch)] = g1
                    dxf[np.uint64(u + wc + ch)] = g2
                    dxf[np.uint64(u + wc + c + ch)] = g3
            for e in range(2 * ow * c, wc):
                dxf[np.uint64(s + e)] = 0
                dxf[np.uint64(s + wc + e)] = 0
        for e in range((b * h + 2 * oh) * wc, (b + 1) * h * wc):
            dxf[np.uint64(e)] = 0


@njit
def _max_pool_grad_grad(xf, yf, ggf, n, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow, outf):
    """out[window] = gg at the window's first maximum (the adjoint of _max_pool_grad)."""
    todo = np.empty(c, dtype=outf.dtype)
    for b in range(n):
        for i in range(oh):
            y0, y1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            for j in range(ow):
                x0, x1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                o = ((b * oh + i) * ow + j) * c
                todo[:] = 1
                for ch in range(c):
                    outf[np.uint64(o + ch)] = 0
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        s = ((b * h + y) * w + xx) * c
                        for ch in range(c):
                            k, si, oi = np.uint64(ch), np.uint64(s + ch), np.uint64(o + ch)
                            hit = (xf[si] == yf[oi]) * todo[k]
                            outf[oi] += hit * ggf[si]
                            todo[k] -= hit


@njit
def _avg_pool(xf, n, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow, outf):
    for b in range(n):
        for i in range(oh):
            y0, y1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            for j in range(ow):
                x0, x1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                o = ((b * oh + i) * ow + j) * c
                for ch in range(c):
                    outf[np.uint64(o + ch)] = 0
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        s = ((b * h + y) * w + xx) * c
                        for ch in range(c):
                            outf[np.uint64(o + ch)] += xf[np.uint64(s + ch)]
                cnt = outf.dtype.type(max((y1 - y0) * (x1 - x0), 1))  # float32 stays float32
                for ch in range(c):
                    outf[np.uint64(o + ch)] = outf[np.uint64(o + ch)] / cnt


@njit
def _avg_pool_grad(gf, n, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow, dxf):
    hwc = h * w * c
    for b in range(n):
        for e in range(hwc):
            dxf[np.uint64(b * hwc + e)] = 0
        for i in range(oh):
            y0, y1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            for j in range(ow):
                x0, x1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                o = ((b * oh + i) * ow + j) * c
                cnt = dxf.dtype.type(max((y1 - y0) * (x1 - x0), 1))
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        s = ((b * h + y) * w + xx) * c
                        for ch in range(c):
                            dxf[np.uint64(s + ch)] += gf[np.uint64(o + ch)] / cnt


# -- entry points used by the ops' make_kernel ----------------------------------------------------
def _flat(a):
    return np.ascontiguousarray(a).reshape(-1)


def _is_2x2(ksize, strides, pads, in_hw, out_hw):
    return (tuple(ksize) == (2, 2) and tuple(strides) == (2, 2) and tuple(pads) == (0, 0)
            and 2 * out_hw[0] <= in_hw[0] and 2 * out_hw[1] <= in_hw[1])


def max_pool(x, ksize, strides, pads, out_hw):
    n, h, w, c = x.shape
    out = np.empty((n,) + tuple(out_hw) + (c,), dtype=x.dtype)
    if out.size == 0:
        return out
    if _is_2x2(ksize, strides, pads, (h, w), out_hw):
        _max_pool_2x2(_flat(x), n, h, w, (0,) * c, out_hw[0], out_hw[1], out.reshape(-1))
    else:
        _max_pool(_flat(x), n, h, w, c, ksize[0], ksize[1], strides[0], strides[1], pads[0],
                  pads[1], out_hw[0], out_hw[1], out.reshape(-1))
    return out


def max_pool_grad(x, y, g, ksize, strides, pads, relu=False):
    """dL/dx of max_pool; with `relu=True`, of max_pool(relu(.)) given x = the Relu's output, i.e.
    ReluGrad(MaxPoolGrad(x, y, g), x) in one pass."""
    n, h, w, c = x.shape
    oh, ow = g.shape[1], g.shape[2]
    dx = np.empty(x.shape, dtype=g.dtype)
    if _is_2x2(ksize, strides, pads, (h, w), (oh, ow)):
        _max_pool_grad_2x2(_flat(x), _flat(y), _flat(g), n, h, w, (0,) * c, oh, ow, relu,
                           dx.reshape(-1))
        return dx
    _max_pool_grad(_flat(x), _flat(y), _flat(g), n, h, w, c, ksize[0], ksize[1], strides[0],
                   strides[1], pads[0], pads[1], oh, ow, dx.reshape(-1))
    if relu:
        np.multiply(dx, x > 0, out=dx)
    return dx


def max_pool_grad_grad(x, y, gg, ksize, strides, pads):
    n, h, w, c = x.shape
    out = np.empty(y.shape, dtype=gg.dtype)
    _max_pool_grad_grad(_flat(x), _flat(y), _flat(gg), n, h, w, c, ksize[0], ksize[1], strides[0],
                        strides[1], pads[0], pads[1], y.shape[1], y.shape[2], out.reshape(-1))
    return out


def avg_pool(x, ksize, strides, pads, out_hw):
    n, h, w, c = x.shape
    out = np.empty((n,) + tuple(out_hw) + (c,), dtype=x.dtype)
    _avg_pool(_flat(x), n, h, w, c, ksize[0], ksize[1], strides[0], strides[1], pads[0], pads[1],
              out_hw[0], out_hw[1], out.reshape(-1))
    return out


def avg_pool_grad(input_shape, g, ksize, strides, pads):
    n, h, w, c = (int(d) for d in input_shape)
    dx = np.empty((n, h, w, c), dtype=g.dtype)
    _avg_pool_grad(_flat(g), n, h, w, c, ksize[0], ksize[1], strides[0], strides[1], pads[0],
                   pads[1], g.shape[1], g.shape[2], dx.reshape(-1))
    return dx
