"""Numba kernels for the element-wise nn ops the training steps run on every batch: Relu, ReluGrad,
BiasAdd, BiasAddGrad and the dropout mask. Their numpy references are the `compute` methods of the
ops in tfgraph/ops/nn_ops.py.

Each kernel reads its inputs once and writes a preallocated output (numpy's `dy * (y > 0)` makes a
bool temporary and a second pass; `dy.sum(axis=0)` over (rows, 32) walks 32 floats at a time). The
loops run from 0 so Numba knows the indices are non-negative: no wraparound checks, and LLVM
vectorizes them (a loop over range(lo, hi) measured 7x slower).

They run on the calling thread. One core already streams these at the memory bandwidth (a (128, 26,
26, 32) float32 Relu: 11 MB in, 11 MB out, 1.3 ms), and a prange over the 2 cores, measured
while other processes shared them, sometimes took 8-9 ms waiting for a descheduled worker.
"""
import numpy as np

from tfgraph.kernels.jit import njit


@njit
def relu(x, out):
    """out = max(x, 0) on flat arrays (NaN stays NaN, as np.maximum)."""
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if (v > zero or v != v) else zero


@njit
def relu_grad(dy, y, out):
    """out = dy * (y > 0) on flat arrays of one size (NaN * 0 stays NaN, as numpy)."""
    one, zero = dy.dtype.type(1), dy.dtype.type(0)
    for i in range(dy.size):
        out[i] = dy[i] * (one if y[i] > zero else zero)


@njit
def bias_add(x, b, out):
    """out = x + b on (rows, channels) arrays."""
    for r in range(x.shape[0]):
        for j in range(b.shape[0]):
            out[r, j] = x[r, j] + b[j]


BLOCK_ROWS = 256   # rows summed into a block total; BLOCK_ROWS block totals make a group total


@njit
def bias_add_grad(dy, out):
    """out[j] = sum of dy[:, j] over the rows of a (rows, channels) array, in three levels (blocks
    of BLOCK_ROWS rows, groups of BLOCK_ROWS blocks, then the groups), so float32 rounding grows
    like 2 * BLOCK_ROWS + rows / BLOCK_ROWS^2 additions, not like rows (numpy's axis-0 sum adds
    row after row)."""
    n, c = dy.shape
    block = np.empty(c, dy.dtype)
    group = np.zeros(c, dy.dtype)
    for j in range(c):
        out[j] = 0
    blocks = 0
    for r in range(0, n, BLOCK_ROWS):
        end = min(n, r + BLOCK_ROWS)
        for j in range(c):
            block[j] = dy[r, j]
        for i in range(r + 1, end):
            for j in range(c):
                block[j] += dy[i, j]
        for j in range(c):
            group[j] += block[j]
        blocks += 1
        if blocks == BLOCK_ROWS or end == n:
            for j in range(c):
                out[j] += group[j]
                group[j] = 0
            blocks = 0


@njit
def dropout_mask(noise, rate, scale, out):
    """out = scale where noise >= rate, else 0 (flat arrays): the scaled keep mask of dropout."""
    zero = out.dtype.type(0)
    for i in range(noise.size):
        out[i] = scale if noise[i] >= rate else zero
