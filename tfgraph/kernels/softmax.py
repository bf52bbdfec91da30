"""Numba row kernels for softmax and the fused softmax cross-entropies (forward + backward in one
pass). Their numpy references are the `compute` methods of the ops in tfgraph/ops/nn_ops.py."""
import numpy as np

from tfgraph.kernels.jit import njit


@njit
def softmax_rows(x, out):
    n, c = x.shape
    for i in range(n):
        m = x[i, 0]
        for j in range(1, c):
            if x[i, j] > m:
                m = x[i, j]
        s = 0.0
        for j in range(c):
            e = np.exp(x[i, j] - m)
            out[i, j] = e
            s += e
        for j in range(c):
            out[i, j] = out[i, j] / s


@njit
def softmax_xent_rows(logits, labels, loss, backprop):
    """Fused forward + backward of softmax cross-entropy over the rows of 2-D arrays."""
    n, c = logits.shape
    for i in range(n):
        m = logits[i, 0]
        for j in range(1, c):
            if logits[i, j] > m:
                m = logits[i, j]
        s = 0.0
        for j in range(c):
            e = np.exp(logits[i, j] - m)
            backprop[i, j] = e
            s += e
        log_s = np.log(s)
        acc = 0.0
        for j in range(c):
            acc += labels[i, j] * (log_s - (logits[i, j] - m))
            backprop[i, j] = backprop[i, j] / s - labels[i, j]
        loss[i] = acc


@njit
def sparse_softmax_xent_rows(logits, labels, loss, backprop):
    """Fused sparse softmax cross-entropy; returns the first bad label's row, or -1."""
    n, c = logits.shape
    for i in range(n):
        label = labels[i]
        if label < 0 or label >= c:
            return i
        m = logits[i, 0]
        for j in range(1, c):
            if logits[i, j] > m:
                m = logits[i, j]
        s = 0.0
        for j in range(c):
            e = np.exp(logits[i, j] - m)
            backprop[i, j] = e
            s += e
        for j in range(c):
            backprop[i, j] = backprop[i, j] / s
        backprop[i, label] -= 1
        loss[i] = np.log(s) - (logits[i, label] - m)
    return -1
