"""Depthwise 2-D convolution kernels (ops/depthwise_conv_ops.py) on an already padded NHWC input:
direct loops, parallel over the batch (forward, input gradient) or over the filter taps (filter
gradient), so no thread writes where another does."""
from tfgraph.kernels.jit import njit, prange


@njit(parallel=True)
def depthwise_forward(xp, w, out, sh, sw, dh, dw):
    n_, oh, ow, _ = out.shape
    kh, kw, c_, m_ = w.shape
    for n in prange(n_):
        for i in range(oh):
            for j in range(ow):
                for p in range(kh):
                    y = i * sh + p * dh
                    for q in range(kw):
                        x = j * sw + q * dw
                        for m in range(m_):
                            for c in range(c_):
                                out[n, i, j, c * m_ + m] += xp[n, y, x, c] * w[p, q, c, m]


@njit(parallel=True)
def depthwise_backprop_input(dy, w, dxp, sh, sw, dh, dw):
    n_, oh, ow, _ = dy.shape
    kh, kw, c_, m_ = w.shape
    for n in prange(n_):
        for i in range(oh):
            for j in range(ow):
                for p in range(kh):
                    y = i * sh + p * dh
                    for q in range(kw):
                        x = j * sw + q * dw
                        for m in range(m_):
                            for c in range(c_):
                                dxp[n, y, x, c] += dy[n, i, j, c * m_ + m] * w[p, q, c, m]


@njit(parallel=True)
def depthwise_backprop_filter(xp, dy, dwt, sh, sw, dh, dw):
    n_, oh, ow, _ = dy.shape
    kh, kw, c_, m_ = dwt.shape
    for t in prange(kh * kw):
        p, q = t // kw, t % kw
        for n in range(n_):
            for i in range(oh):
                y = i * sh + p * dh
                for j in range(ow):
                    x = j * sw + q * dw
                    for m in range(m_):
                        for c in range(c_):
                            dwt[p, q, c, m] += xp[n, y, x, c] * dy[n, i, j, c * m_ + m]
