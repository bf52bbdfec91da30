"""Numba kernels for NHWC max/avg pooling and their gradients, parallel over the batch.

Windows are (kh, kw) with strides (sh, sw) and padding before (ph, pw); padded positions never take
part (max ignores them, avg divides by the number of valid elements, as TensorFlow does). The max-pool
gradients find each window's maximum again from the input and the pooled output (the first position,
in row-major window order, equal to the max wins, as in TF's CPU kernel) instead of storing indices. Outputs are fresh arrays; inputs are never written.
"""
import numpy as np

from tfgraph.kernels.jit import njit, prange


@njit(parallel=True)
def _max_pool(x, kh, kw, sh, sw, ph, pw, out):
    n, h, w, c = x.shape
    oh, ow = out.shape[1], out.shape[2]
    for b in prange(n):
        for i in range(oh):
            y0 = i * sh - ph
            for j in range(ow):
                x0 = j * sw - pw
                first = True
                for p in range(kh):
                    y = y0 + p
                    if y < 0 or y >= h:
                        continue
                    for q in range(kw):
                        xx = x0 + q
                        if xx < 0 or xx >= w:
                            continue
                        if first:
                            for ch in range(c):
                                out[b, i, j, ch] = x[b, y, xx, ch]
                            first = False
                        else:
                            for ch in range(c):
                                v = x[b, y, xx, ch]
                                out[b, i, j, ch] = max(out[b, i, j, ch], v)


@njit(parallel=True)
def _max_pool_grad(x, y, g, kh, kw, sh, sw, ph, pw, dx):
    """dx: each window's g goes to the first position (row-major) where x equals the max y.

    Branch-free (`todo` is 1 until the window's max is found), so the channel loop vectorizes."""
    n, h, w, c = x.shape
    oh, ow = g.shape[1], g.shape[2]
    for b in prange(n):
        todo = np.empty(c, dtype=dx.dtype)
        dx[b] = 0
        for i in range(oh):
            for j in range(ow):
                todo[:] = 1
                for p in range(kh):
                    yy = i * sh - ph + p
                    if yy < 0 or yy >= h:
                        continue
                    for q in range(kw):
                        xx = j * sw - pw + q
                        if xx < 0 or xx >= w:
                            continue
                        for ch in range(c):
                            hit = (x[b, yy, xx, ch] == y[b, i, j, ch]) * todo[ch]
                            dx[b, yy, xx, ch] += hit * g[b, i, j, ch]
                            todo[ch] -= hit


@njit(parallel=True)
def _max_pool_grad_grad(x, y, gg, kh, kw, sh, sw, ph, pw, out):
    """out[window] = gg at the window's first maximum (the adjoint of _max_pool_grad)."""
    n, h, w, c = x.shape
    oh, ow = out.shape[1], out.shape[2]
    for b in prange(n):
        todo = np.empty(c, dtype=out.dtype)
        for i in range(oh):
            for j in range(ow):
                todo[:] = 1
                out[b, i, j] = 0
                for p in range(kh):
                    yy = i * sh - ph + p
                    if yy < 0 or yy >= h:
                        continue
                    for q in range(kw):
                        xx = j * sw - pw + q
                        if xx < 0 or xx >= w:
                            continue
                        for ch in range(c):
                            hit = (x[b, yy, xx, ch] == y[b, i, j, ch]) * todo[ch]
                            out[b, i, j, ch] += hit * gg[b, yy, xx, ch]
                            todo[ch] -= hit


@njit(parallel=True)
def _avg_pool(x, kh, kw, sh, sw, ph, pw, out):
    n, h, w, c = x.shape
    oh, ow = out.shape[1], out.shape[2]
    for b in prange(n):
        for i in range(oh):
            y0 = max(i * sh - ph, 0)
            y1 = min(i * sh - ph + kh, h)
            for j in range(ow):
                x0 = max(j * sw - pw, 0)
                x1 = min(j * sw - pw + kw, w)
                for ch in range(c):
                    out[b, i, j, ch] = 0
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        for ch in range(c):
                            out[b, i, j, ch] += x[b, y, xx, ch]
                cnt = max((y1 - y0) * (x1 - x0), 1)
                for ch in range(c):
                    out[b, i, j, ch] = out[b, i, j, ch] / cnt


@njit(parallel=True)
def _avg_pool_grad(g, kh, kw, sh, sw, ph, pw, dx):
    n, h, w, c = dx.shape
    oh, ow = g.shape[1], g.shape[2]
    for b in prange(n):
        dx[b] = 0
        for i in range(oh):
            y0 = max(i * sh - ph, 0)
            y1 = min(i * sh - ph + kh, h)
            for j in range(ow):
                x0 = max(j * sw - pw, 0)
                x1 = min(j * sw - pw + kw, w)
                cnt = max((y1 - y0) * (x1 - x0), 1)
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        for ch in range(c):
                            dx[b, y, xx, ch] += g[b, i, j, ch] / cnt


# -- entry points used by the ops' make_kernel ----------------------------------------------------
def max_pool(x, ksize, strides, pads, out_hw):
    out = np.empty((x.shape[0],) + tuple(out_hw) + (x.shape[3],), dtype=x.dtype)
    _max_pool(x, ksize[0], ksize[1], strides[0], strides[1], pads[0], pads[1], out)
    return out


def max_pool_grad(x, y, g, ksize, strides, pads):
    dx = np.empty(x.shape, dtype=g.dtype)
    _max_pool_grad(x, y, g, ksize[0], ksize[1], strides[0], strides[1], pads[0], pads[1], dx)
    return dx


def max_pool_grad_grad(x, y, gg, ksize, strides, pads):
    out = np.empty(y.shape, dtype=gg.dtype)
    _max_pool_grad_grad(x, y, gg, ksize[0], ksize[1], strides[0], strides[1], pads[0], pads[1], out)
    return out


def avg_pool(x, ksize, strides, pads, out_hw):
    out = np.empty((x.shape[0],) + tuple(out_hw) + (x.shape[3],), dtype=x.dtype)
    _avg_pool(x, ksize[0], ksize[1], strides[0], strides[1], pads[0], pads[1], out)
    return out


def avg_pool_grad(input_shape, g, ksize, strides, pads):
    dx = np.empty(tuple(int(d) for d in input_shape), dtype=g.dtype)
    _avg_pool_grad(g, ksize[0], ksize[1], strides[0], strides[1], pads[0], pads[1], dx)
    return dx
