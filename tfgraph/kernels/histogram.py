"""The HistogramSummary kernel: TF1's exponential buckets, min/max/sum/sum of squares in one pass.

TensorFlow bins each value with `upper_bound` over its bucket limits (a value equal to a limit
counts in the bucket above it) and accumulates in double, value after value; this kernel does the
same, so its sums are TensorFlow's bit for bit. It finds a value's bucket from its logarithm
(the top bits of the float64, looked up in a table) and corrects the guess against the true
limits: a table load and a comparison or two per value instead of a binary search over 1,550
limits (numpy's searchsorted) or a libm log (about 30 ns a value).
"""
import math

import numpy as np

from tfgraph.kernels.jit import njit


def bucket_limits():
    """TF's default histogram limits: -DBL_MAX, -1e20.. -1e-12, 0, 1e-12 .. 1e20 (x1.1), DBL_MAX."""
    pos, v = [], 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    big = np.finfo(np.float64).max
    return np.array([-big] + [-x for x in reversed(pos)] + [0.0] + pos + [big])


LIMITS = bucket_limits()
_NPOS = (len(LIMITS) - 3) // 2   # limits 1e-12 * 1.1**k, k < _NPOS
_ZERO = _NPOS + 1                # index of the 0.0 limit
_SHIFT = 45                      # float64 bits >> 45: the exponent and 7 mantissa bits


def _guess_table():
    """For each float64 key (bits >> _SHIFT) from 1e-12's up to 1e20's: how many positive limits
    lie at or below the key's smallest value. A key spans under 1% and a bucket 10%, so the guess
    is the bucket or the one below it."""
    pos = LIMITS[_ZERO + 1:-1]
    first = int(np.float64(1e-12).view(np.uint64)) >> _SHIFT
    last = int(np.float64(pos[-1]).view(np.uint64)) >> _SHIFT
    keys = np.arange(first, last + 2, dtype=np.uint64)
    starts = (keys << np.uint64(_SHIFT)).view(np.float64)
    return first, np.searchsorted(pos, starts, side="right").astype(np.int32)


_KEY0, _TABLE = _guess_table()


@njit
def histogram(x, limits, table, key0, counts):
    """Adds the values of the flat array `x` into `counts` (zeroed, one per limit) and returns
    (min, max, sum, sum of squares, index of the first NaN or Inf or -1). Bucket b holds the
    values v with limits[b-1] <= v < limits[b]."""
    lo, hi = limits[-1], limits[0]
    total, squares = 0.0, 0.0
    last = limits.size - 1
    zero = (limits.size - 1) // 2
    top = table.size - 1
    # four integer sub-histograms, value i in lane i % 4: runs of values in one bucket (most of
    # a weight matrix's values lie in a few dozen) no longer wait on the previous increment
    lanes = np.zeros((4, limits.size), np.int64)
    block = 512
    mags = np.empty(block, np.float64)
    bits = mags.view(np.uint64)
    for start in range(0, x.size, block):
        m = min(block, x.size - start)
        for j in range(m):
            mags[j] = abs(np.float64(x[start + j]))
        for j in range(m):
            v = np.float64(x[start + j])
            if not math.isfinite(v):
                _add_lanes(lanes, counts)
                return lo, hi, total, squares, start + j
            t = np.int64(bits[j] >> 45) - key0
            k = table[0] if t < 0 else table[min(t, top)]
            g = zero + 1 + k if v >= 0 else zero - k
            g = min(max(g, 1), last)
            while g > 0 and limits[g - 1] > v:
                g -= 1
            while g < last and limits[g] <= v:
                g += 1
            lanes[j & 3, g] += 1
            lo = min(lo, v)
            hi = max(hi, v)
            total += v
            squares += v * v
    _add_lanes(lanes, counts)
    return lo, hi, total, squares, -1


@njit(inline="always")
def _add_lanes(lanes, counts):
    for g in range(counts.size):
        counts[g] += np.float64(lanes[0, g] + lanes[1, g] + lanes[2, g] + lanes[3, g])


@njit
def collapse(limits, counts):
    """TF's EncodeToProto: each run of empty buckets becomes one, with the run's last limit."""
    out_limits = np.empty_like(limits)
    out_counts = np.empty_like(counts)
    n = 0
    i = 0
    while i < counts.size:
        end, c = limits[i], counts[i]
        i += 1
        if c <= 0.0:
            while i < counts.size and counts[i] <= 0.0:
                end, c = limits[i], counts[i]
                i += 1
        out_limits[n] = end
        out_counts[n] = c
        n += 1
    return out_limits[:n], out_counts[:n]


def histogram_stats(values):
    """(min, max, num, sum, sum_squares, bucket_limit, bucket) of `values` as TF's HistogramProto
    holds them; raises ValueError at the first NaN or Inf."""
    x = np.asarray(values)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    x = np.ascontiguousarray(x).reshape(-1)
    counts = np.zeros(LIMITS.size)
    lo, hi, total, squares, bad = histogram(x, LIMITS, _TABLE, _KEY0, counts)
    if bad >= 0:
        raise ValueError("Nan in summary histogram for" if x[bad] != x[bad]
                         else "Infinity in Histogram for")  # TF's two wordings
    out_limits, out_counts = collapse(LIMITS, counts)
    return lo, hi, float(x.size), total, squares, out_limits, out_counts
