"""Helpers shared by the keras.ops modules: promotion, static/dynamic dimensions, gathers."""
import builtins

import numpy as np

import tfgraph as tf
from tfgraph_keras.ops.core import dtype_of, floatx, result_type, tensor


def _promoted(*xs, extra=()):
    dtype = result_type(*[dtype_of(x) for x in xs], *extra)
    return [tensor(x, dtype) for x in xs]


def _floating(x):
    """x converted, then cast to floatx when it is integer or bool (Keras's float-valued ops)."""
    x = tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, floatx())


def _static(t):
    dims = t.shape.as_tuple()
    if dims is None:
        raise ValueError("keras.ops: %s needs a known rank" % t.name)
    return dims


def _dims(t):
    """Each dimension of t: an int where static, else a scalar int32 Tensor."""
    dims = _static(t)
    if builtins.all(d is not None for d in dims):
        return list(dims)
    dyn = tf.shape(t)
    return [d if d is not None else dyn[i] for i, d in enumerate(dims)]


def _prod(dims):
    if builtins.all(isinstance(d, int) for d in dims):
        return int(np.prod(dims, dtype=np.int64))
    return tf.reduce_prod(tf.stack([tensor(d, "int32") for d in dims]))


def _axes(axis, ndim):
    if axis is None:
        return None
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    return [a % ndim if ndim else a for a in axes]


def _binary(fn, x1, x2, extra=()):
    a, b = _promoted(x1, x2, extra=extra)
    return fn(a, b)

def _move_last(x, axis):
    nd = len(_static(x))
    axis %= nd
    if axis == nd - 1:
        return x, None
    perm = [i for i in range(nd) if i != axis] + [axis]
    return tf.transpose(x, perm), list(np.argsort(perm))


def _gather_last(x, idx):
    """out[..., j] = x[..., idx[..., j]] for x (..., n), idx (..., k) with equal leading dims."""
    dims, kdims = _dims(x), _dims(idx)
    rows, n, k = _prod(dims[:-1]), dims[-1], kdims[-1]
    offsets = tf.reshape(tf.range(0, rows, dtype=idx.dtype) * tf.cast(n, idx.dtype), [-1, 1])
    flat = tf.reshape(tf.reshape(idx, [rows, k]) + offsets, [-1])
    return tf.reshape(tf.gather(tf.reshape(x, [-1]), flat), dims[:-1] + [k])


def _fix_negative(indices, size):
    return tf.where(indices < 0, indices + tf.cast(size, indices.dtype), indices)


def _offset_from_diagonal(x):
    """col - row for the last two axes of x, as an int32 (n, m) Tensor (run-time sizes too)."""
    n, m = _dims(x)[-2:]
    rows = tf.reshape(tf.range(0, n, dtype=tf.int32), [-1, 1])
    cols = tf.reshape(tf.range(0, m, dtype=tf.int32), [1, -1])
    return cols - rows
