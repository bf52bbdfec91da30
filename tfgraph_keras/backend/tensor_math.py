"""keras.backend's tensor functions (Keras 2 semantics): shapes, reductions, element-wise math,
dot products, convolution and pooling, padding and the functional loops, each on tfgraph ops."""
import builtins

import numpy as np

import tfgraph as tf

from tfgraph_keras.backend.core import _seed, floatx, image_data_format, int_shape, ndim


# -- shapes -----------------------------------------------------------------------------------------
def dtype(x):
    return x.dtype.name if hasattr(x.dtype, "name") else str(x.dtype)


shape = tf.shape


def is_keras_tensor(x):
    return hasattr(x, "_keras_history")


def is_tensor(x):
    return hasattr(x, "graph") and hasattr(x, "dtype")


def count_params(x):
    return int(np.prod(x.shape.as_list()))


def cast(x, dtype):
    return tf.cast(x, dtype)


def reshape(x, shape):
    return tf.reshape(x, shape)


def flatten(x):
    return tf.reshape(x, [-1])


def batch_flatten(x):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""
    rest = int_shape(x)[1:]
    if builtins.all(d is not None for d in rest):
        return tf.reshape(x, [-1, int(np.prod(rest, dtype=np.int64))])
    return tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))


def expand_dims(x, axis=-1):
    return tf.expand_dims(x, axis)


def squeeze(x, axis):
    return tf.squeeze(x, [axis])


def stack(x, axis=0):
    return tf.stack(x, axis=axis)


def concatenate(tensors, axis=-1):
    if axis < 0:
        rank = ndim(tensors[0])
        axis = axis % rank if rank else 0
    return tf.concat(list(tensors), axis)


def permute_dimensions(x, pattern):
    return tf.transpose(x, perm=list(pattern))


transpose = tf.transpose


def tile(x, n):
    return tf.tile(x, [n] if isinstance(n, int) else n)


def repeat_elements(x, rep, axis):
    """Repeats each slice along `axis` `rep` times, like np.repeat."""
    static = int_shape(x)
    axis = axis % len(static)
    x_rep = tf.tile(tf.expand_dims(x, axis + 1),
                    [1] * (axis + 1) + [rep] + [1] * (len(static) - axis - 1))
    if builtins.all(d is not None for d in static):
        new_shape = list(static)
        new_shape[axis] *= rep
        return tf.reshape(x_rep, new_shape)
    reps = np.ones(len(static), np.int32)
    reps[axis] = rep
    out = tf.reshape(x_rep, tf.shape(x) * tf.constant(reps))
    return out


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    if ndim(x) != 2:
        raise ValueError("K.repeat expects a 2D tensor (batch, dim); received shape %s."
                         % (int_shape(x),))
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(x, axes)


def arange(start, stop=None, step=1, dtype="int32"):
    if stop is None:
        start, stop = 0, start
    return tf.constant(np.arange(start, stop, step), dtype=dtype)


def one_hot(indices, num_classes):
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def gather(reference, indices):
    return tf.gather(reference, indices)


# -- reductions and element-wise math (custom losses and Lambda layers written against `K`) -----
def _float_if_bool(x):
    return tf.cast(x, floatx()) if x.dtype.name == "bool" else x


def mean(x, axis=None, keepdims=False):
    return tf.reduce_mean(_float_if_bool(x), axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False):
    return tf.reduce_sum(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    return tf.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return tf.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return tf.reduce_prod(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return tf.reduce_variance(_float_if_bool(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return tf.reduce_std(_float_if_bool(x), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def cumsum(x, axis=0):
    return tf.cumsum(x, axis=axis)


def argmax(x, axis=-1):
    return tf.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return tf.argmin(x, axis=axis)


square = tf.square


def sqrt(x):
    """sqrt of max(x, 0): negative inputs give 0, as Keras 2."""
    return tf.sqrt(tf.maximum(x, tf.zeros_like(x)))


abs = tf.abs
exp = tf.exp
log = tf.log


def pow(x, a):
    return tf.pow(x, a)


round = tf.round
sign = tf.sign


def clip(x, min_value, max_value):
    """clip_by_value; max_value below min_value is raised to min_value; None means unbounded."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        max_value = builtins.max(max_value, min_value)
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return tf.clip_by_value(x, min_value, max_value)


maximum = tf.maximum
minimum = tf.minimum
equal = tf.equal
not_equal = tf.not_equal
greater = tf.greater
greater_equal = tf.greater_equal
less = tf.less
less_equal = tf.less_equal


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x**2, axis), 1e-12))."""
    return tf.nn.l2_normalize(x, axis=axis)


def dot(x, y):
    """Matrix product; for rank > 2 contracts x's last axis with y's second-to-last (Theano's dot):
    the result has shape x.shape[:-1] + y.shape[:-2] + y.shape[-1:]."""
    if ndim(x) is None or (ndim(x) <= 2 and ndim(y) <= 2):
        return tf.matmul(x, y)
    xs, ys = _mixed_shape(x), _mixed_shape(y)
    perm = list(range(ndim(y)))
    perm = [perm.pop(-2)] + perm
    xt = tf.reshape(x, [-1, xs[-1]])
    yt = tf.reshape(tf.transpose(y, perm=perm), [ys[-2], -1])
    return tf.reshape(tf.matmul(xt, yt), _shape_arg(xs[:-1] + ys[:-2] + ys[-1:]))


def _mixed_shape(x):
    """Static dims as ints, unknown ones as scalar tensors of tf.shape(x)."""
    dyn = None
    out = []
    for i, d in enumerate(int_shape(x)):
        if d is None:
            dyn = tf.shape(x) if dyn is None else dyn
            d = dyn[i]
        out.append(d)
    return out


def _shape_arg(dims):
    if builtins.all(isinstance(d, (int, np.integer)) for d in dims):
        return list(dims)
    return tf.stack([tf.constant(d, tf.int32) if isinstance(d, (int, np.integer)) else d
                     for d in dims])


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches, contracting x's axes[0] with y's axes[1] (Keras 2:
    default the last axis of x and the second-to-last of y (the last when y is 2D); a rank-2 pair
    gives shape (batch, 1))."""
    x_shape, y_shape = int_shape(x), int_shape(y)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         "shapes %s and %s." % (x_shape, y_shape))
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. Received "
                         "inputs with shapes %s and %s." % (x_shape, y_shape))
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    if builtins.any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError("Multiple target dimensions are not supported. Expected: None, int, "
                         "(int, int), Provided: %s" % (axes,))
    a0, a1 = axes[0] % x_ndim if axes[0] < 0 else axes[0], axes[1] % y_ndim if axes[1] < 0 \
        else axes[1]
    if 0 in (a0, a1):
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, "
                         "add a dummy batch dimension to your inputs using K.expand_dims(x, 0)")
    d1, d2 = x_shape[a0], y_shape[a1]
    if d1 is not None and d2 is not None and d1 != d2:
        raise ValueError("Cannot do batch_dot on inputs with shapes %s and %s with axes=%s. "
                         "x.shape[%d] != y.shape[%d] (%d != %d)."
                         % (x_shape, y_shape, [a0, a1], a0, a1, d1, d2))
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x, a0, x_ndim = tf.expand_dims(x, 1), a0 + 1, 3
    if y_ndim == 2:
        y, y_ndim = tf.expand_dims(y, 2), 3
    if a0 != x_ndim - 1:  # contracted axis of x last
        x = tf.transpose(x, [i for i in range(x_ndim) if i != a0] + [a0])
    if a1 != 1:  # contracted axis of y second
        rest = [i for i in range(1, y_ndim) if i != a1]
        y = tf.transpose(y, [0, a1] + rest)
    xs, ys = _mixed_shape(x), _mixed_shape(y)
    if x_ndim > 3:
        x = tf.reshape(x, _shape_arg([xs[0], -1, xs[-1]]))
    if y_ndim > 3:
        y = tf.reshape(y, _shape_arg([ys[0], ys[1], -1]))
    result = tf.matmul(x, y)
    if x_ndim > 3 or y_ndim > 3:
        out = [xs[0]] + (xs[1:-1] if x_ndim > 3 else [_mixed_shape(result)[1]])
        out += ys[2:] if y_ndim > 3 else [_mixed_shape(result)[-1]]
        result = tf.reshape(result, _shape_arg(out))
    if orig_x_ndim == 2:
        result = tf.squeeze(result, [1])
    elif orig_y_ndim == 2:
        result = tf.squeeze(result, [-1])
    return result


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def in_top_k(predictions, targets, k):
    """Whether each target (class index) is among the k largest predictions of its row."""
    return tf.nn.in_top_k(predictions, targets, k)


def bias_add(x, bias, data_format=None):
    """x + bias along the channel axis (last, or 1 for channels_first); a bias of rank
    ndim(x) - 1 is added to every sample."""
    data_format = _data_format(data_format)
    bias_shape = int_shape(bias)
    if len(bias_shape) != 1 and len(bias_shape) != ndim(x) - 1:
        raise ValueError("Unexpected bias dimensions %d, expect to be 1 or %d dimensions"
                         % (len(bias_shape), ndim(x) - 1))
    if len(bias_shape) == 1:
        if data_format == "channels_first" and ndim(x) > 2:
            return x + tf.reshape(bias, (1, bias_shape[0]) + (1,) * (ndim(x) - 2))
        return tf.nn.bias_add(x, bias)
    if data_format == "channels_first":
        return x + tf.reshape(bias, (1, bias_shape[-1]) + tuple(bias_shape[:-1]))
    return x + tf.reshape(bias, (1,) + tuple(bias_shape))


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta."""
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes each entry with probability `level` and scales the others by 1 / (1 - level)."""
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))


def _data_format(data_format):
    data_format = data_format or image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Unknown data_format: %s" % (data_format,))
    return data_format


def _to_channels_last(x, data_format):
    if data_format == "channels_first":
        return tf.transpose(x, [0] + list(range(2, ndim(x))) + [1])
    return x


def _from_channels_last(x, data_format):
    if data_format == "channels_first":
        return tf.transpose(x, [0, ndim(x) - 1] + list(range(1, ndim(x) - 1)))
    return x


def _padding(padding):
    if padding not in ("same", "valid"):
        raise ValueError("Unknown padding: %s" % (padding,))
    return padding.upper()


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution, kernel (width, in, out); padding 'causal' pads on the left only."""
    data_format = _data_format(data_format)
    kernel_width = int_shape(kernel)[0]
    x = _to_channels_last(x, data_format)
    if padding == "causal":
        left = dilation_rate * (kernel_width - 1)
        x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
        padding = "valid"
    out = tf.nn.conv2d(tf.expand_dims(x, 1), tf.expand_dims(kernel, 0),
                       strides=[1, 1, strides, 1], padding=_padding(padding),
                       dilations=[1, 1, dilation_rate, 1])
    return _from_channels_last(tf.squeeze(out, [1]), data_format)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2D convolution, kernel (rows, cols, in, out); channels_first inputs are transposed to
    NHWC and back, as Keras 2 does on CPU."""
    data_format = _data_format(data_format)
    out = tf.nn.conv2d(_to_channels_last(x, data_format), kernel,
                       strides=[1, strides[0], strides[1], 1], padding=_padding(padding),
                       dilations=[1, dilation_rate[0], dilation_rate[1], 1])
    return _from_channels_last(out, data_format)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D max or average pooling."""
    data_format = _data_format(data_format)
    if pool_mode not in ("max", "avg"):
        raise ValueError("Invalid pooling mode: %s" % (pool_mode,))
    fn = tf.nn.max_pool if pool_mode == "max" else tf.nn.avg_pool
    out = fn(_to_channels_last(x, data_format), ksize=[1, pool_size[0], pool_size[1], 1],
             strides=[1, strides[0], strides[1], 1], padding=_padding(padding))
    return _from_channels_last(out, data_format)


cos = tf.cos
sin = tf.sin


def cast_to_floatx(x):
    """A numpy value as a floatx() array (a tensor is cast)."""
    if is_tensor(x):
        return tf.cast(x, floatx())
    return np.asarray(x, dtype=floatx())


def temporal_padding(x, padding=(1, 1)):
    """Zero-pads the time axis of (batch, time, features)."""
    if len(padding) != 2:
        raise ValueError("temporal_padding: padding must be (left, right); received %s"
                         % (padding,))
    return tf.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zero-pads the rows and columns of a 4D image batch."""
    if len(padding) != 2 or len(padding[0]) != 2 or len(padding[1]) != 2:
        raise ValueError("spatial_2d_padding: padding must be ((top, bottom), (left, right)); "
                         "received %s" % (padding,))
    if _data_format(data_format) == "channels_first":
        return tf.pad(x, [[0, 0], [0, 0], list(padding[0]), list(padding[1])])
    return tf.pad(x, [[0, 0], list(padding[0]), list(padding[1]), [0, 0]])


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsamples rows and columns by integer factors (nearest neighbour: each pixel repeated)."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Invalid `data_format` argument: %s" % (data_format,))
    if interpolation != "nearest":
        raise ValueError('K.resize_images: tfgraph_keras supports interpolation="nearest"; '
                         'received "%s".' % (interpolation,))
    rows = 2 if data_format == "channels_first" else 1
    return repeat_elements(repeat_elements(x, height_factor, rows), width_factor, rows + 1)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """(normalized x, batch mean, batch variance) over `reduction_axes`. As Keras 2 on a CPU, a
    channels_last 4D input (axes [0, 1, 2]) reports the fused kernel's variance, corrected by
    n / (n - 1); every other layout the plain batch variance."""
    reduction_axes = list(reduction_axes)
    mean, variance = tf.nn.moments(x, reduction_axes)
    shape = int_shape(x)
    keep = [1 if a in reduction_axes else (shape[a] if shape[a] is not None else -1)
            for a in range(len(shape))]
    if -1 in keep:
        keep = tf.stack([1 if a in reduction_axes else tf.shape(x)[a] for a in range(len(shape))])

    def bcast(t):
        return None if t is None else tf.reshape(t, keep)
    normed = tf.nn.batch_normalization(x, bcast(mean), bcast(variance), bcast(beta), bcast(gamma),
                                       epsilon)
    if len(shape) == 4 and reduction_axes == [0, 1, 2]:
        n = int(np.prod([shape[a] for a in reduction_axes]))
        variance = variance * (n / builtins.max(n - 1, 1))
    return normed, mean, variance


def _static_elems(elems, fn_name):
    n = int_shape(elems)[0] if int_shape(elems) else None
    if n is None:
        raise ValueError("K.%s: tfgraph_keras unrolls the loop and needs a static first "
                         "dimension; received shape %s." % (fn_name, int_shape(elems)))
    return tf.unstack(elems, axis=0)


def map_fn(fn, elems, name=None, dtype=None):
    """fn applied to each slice elems[i] (the loop is unrolled: the first dimension must be
    static)."""
    return tf.stack([fn(e) for e in _static_elems(elems, "map_fn")], axis=0)


def foldl(fn, elems, initializer=None, name=None):
    """fn(acc, elems[i]) over i = 0, 1, ... starting from initializer (or elems[0])."""
    return _fold(fn, _static_elems(elems, "foldl"), initializer)


def foldr(fn, elems, initializer=None, name=None):
    """fn(acc, elems[i]) over i = n - 1, ..., 0 starting from initializer (or elems[-1])."""
    return _fold(fn, _static_elems(elems, "foldr")[::-1], initializer)


def _fold(fn, items, acc):
    if acc is None:
        acc, items = items[0], items[1:]
    for e in items:
        acc = fn(acc, e)
    return acc
