"""Slow loop-based references for NHWC convolution and pooling (the oracle for kernel and op tests).

Output sizes come from TF's documented formulas (VALID: ceil((in - (k-1)*d) / s), SAME: ceil(in / s)),
written independently of tfgraph's geometry code.
"""
import math

import numpy as np


def geometry(in_size, k, s, d, padding):
    eff = (k - 1) * d + 1
    if padding == "VALID":
        return max(math.ceil((in_size - eff + 1) / s), 0), 0
    out = math.ceil(in_size / s)
    return out, max((out - 1) * s + eff - in_size, 0) // 2


def _windows(x_shape, kh, kw, strides, dilations, padding):
    """Yields (i, j, p, q, y, x) for every output position and in-bounds kernel tap."""
    (oh, ph), (ow, pw) = (geometry(x_shape[1], kh, strides[0], dilations[0], padding),
                          geometry(x_shape[2], kw, strides[1], dilations[1], padding))
    for i in range(oh):
        for j in range(ow):
            for p in range(kh):
                for q in range(kw):
                    y = i * strides[0] - ph + p * dilations[0]
                    xx = j * strides[1] - pw + q * dilations[1]
                    if 0 <= y < x_shape[1] and 0 <= xx < x_shape[2]:
                        yield i, j, p, q, y, xx


def out_hw(x_shape, kh, kw, strides, dilations, padding):
    return (geometry(x_shape[1], kh, strides[0], dilations[0], padding)[0],
            geometry(x_shape[2], kw, strides[1], dilations[1], padding)[0])


def conv2d(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    kh, kw, _, o = w.shape
    oh, ow = out_hw(x.shape, kh, kw, strides, dilations, padding)
    out = np.zeros((x.shape[0], oh, ow, o), dtype=np.float64)
    for i, j, p, q, y, xx in _windows(x.shape, kh, kw, strides, dilations, padding):
        out[:, i, j, :] += x[:, y, xx, :].astype(np.float64) @ w[p, q].astype(np.float64)
    return out.astype(x.dtype)


def conv2d_backprop_input(x_shape, w, dy, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    kh, kw = w.shape[:2]
    dx = np.zeros(x_shape, dtype=np.float64)
    for i, j, p, q, y, xx in _windows(x_shape, kh, kw, strides, dilations, padding):
        dx[:, y, xx, :] += dy[:, i, j, :].astype(np.float64) @ w[p, q].T.astype(np.float64)
    return dx.astype(dy.dtype)


def conv2d_backprop_filter(x, w_shape, dy, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    dw = np.zeros(w_shape, dtype=np.float64)
    for i, j, p, q, y, xx in _windows(x.shape, w_shape[0], w_shape[1], strides, dilations,
                                      padding):
        dw[p, q] += x[:, y, xx, :].T.astype(np.float64) @ dy[:, i, j, :].astype(np.float64)
    return dw.astype(dy.dtype)


def _pool_windows(x_shape, k, s, padding):
    """{(i, j): [(y, x), ...]} of the valid positions of each pooling window, row-major."""
    wins = {}
    for i, j, p, q, y, xx in _windows(x_shape, k[0], k[1], s, (1, 1), padding):
        wins.setdefault((i, j), []).append((y, xx))
    return wins, out_hw(x_shape, k[0], k[1], s, (1, 1), padding)


def max_pool(x, k, s, padding):
    wins, (oh, ow) = _pool_windows(x.shape, k, s, padding)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]), dtype=x.dtype)
    for (i, j), pos in wins.items():
        out[:, i, j] = np.max([x[:, y, xx] for y, xx in pos], axis=0)
    return out


def max_pool_grad(x, dy, k, s, padding):
    """The gradient of each window goes to its first maximum (row-major), as in TF's CPU kernel."""
    wins, _ = _pool_windows(x.shape, k, s, padding)
    dx = np.zeros(x.shape, dtype=np.float64)
    for (i, j), pos in wins.items():
        for n in range(x.shape[0]):
            for c in range(x.shape[3]):
                vals = [x[n, y, xx, c] for y, xx in pos]
                y, xx = pos[int(np.argmax(vals))]
                dx[n, y, xx, c] += dy[n, i, j, c]
    return dx.astype(dy.dtype)


def avg_pool(x, k, s, padding):
    wins, (oh, ow) = _pool_windows(x.shape, k, s, padding)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]), dtype=np.float64)
    for (i, j), pos in wins.items():
        out[:, i, j] = np.mean([x[:, y, xx] for y, xx in pos], axis=0)
    return out.astype(x.dtype)


def avg_pool_grad(x_shape, dy, k, s, padding):
    wins, _ = _pool_windows(x_shape, k, s, padding)
    dx = np.zeros(x_shape, dtype=np.float64)
    for (i, j), pos in wins.items():
        for y, xx in pos:
            dx[:, y, xx] += dy[:, i, j] / len(pos)
    return dx.astype(dy.dtype)
