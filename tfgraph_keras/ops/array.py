"""keras.ops, arrays: shape manipulation, creation and indexing (numpy's semantics)."""
import builtins

import numpy as np

import tfgraph as tf
from tfgraph.framework.op_def import constant_value
from tfgraph_keras.ops._helpers import (
    _axes,
    _dims,
    _fix_negative,
    _gather_last,
    _move_last,
    _offset_from_diagonal,
    _promoted,
    _static,
)
from tfgraph_keras.ops.core import (
    dtype_of,
    floatx,
    is_tensor,
    keras_op,
    result_type,
    standardize_dtype,
    tensor,
)


# -- shape manipulation ----------------------------------------------------------------------------
@keras_op
def reshape(x, newshape):
    return tf.reshape(tensor(x), [newshape] if isinstance(newshape, int) else list(newshape))


@keras_op
def transpose(x, axes=None):
    return tf.transpose(tensor(x), None if axes is None else list(axes))


@keras_op
def expand_dims(x, axis):
    x = tensor(x)
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    out_nd = len(_static(x)) + len(axes)
    for a in sorted(a % out_nd for a in axes):
        x = tf.expand_dims(x, a)
    return x


@keras_op
def squeeze(x, axis=None):
    x = tensor(x)
    if axis is None:
        return tf.squeeze(x)
    return tf.squeeze(x, list(axis) if isinstance(axis, (list, tuple)) else [axis])


@keras_op
def broadcast_to(x, shape):
    return tf.broadcast_to(tensor(x), list(shape))


@keras_op
def concatenate(xs, axis=0):
    if axis is None:
        raise ValueError("keras.ops.concatenate: axis=None is not supported (the TensorFlow "
                         "backend refuses it too); flatten the inputs first")
    return tf.concat(_promoted(*xs), axis=axis)


@keras_op
def stack(x, axis=0):
    return tf.stack(_promoted(*x), axis=axis)


@keras_op
def split(x, indices_or_sections, axis=0):
    """keras.ops.split: `sections` equal parts, or cut before each of `indices` (numpy's rule)."""
    x = tensor(x)
    if isinstance(indices_or_sections, int):
        return tf.split(x, indices_or_sections, axis=axis)
    n = _static(x)[axis]
    if n is None:
        raise ValueError("keras.ops.split by indices needs a static size along axis %d" % axis)
    cuts = [0] + [builtins.min(builtins.max(int(i), 0), n) for i in indices_or_sections] + [n]
    sizes = [builtins.max(b - a, 0) for a, b in zip(cuts[:-1], cuts[1:])]
    return tf.split(x, sizes, axis=axis)


@keras_op
def tile(x, repeats):
    x = tensor(x)
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    nd = len(_static(x))
    if len(reps) > nd:
        x = tf.reshape(x, [1] * (len(reps) - nd) + _dims(x))
    reps = [1] * (builtins.max(nd, len(reps)) - len(reps)) + reps
    return tf.tile(x, reps)


@keras_op
def repeat(x, repeats, axis=None):
    x = tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    nd = len(_static(x))
    axis %= nd
    if isinstance(repeats, int):
        dims = _dims(x)
        reps = [1] * (axis + 1) + [repeats] + [1] * (nd - axis - 1)
        y = tf.tile(tf.expand_dims(x, axis + 1), reps)
        return tf.reshape(y, dims[:axis] + [dims[axis] * repeats] + dims[axis + 1:])
    index = np.repeat(np.arange(len(repeats)), np.asarray(repeats)).astype(np.int32)
    return tf.gather(x, index, axis=axis)


@keras_op
def take(x, indices, axis=None):
    x = tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    indices = tensor(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, "int32")
    return tf.gather(x, _fix_negative(indices, _dims(x)[axis]), axis=axis)


@keras_op
def take_along_axis(x, indices, axis=None):
    """keras.ops.take_along_axis: leading dimensions broadcast (run-time ones too)."""
    x = tensor(x)
    indices = tensor(indices)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    nd = len(_static(x))
    axis %= nd
    xm, back = _move_last(x, axis)
    im, _ = _move_last(indices, axis)
    xs, is_ = _static(xm), _static(im)
    if None in xs or None in is_:
        lead = tf.broadcast_dynamic_shape(tf.shape(xm)[:-1], tf.shape(im)[:-1])
        x_shape = tf.concat([lead, tf.shape(xm)[-1:]], 0)
        i_shape = tf.concat([lead, tf.shape(im)[-1:]], 0)
    else:
        lead = list(np.broadcast_shapes(tuple(xs[:-1]), tuple(is_[:-1])))
        x_shape, i_shape = lead + [xs[-1]], lead + [is_[-1]]
    xm = tf.broadcast_to(xm, x_shape)
    im = tf.broadcast_to(_fix_negative(im, _dims(xm)[-1]), i_shape)
    out = _gather_last(xm, im)
    return tf.transpose(out, back) if back is not None else out


@keras_op
def flip(x, axis=None):
    x = tensor(x)
    nd = len(_static(x))
    axes = list(range(nd)) if axis is None else _axes(axis, nd)
    return tf.reverse(x, axes)


@keras_op
def roll(x, shift, axis=None):
    x = tensor(x)
    if axis is None:
        return tf.reshape(roll(tf.reshape(x, [-1]), shift, 0), _dims(x))
    shifts = shift if isinstance(shift, (list, tuple)) else [shift]
    axes = _axes(axis, len(_static(x)))
    for s, a in zip(shifts * len(axes) if len(shifts) == 1 else shifts, axes):
        n = _static(x)[a]
        if n is not None:
            index = ((np.arange(n) - s) % n).astype(np.int32)
        else:  # a run-time size: the same index, computed in the graph
            size_ = tf.shape(x)[a]
            index = tf.mod(tf.range(0, size_, dtype=tf.int32) - s, size_)
        x = tf.gather(x, index, axis=a)
    return x


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    x = tensor(x)
    nd = len(_static(x))
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (nd, 2)).tolist()
    if constant_values is not None and mode != "constant":
        raise ValueError("Argument `constant_values` can only be provided when "
                         "`mode == 'constant'`. Received: mode=%s" % mode)
    if mode == "constant":
        return tf.pad(x, widths, constant_values=0 if constant_values is None else
                      tensor(constant_values, x.dtype.name))
    if mode in ("reflect", "symmetric"):
        return tf.pad(x, widths, mode=mode.upper())
    raise ValueError("keras.ops.pad: mode %r is not supported (constant, reflect, symmetric)"
                     % (mode,))


def _band(x, k, upper):
    x = tensor(x)
    offset = _offset_from_diagonal(x)
    keep = offset >= k if upper else offset <= k
    return tf.where(keep, x, tf.zeros_like(x))


@keras_op
def triu(x, k=0):
    return _band(x, k, True)


@keras_op
def tril(x, k=0):
    return _band(x, k, False)


@keras_op
def diag(x, k=0):
    """keras.ops.diag: a 1-D input builds a matrix; a 2-D input gives its k-th diagonal."""
    x = tensor(x)
    dims = _static(x)
    if None in dims:
        raise ValueError("keras.ops.diag needs a static shape, got %s" % (x.shape,))
    if len(dims) == 1:
        n = dims[0] + builtins.abs(k)
        rows = np.arange(dims[0]) + builtins.max(-k, 0)
        idx = np.stack([rows, rows + k], 1).astype(np.int32)
        return tf.scatter_nd(idx, x, [n, n])
    if len(dims) == 2:
        n, m = dims
        rows = np.arange(builtins.max(-k, 0), builtins.min(n, m - k))
        idx = np.stack([rows, rows + k], 1).astype(np.int32).reshape(-1, 2)
        return tf.gather_nd(x, idx)
    raise ValueError("keras.ops.diag: input must be 1-D or 2-D, got shape %s" % (dims,))


@keras_op
def meshgrid(*x, indexing="xy"):
    xs = [tf.reshape(tensor(v), [-1]) for v in x]
    n = len(xs)
    shape = [_dims(v)[0] for v in xs]
    if indexing == "xy" and n > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, v in enumerate(xs):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        view = [1] * n
        view[pos] = -1
        out.append(tf.broadcast_to(tf.reshape(v, view), shape))
    return out


# -- creation --------------------------------------------------------------------------------------
@keras_op
def arange(start, stop=None, step=None, dtype=None):
    if dtype is None:
        dtype = result_type(*[dtype_of(v) for v in (start, stop, step) if v is not None])
    dtype = standardize_dtype(dtype)
    return tf.range(start, stop, 1 if step is None else step, dtype=dtype)


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if num < 0:
        raise ValueError("`num` must be a non-negative integer. Received: num=%s" % num)
    work = result_type(dtype_of(start), dtype_of(stop), float)
    dtype = standardize_dtype(dtype) if dtype is not None else work
    if "int" in work:
        work = floatx()
    start, stop = tensor(start, work), tensor(stop, work)
    div = (num - 1) if endpoint else num
    step = (stop - start) / tf.constant(float(builtins.max(div, 1)), work)
    ramp = tf.range(0, num, dtype=work)
    shape = [-1] + [1] * len(_static(start))
    values = tf.expand_dims(start, 0) + tf.reshape(ramp, shape) * tf.expand_dims(step, 0)
    if endpoint and num > 1:  # the last point is exactly `stop`, as numpy makes it
        values = tf.concat([values[:-1], tf.expand_dims(stop, 0)], 0)
    if axis != 0:
        values = tf.transpose(values, _axis_to(len(_static(values)), axis))
    if "int" in dtype:
        values = tf.floor(values)
    values = tf.cast(values, dtype)
    return (values, step) if retstep else values


def _axis_to(nd, axis):
    perm = list(range(1, nd))
    perm.insert(axis % nd, 0)
    return perm


def _shape_list(shape):
    return [shape] if isinstance(shape, int) else list(shape)


@keras_op
def zeros(shape, dtype=None):
    return tf.zeros(_shape_list(shape), standardize_dtype(dtype))


@keras_op
def ones(shape, dtype=None):
    return tf.ones(_shape_list(shape), standardize_dtype(dtype))


@keras_op
def full(shape, fill_value, dtype=None):
    return tf.fill(_shape_list(shape), tensor(fill_value, standardize_dtype(dtype)))


@keras_op
def zeros_like(x, dtype=None):
    x = tensor(x)
    return tf.zeros_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


@keras_op
def ones_like(x, dtype=None):
    x = tensor(x)
    return tf.ones_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


@keras_op
def full_like(x, fill_value, dtype=None):
    x = tensor(x)
    dtype = standardize_dtype(dtype) if dtype else x.dtype.name
    return tf.fill(tf.shape(x), tensor(fill_value, dtype))


@keras_op
def eye(N, M=None, k=0, dtype=None):
    return tf.constant(np.eye(N, M, k=k, dtype=standardize_dtype(dtype)))


@keras_op
def identity(n, dtype=None):
    return eye(n, dtype=dtype)


# -- indices ---------------------------------------------------------------------------------------
@keras_op
def nonzero(x):
    """keras.ops.nonzero: a tuple of int32 index vectors (their length is known only when run)."""
    x = tensor(x)
    idx = tf.cast(tf.where(tf.not_equal(x, tf.zeros_like(x))), "int32")
    return tuple(idx[:, i] for i in range(len(_static(x))))


def unique(x, sorted=True, return_inverse=False, return_counts=False, axis=None,
           size=None, fill_value=None):
    """keras.ops.unique where the input's value is known when the graph is built (a numpy array
    or a constant): computed with numpy.unique, as a constant. A data-dependent input is refused
    (its output shape would be unknown)."""
    value = constant_value(x) if is_tensor(x) else np.asarray(x)
    if value is None:
        raise ValueError("keras.ops.unique needs a value known when the graph is built; %s is "
                         "computed at run time" % getattr(x, "name", x))
    out = np.unique(value, return_inverse=return_inverse, return_counts=return_counts, axis=axis)
    if isinstance(out, tuple):
        out = tuple(o.astype(np.int32) if i else o for i, o in enumerate(out))
    return tf.constant(out) if is_tensor(x) and not isinstance(out, tuple) else out


@keras_op
def ravel(x):
    return tf.reshape(tensor(x), [-1])


@keras_op
def copy(x):
    return tf.identity(tensor(x))


@keras_op
def size(x):
    """keras.ops.size: the element count as an int32 scalar."""
    return tf.size(tensor(x))


def ndim(x):
    """keras.ops.ndim: the rank, a Python int."""
    return len(_static(tensor(x))) if is_tensor(x) else np.ndim(x)


@keras_op
def swapaxes(x, axis1, axis2):
    x = tensor(x)
    nd = len(_static(x))
    perm = list(range(nd))
    perm[axis1 % nd], perm[axis2 % nd] = perm[axis2 % nd], perm[axis1 % nd]
    return tf.transpose(x, perm)


@keras_op
def moveaxis(x, source, destination):
    x = tensor(x)
    nd = len(_static(x))
    src = [a % nd for a in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [a % nd for a in (destination if isinstance(destination, (list, tuple))
                            else [destination])]
    if len(src) != len(dst):
        raise ValueError("Inconsistent number of `source` and `destination`. Received: "
                         "source=%s, destination=%s" % (source, destination))
    perm = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return tf.transpose(x, perm)


@keras_op
def hstack(xs):
    parts = _promoted(*xs)
    return tf.concat(parts, axis=0 if len(_static(parts[0])) == 1 else 1)


@keras_op
def vstack(xs):
    return tf.concat(_promoted(*xs), axis=0)


@keras_op
def append(x1, x2, axis=None):
    a, b = tensor(x1), tensor(x2)
    dtype = result_type(a.dtype.name, b.dtype.name)
    a, b = tensor(a, dtype), tensor(b, dtype)
    if axis is None:
        return tf.concat([tf.reshape(a, [-1]), tf.reshape(b, [-1])], 0)
    return tf.concat([a, b], axis)


@keras_op
def diff(a, n=1, axis=-1):
    """keras.ops.diff: the n-th discrete difference along `axis` (bool: inequality)."""
    a = tensor(a)
    if n < 0:
        raise ValueError("Order `n` must be non-negative. Received n=%s" % n)
    nd = len(_static(a))
    if nd == 0:
        raise ValueError("`diff` requires input that is at least one dimensional.")
    axis %= nd
    for _ in range(n):
        sizes = [-1] * nd
        sizes[axis] = _dims(a)[axis] - 1
        begin_hi = [0] * nd
        begin_hi[axis] = 1
        hi, lo = tf.slice(a, begin_hi, sizes), tf.slice(a, [0] * nd, sizes)
        a = tf.not_equal(hi, lo) if a.dtype.is_bool else hi - lo
    return a


__all__ = ["append", "arange", "broadcast_to", "concatenate", "copy", "diag", "diff",
           "expand_dims", "eye", "flip", "full", "full_like", "hstack", "identity", "linspace",
           "meshgrid", "moveaxis", "ndim", "nonzero", "ones", "ones_like", "pad", "ravel",
           "repeat", "reshape", "roll", "size", "split", "squeeze", "stack", "swapaxes", "take",
           "take_along_axis", "tile", "transpose", "tril", "triu", "unique", "vstack", "zeros",
           "zeros_like"]
