"""Numba kernel of tf.nn.moments over the leading axes: batch normalization's statistics.

`column_moments(x)` takes x as (rows, channels) (NHWC activations over N*H*W, or a Dense layer's
(batch, units)) and returns the per-channel mean and biased variance in two passes over x, with no
full-size temporary: the composite it replaces (mean, x - mean, its square, their mean) reads x
three times and writes and reads a temporary the size of x. The numpy reference is `Moments.compute`
in tfgraph/ops/moments_ops.py.

Both sums accumulate in float64 and the variance is the mean of squared deviations from the float64
mean, so the results are the exact moments rounded once to x's dtype: a float32 sum of 10^5 values
near 10^4 would already be off in the mean's last digits, and the variance about a rounded mean
gains the rounding error squared.
"""
import numpy as np

from tfgraph.kernels.jit import njit


@njit
def _column_moments(x, mean, var):
    n, c = x.shape
    total = np.zeros(c, np.float64)
    for i in range(n):
        for j in range(c):
            total[j] += x[i, j]
    for j in range(c):
        total[j] /= n
        mean[j] = total[j]
    squares = np.zeros(c, np.float64)
    for i in range(n):
        for j in range(c):
            d = x[i, j] - total[j]
            squares[j] += d * d
    for j in range(c):
        var[j] = squares[j] / n


def column_moments(x):
    """(mean, biased variance) over the rows of a C-contiguous (rows, channels) float array."""
    mean = np.empty(x.shape[1], x.dtype)
    var = np.empty(x.shape[1], x.dtype)
    _column_moments(x, mean, var)
    return mean, var
