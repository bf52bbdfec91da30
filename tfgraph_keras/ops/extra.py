"""keras.ops, less common numpy-like ops: counting and searching (bincount, searchsorted,
digitize), order statistics (quantile, median, percentile), select, rot90, and small elementwise
ones (trunc, signbit, cbrt, hypot, heaviside, deg2rad, rad2deg). Composed from tfgraph ops."""
import math

import numpy as np

import tfgraph as tf
from tfgraph_keras.ops import core
from tfgraph_keras.ops._helpers import _dims, _promoted, _static
from tfgraph_keras.ops.core import floatx, keras_op, result_type, standardize_dtype, tensor


def _float_wide(x):
    """Keras's rule for these ops: int64 computes in float64, other ints and bool in floatx."""
    name = x.dtype.name
    if name == "int64":
        return tf.cast(x, "float64")
    return x if x.dtype.is_floating else tf.cast(x, floatx())


def is_tensor(x):
    """keras.ops.is_tensor: whether x is a tfgraph Tensor or Variable."""
    return core.is_tensor(x)


@keras_op
def unstack(x, num=None, axis=0):
    return tf.unstack(tensor(x), num=num, axis=axis)


@keras_op
def empty(shape, dtype=None):
    return tf.zeros([shape] if isinstance(shape, int) else list(shape), standardize_dtype(dtype))


@keras_op
def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    return tf.constant(np.tri(N, M, k, dtype=standardize_dtype(dtype)))


@keras_op
def trunc(x):
    x = tensor(x)
    if not x.dtype.is_floating:
        return x
    return tf.where(x < 0, tf.ceil(x), tf.floor(x))


@keras_op
def signbit(x):
    """keras.ops.signbit: True where the sign bit is set (so also for -0.0)."""
    x = tensor(x)
    if x.dtype.is_bool:
        return tf.zeros_like(x, dtype=tf.bool)
    if not x.dtype.is_floating:
        return x < 0
    negative_zero = tf.logical_and(tf.equal(x, 0), tf.reciprocal(x) < 0)
    return tf.logical_or(x < 0, negative_zero)


@keras_op
def cbrt(x):
    x = _float_wide(tensor(x))
    return tf.sign(x) * tf.pow(tf.abs(x), tf.constant(1.0 / 3.0, x.dtype))


@keras_op
def deg2rad(x):
    x = _float_wide(tensor(x))
    return x * tf.constant(math.pi / 180.0, x.dtype)


@keras_op
def rad2deg(x):
    x = _float_wide(tensor(x))
    return x * tf.constant(180.0 / math.pi, x.dtype)


@keras_op
def hypot(x1, x2):
    a, b = (_float_wide(t) for t in _promoted(x1, x2))
    big, small = tf.maximum(tf.abs(a), tf.abs(b)), tf.minimum(tf.abs(a), tf.abs(b))
    ratio = tf.div_no_nan(small, big)
    return big * tf.sqrt(1.0 + tf.square(ratio))


@keras_op
def heaviside(x1, x2):
    a, b = (_float_wide(t) for t in _promoted(x1, x2))
    return tf.where(a < 0, tf.zeros_like(a), tf.where(a > 0, tf.ones_like(a), b))


@keras_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    from tfgraph_keras.ops.array import linspace
    exponents = linspace(start, stop, num, endpoint=endpoint, dtype=dtype, axis=axis)
    return tf.pow(tf.cast(tensor(base), exponents.dtype), exponents)


@keras_op
def vdot(x1, x2):
    a, b = tensor(x1), tensor(x2)
    out = result_type(a.dtype.name, b.dtype.name)
    work = result_type(out, float)
    a, b = tf.reshape(tf.cast(a, work), [-1]), tf.reshape(tf.cast(b, work), [-1])
    return tf.cast(tf.reduce_sum(a * b), out)


@keras_op
def inner(x1, x2):
    from tfgraph_keras.ops.linalg import tensordot
    a, b = tensor(x1), tensor(x2)
    out = result_type(a.dtype.name, b.dtype.name)
    work = result_type(out, float)
    a, b = tf.cast(a, work), tf.cast(b, work)
    if not _static(a) or not _static(b):
        return tf.cast(a * b, out)
    return tf.cast(tensordot(a, b, [[len(_static(a)) - 1], [len(_static(b)) - 1]]), out)


@keras_op
def bincount(x, weights=None, minlength=0, sparse=False):
    """keras.ops.bincount: counts (or summed weights) of each non-negative integer in x (1-D, or
    2-D counted per row)."""
    if sparse:
        raise ValueError("keras.ops.bincount: sparse=True is not supported by tfgraph")
    x = tensor(x)
    if x.dtype.name not in ("int32", "int64"):
        x = tf.cast(x, "int32")
    x = tf.cast(x, "int32")
    if weights is None:
        dtype = "int32"
        w = tf.ones_like(x)
    else:
        w = tensor(weights)
        dtype = result_type(x.dtype.name, w.dtype.name)
        w = tf.cast(w, dtype)
    length = tf.maximum(tf.reduce_max(x) + 1, minlength) if _static(x) != [0] else minlength
    length = tf.maximum(length, 0)
    if len(_static(x)) == 2:  # per row: shift each row's ids into its own block of `length`
        rows = _dims(x)[0]
        ids = x + tf.reshape(tf.range(0, rows, dtype=tf.int32), [-1, 1]) * length
        flat = tf.unsorted_segment_sum(tf.reshape(w, [-1]), tf.reshape(ids, [-1]), rows * length)
        return tf.reshape(flat, tf.stack([rows, length]))
    return tf.unsorted_segment_sum(w, x, length)


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """keras.ops.searchsorted on a 1-D sorted sequence: insertion indices (int32)."""
    seq = tensor(sorted_sequence)
    if len(_static(seq)) != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. Received: "
                         "sorted_sequence.shape=%s" % (seq.shape,))
    if side not in ("left", "right"):
        raise ValueError("`side` must be 'left' or 'right', got %r" % (side,))
    seq, v = _promoted(seq, values)
    before = tf.less(seq, tf.expand_dims(v, -1)) if side == "left" else \
        tf.less_equal(seq, tf.expand_dims(v, -1))
    return tf.reduce_sum(tf.cast(before, "int32"), axis=-1)


@keras_op
def digitize(x, bins):
    """keras.ops.digitize for increasing `bins`: i such that bins[i-1] <= x < bins[i]."""
    x = tensor(x)
    edges = tf.constant(np.asarray([float(b) for b in bins], np.float64))
    below = tf.less_equal(edges, tf.expand_dims(tf.cast(x, "float64"), -1))
    return tf.reduce_sum(tf.cast(below, "int32"), axis=-1)


@keras_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """keras.ops.quantile (method 'linear', 'lower', 'higher', 'nearest' or 'midpoint'); q is
    a scalar or a 1-D list of fractions, whose axis leads the result."""
    from tfgraph_keras.ops.numpy import sort
    x = tensor(x)
    out_dtype = x.dtype.name if x.dtype.is_floating else floatx()
    work = "float64" if out_dtype == "float64" else "float32"
    x = tf.cast(x, work)
    nd = len(_static(x))
    axes = list(range(nd)) if axis is None else \
        sorted(a % nd for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
    keep = [i for i in range(nd) if i not in axes]
    moved = tf.transpose(x, keep + axes)
    lead = [_dims(x)[i] for i in keep]
    flat = tf.reshape(moved, lead + [-1])
    ordered = sort(flat, axis=-1)
    n = _dims(flat)[-1]
    # q is rounded to float32 first and positions computed in float64, as Keras does: this
    # decides which neighbour 'higher'/'lower' pick when q * (n - 1) is nearly whole
    qs = np.atleast_1d(np.asarray(q, np.float32)).astype(np.float64)
    pos = tf.constant(qs) * tf.cast(n - 1, "float64")
    lo, hi = tf.floor(pos), tf.ceil(pos)
    if method == "lower":
        hi = lo
    elif method == "higher":
        lo = hi
    elif method == "nearest":
        lo = hi = tf.round(pos)
    elif method not in ("linear", "midpoint"):
        raise ValueError("keras.ops.quantile: unknown method %r" % (method,))
    a = tf.gather(ordered, tf.cast(lo, "int32"), axis=-1)
    b = tf.gather(ordered, tf.cast(hi, "int32"), axis=-1)
    frac = tf.constant(0.5, work) if method == "midpoint" else tf.cast(pos - lo, work)
    out = a + (b - a) * frac  # (..., len(q))
    if keepdims:
        shape = [1 if i in axes else d for i, d in enumerate(_dims(x))]
        out = tf.reshape(tf.transpose(out, [len(lead)] + list(range(len(lead)))),
                         [len(qs)] + shape)
    else:
        out = tf.transpose(out, [len(lead)] + list(range(len(lead))))
    if np.ndim(q) == 0:
        out = tf.squeeze(out, [0])
    return tf.cast(out, out_dtype)


@keras_op
def median(x, axis=None, keepdims=False):
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    return quantile(x, np.asarray(q, np.float64) / 100.0, axis=axis, method=method,
                    keepdims=keepdims)


@keras_op
def select(condlist, choicelist, default=0):
    """keras.ops.select: the choice of the first true condition, else `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError("keras.ops.select: condlist and choicelist must have the same length")
    choices = _promoted(*choicelist, default)
    out = choices[-1]
    for cond, choice in zip(reversed(condlist), reversed(choices[:-1])):
        out = tf.where(tensor(cond, "bool"), choice, out)
    return out


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    from tfgraph_keras.ops.array import flip, swapaxes
    x = tensor(array)
    if len(_static(x)) < 2:
        raise ValueError("Input array must have at least 2 dimensions. Received: array.ndim=%d"
                         % len(_static(x)))
    a0, a1 = axes
    k %= 4
    if k == 0:
        return tf.identity(x)
    if k == 2:
        return flip(flip(x, a0), a1)
    if k == 1:
        return swapaxes(flip(x, a1), a0, a1)
    return flip(swapaxes(x, a0, a1), a1)


@keras_op
def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """keras.ops.segment_max; empty segments hold the dtype's lowest value (TF's rule)."""
    from tfgraph.framework.op_def import constant_value
    data, ids = tensor(data), tensor(segment_ids, "int32")
    if num_segments is None:
        value = constant_value(ids)
        if value is None:
            raise ValueError("keras.ops.segment_max: give `num_segments` when segment_ids are "
                             "computed at run time")
        num_segments = int(np.max(value)) + 1 if value.size else 0
    member = tf.one_hot(ids, num_segments, on_value=True, off_value=False, dtype=tf.bool)
    inner_nd = len(_static(data)) - 1
    member = tf.reshape(member, [-1, num_segments] + [1] * inner_nd)
    lowest = np.finfo(data.dtype.np).min if data.dtype.is_floating else \
        np.iinfo(data.dtype.np).min
    spread = tf.where(member, tf.expand_dims(data, 1),
                      tf.fill(tf.shape(tf.expand_dims(data, 1)), tf.constant(lowest, data.dtype)))
    return tf.reduce_max(spread, axis=0)


__all__ = ["bincount", "cbrt", "deg2rad", "digitize", "empty", "heaviside", "hypot", "inner",
           "is_tensor", "logspace", "median", "percentile", "quantile", "rad2deg",
           "rot90", "searchsorted", "segment_max", "select", "signbit", "tri", "trunc", "unstack",
           "vdot"]
