"""keras.ops, nn set: activations, convolutions, pooling, cross-entropies and normalization.

Keras 3's names and arguments (data_format "channels_last" by default, strides/pool sizes as ints
or tuples, padding "valid"/"same"), mapped onto tfgraph's NHWC ops. depthwise_conv is composed
from one conv2d over a block-diagonal filter, so it needs no op of its own and its gradients come
from Conv2D's.
"""
import math

import numpy as np

import tfgraph as tf
from tfgraph_keras.ops._helpers import _floating, _static
from tfgraph_keras.ops.core import keras_op, standardize_dtype, tensor


def _epsilon():
    from tfgraph_keras import backend
    return backend.epsilon()


# -- activations -----------------------------------------------------------------------------------
@keras_op
def relu(x):
    return tf.nn.relu(tensor(x))


@keras_op
def relu6(x):
    return tf.nn.relu6(tensor(x))


@keras_op
def sigmoid(x):
    return tf.sigmoid(_floating(x))


@keras_op
def hard_sigmoid(x):
    x = _floating(x)
    return tf.nn.relu6(x + 3.0) / 6.0


@keras_op
def hard_silu(x):
    x = _floating(x)
    return x * (tf.nn.relu6(x + 3.0) / 6.0)


hard_swish = hard_silu


@keras_op
def softplus(x):
    return tf.nn.softplus(_floating(x))


@keras_op
def softsign(x):
    return tf.nn.softsign(_floating(x))


@keras_op
def silu(x):
    x = _floating(x)
    return x * tf.sigmoid(x)


swish = silu


@keras_op
def log_sigmoid(x):
    return -tf.nn.softplus(-_floating(x))


@keras_op
def leaky_relu(x, negative_slope=0.2):
    return tf.nn.leaky_relu(_floating(x), alpha=negative_slope)


@keras_op
def elu(x, alpha=1.0):
    x = _floating(x)
    y = tf.nn.elu(x)
    return y if alpha == 1.0 else tf.where(x > 0, y, alpha * y)


@keras_op
def selu(x):
    return tf.nn.selu(_floating(x))


@keras_op
def gelu(x, approximate=True):
    """keras.ops.gelu: the tanh approximation by default, else x * Phi(x) through erf."""
    x = _floating(x)
    if approximate:
        c = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1.0 + tf.tanh(c * (x + 0.044715 * x * x * x)))
    from tfgraph.ops.special_fn_ops import erf
    return 0.5 * x * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))


def _over_axes(fn, x, axis):
    """fn(logits, last axis) applied over `axis` (an int, a tuple of axes, or None for all)."""
    nd = len(_static(x))
    axes = list(range(nd)) if axis is None else \
        [a % nd for a in (axis if isinstance(axis, (list, tuple)) else [axis])]
    if axes == [nd - 1]:
        return fn(x)
    keep = [i for i in range(nd) if i not in axes]
    moved = tf.transpose(x, keep + axes)
    dims = tf.shape(moved)
    flat = tf.reshape(moved, tf.concat([dims[:len(keep)], [-1]], 0))
    y = tf.reshape(fn(flat), dims)
    return tf.transpose(y, list(np.argsort(keep + axes)))


@keras_op
def softmax(x, axis=-1):
    return _over_axes(tf.nn.softmax, _floating(x), axis)


@keras_op
def log_softmax(x, axis=-1):
    return _over_axes(tf.nn.log_softmax, _floating(x), axis)


# -- normalization and statistics ------------------------------------------------------------------
@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """keras.ops.normalize: x / max(norm(x, order), epsilon) along `axis`."""
    if not isinstance(order, int) or order < 1:
        raise ValueError("Argument `order` must be an int >= 1. Received: order=%r" % (order,))
    x = _floating(x)
    epsilon = _epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = tf.rsqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
        return x * tf.minimum(inv, 1.0 / epsilon)
    from tfgraph_keras.ops.linalg import norm
    return x / tf.maximum(norm(x, ord=order, axis=axis, keepdims=True), epsilon)


@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """keras.ops.moments: (mean, variance) over `axes`; float16 computes in float32."""
    x = _floating(x)
    dtype = x.dtype
    if dtype.name == "float16":
        x = tf.cast(x, "float32")
    axes = list(axes) if isinstance(axes, (list, tuple)) else [axes]
    mean = tf.reduce_mean(x, axis=axes, keepdims=True)
    variance = tf.reduce_mean(tf.square(x - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = tf.squeeze(mean, axes), tf.squeeze(variance, axes)
    if dtype.name == "float16":
        mean, variance = tf.cast(mean, dtype), tf.cast(variance, dtype)
    return mean, variance


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """keras.ops.batch_normalization: (x - mean) / sqrt(variance + epsilon) * scale + offset,
    with the 1-D statistics laid along `axis`."""
    x = tensor(x)
    nd = len(_static(x))
    axis %= nd
    shape = [1] * nd
    shape[axis] = -1

    def along(v):
        return tf.reshape(tensor(v, x.dtype.name), shape)
    inv = tf.rsqrt(along(variance) + epsilon)
    if scale is not None:
        inv = inv * along(scale)
    out = x * inv - along(mean) * inv
    return out + along(offset) if offset is not None else out


# -- encodings -------------------------------------------------------------------------------------
@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """keras.ops.one_hot: float32 by default; negative or out-of-range indices give zeros."""
    if sparse:
        raise ValueError("keras.ops.one_hot: sparse=True is not supported by tfgraph")
    x = tensor(x)
    if not x.dtype.is_integer:
        x = tf.cast(x, "int32")
    return tf.one_hot(x, num_classes, axis=axis, dtype=standardize_dtype(dtype))


@keras_op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """keras.ops.multi_hot: 1 at every class present in each row (the batch is axis 0)."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    x = tensor(inputs)
    reduce_axis = 1 if len(_static(x)) > 1 else 0
    hot = one_hot(x, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    if hot.dtype.is_bool:
        return tf.reduce_any(hot, axis=reduce_axis)
    return tf.reduce_max(hot, axis=reduce_axis)


# -- cross-entropies -------------------------------------------------------------------------------
def _logits_of(output, from_logits, op_type):
    """Keras's shortcut: the output of a Softmax/Sigmoid op is replaced by that op's logits."""
    if not from_logits and isinstance(output, tf.Tensor) and output.op.type == op_type:
        return output.op.inputs[0], True
    return output, from_logits


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = tensor(target), tensor(output)
    if len(_static(target)) != len(_static(output)):
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         "Received: target.shape=%s, output.shape=%s"
                         % (target.shape, output.shape))
    output, from_logits = _logits_of(output, from_logits, "Softmax")
    if from_logits:
        return -tf.reduce_sum(target * log_softmax(output, axis=axis), axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.log(output), axis=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = tensor(output)
    nd = len(_static(output))
    if axis not in (-1, nd - 1):
        raise ValueError("Only axis=-1 is currently supported. Received: axis=%s" % (axis,))
    target = tensor(target)
    if len(_static(target)) == nd and _static(target)[-1] == 1:
        target = tf.squeeze(target, [-1])
    if len(_static(target)) != nd - 1:
        raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: "
                         "target.shape=%s, output.shape=%s" % (target.shape, output.shape))
    output, from_logits = _logits_of(output, from_logits, "Softmax")
    if not target.dtype.is_integer:
        target = tf.cast(target, "int32")
    depth = _static(output)[-1]
    hot = tf.one_hot(target, depth, dtype=output.dtype)
    if from_logits:
        return -tf.reduce_sum(hot * tf.nn.log_softmax(output), axis=-1)
    output = output / tf.reduce_sum(output, axis=-1, keepdims=True)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(hot * tf.log(output), axis=-1)


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    target, output = tensor(target), tensor(output)
    if len(_static(target)) != len(_static(output)):
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         "Received: target.shape=%s, output.shape=%s"
                         % (target.shape, output.shape))
    output, from_logits = _logits_of(output, from_logits, "Sigmoid")
    target = tf.cast(target, output.dtype)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -(target * tf.log(output) + (1.0 - target) * tf.log(1.0 - output))


# -- convolution and pooling -----------------------------------------------------------------------
def _tuple(v, n, name):
    vals = tuple(v) if isinstance(v, (list, tuple)) else (v,) * n
    if len(vals) != n:
        raise ValueError("`%s` must be an int or a tuple of %d ints, got %r" % (name, n, v))
    return tuple(int(i) for i in vals)


def _padding(padding):
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError("`padding` must be 'valid' or 'same', got %r" % (padding,))
    return padding.upper()


def _spatial(inputs, data_format):
    """(channels-last input, spatial rank, a function restoring the caller's layout)."""
    from tfgraph_keras import backend
    x = tensor(inputs)
    nd = len(_static(x))
    if nd not in (3, 4):
        raise ValueError("keras.ops convolutions and pools take rank 3 (1-D) or rank 4 (2-D) "
                         "inputs under tfgraph; got shape %s" % (x.shape,))
    data_format = data_format or backend.image_data_format()
    if data_format == "channels_first":
        to_last = [0] + list(range(2, nd)) + [1]
        x = tf.transpose(x, to_last)
        return x, nd - 2, lambda y: tf.transpose(y, list(np.argsort(to_last)))
    return x, nd - 2, lambda y: y


def _as_2d(x, rank):
    return tf.expand_dims(x, 1) if rank == 1 else x


def _from_2d(y, rank):
    return tf.squeeze(y, [1]) if rank == 1 else y


def _conv2d(x, kernel, rank, strides, padding, dilation_rate):
    s = (1,) + _tuple(strides, rank, "strides") if rank == 1 else _tuple(strides, 2, "strides")
    d = (1,) + _tuple(dilation_rate, rank, "dilation_rate") if rank == 1 else \
        _tuple(dilation_rate, 2, "dilation_rate")
    k = tf.expand_dims(kernel, 0) if rank == 1 else kernel
    return tf.nn.conv2d(_as_2d(x, rank), k, strides=[1, s[0], s[1], 1], padding=_padding(padding),
                        dilations=[1, d[0], d[1], 1])


@keras_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """keras.ops.conv: 1-D or 2-D convolution; kernel (*spatial, in_channels, out_channels)."""
    x, rank, restore = _spatial(inputs, data_format)
    kernel = tensor(kernel, x.dtype.name)
    y = _conv2d(x, kernel, rank, strides, padding, dilation_rate)
    return restore(_from_2d(y, rank))


def _block_diagonal(kernel):
    """(kh, kw, C, M) depthwise kernel -> (kh, kw, C, C*M) dense kernel, zero off the block
    diagonal (output channel c*M + m reads input channel c only, as depthwise_conv2d orders)."""
    kh, kw, c, m = _static(kernel)
    mask = np.zeros((1, 1, c, c * m), np.float32)
    for i in range(c):
        mask[0, 0, i, i * m:(i + 1) * m] = 1
    tiled = tf.tile(tf.reshape(kernel, [kh, kw, 1, c * m]), [1, 1, c, 1])
    return tiled * tf.constant(mask.astype(kernel.dtype.np))


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """keras.ops.depthwise_conv: kernel (*spatial, in_channels, multiplier)."""
    x, rank, restore = _spatial(inputs, data_format)
    kernel = tensor(kernel, x.dtype.name)
    k2 = tf.expand_dims(kernel, 0) if rank == 1 else kernel
    if None in _static(k2):
        raise ValueError("keras.ops.depthwise_conv needs a kernel of static shape")
    dense = _block_diagonal(k2)
    y = _conv2d(_as_2d(x, rank), dense, 2, (1,) + _tuple(strides, 1, "strides")
                if rank == 1 else strides, padding,
                (1,) + _tuple(dilation_rate, 1, "dilation_rate") if rank == 1 else dilation_rate)
    return restore(_from_2d(y, rank))


@keras_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """keras.ops.separable_conv: depthwise_conv, then a 1x1 conv with `pointwise_kernel`."""
    from tfgraph_keras import backend
    fmt = data_format or backend.image_data_format()
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, fmt, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", fmt, 1)


def _transpose_length(n, k, stride, padding, output_padding, dilation):
    k = (k - 1) * dilation + 1
    if output_padding is None:
        return n * stride if padding == "same" else n * stride + max(k - stride, 0)
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * stride + k - 2 * pad + output_padding


@keras_op
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """keras.ops.conv_transpose: kernel (*spatial, out_channels, in_channels), Keras's output
    length rule."""
    x, rank, restore = _spatial(inputs, data_format)
    kernel = tensor(kernel, x.dtype.name)
    s = _tuple(strides, rank, "strides")
    d = _tuple(dilation_rate, rank, "dilation_rate")
    op_ = [None] * rank if output_padding is None else list(_tuple(output_padding, rank,
                                                                    "output_padding"))
    ks = _static(kernel)
    dims = _static(x)
    if None in ks or None in dims[1:]:
        raise ValueError("keras.ops.conv_transpose needs static spatial sizes and kernel shape; "
                         "got inputs %s, kernel %s" % (x.shape, kernel.shape))
    spatial = [_transpose_length(dims[1 + i], ks[i], s[i], padding.lower(), op_[i], d[i])
               for i in range(rank)]
    batch = tf.shape(x)[0]
    if rank == 1:
        s, d, spatial = (1,) + s, (1,) + d, [1] + spatial
        kernel = tf.expand_dims(kernel, 0)
    out_shape = tf.stack([batch] + [tf.constant(v) for v in spatial] + [tf.constant(ks[-2])])
    y = tf.nn.conv2d_transpose(_as_2d(x, rank), kernel, out_shape,
                               strides=[1, s[0], s[1], 1], padding=_padding(padding),
                               dilations=[1, d[0], d[1], 1])
    return restore(_from_2d(y, rank))


def _pool(fn, inputs, pool_size, strides, padding, data_format):
    x, rank, restore = _spatial(inputs, data_format)
    k = _tuple(pool_size, rank, "pool_size")
    s = k if strides is None else _tuple(strides, rank, "strides")
    if rank == 1:
        k, s = (1,) + k, (1,) + s
    y = fn(_as_2d(x, rank), ksize=[1, k[0], k[1], 1], strides=[1, s[0], s[1], 1],
           padding=_padding(padding))
    return restore(_from_2d(y, rank))


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """keras.ops.max_pool (1-D or 2-D); strides default to pool_size."""
    return _pool(tf.nn.max_pool, inputs, pool_size, strides, padding, data_format)


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """keras.ops.average_pool (1-D or 2-D; 'same' averages over the valid elements only)."""
    return _pool(tf.nn.avg_pool, inputs, pool_size, strides, padding, data_format)


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """keras.ops.layer_normalization: normalizes over `axis` per example, in at least float32."""
    x = tensor(x)
    dtype = x.dtype
    work = "float64" if dtype.name == "float64" else "float32"
    x = tf.cast(x, work)
    epsilon = _epsilon() if epsilon is None else epsilon
    nd = len(_static(x))
    axes = sorted(a % nd for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
    shape = [1] * nd
    for a in axes:
        shape[a] = _static(x)[a]

    def along(v):
        v = tensor(v, work)
        return tf.reshape(v, shape) if len(_static(v)) != nd and axes != [nd - 1] else v
    mean, variance = moments(x, axes, keepdims=True)
    inv = tf.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * along(gamma)
    shift = -mean * inv
    if beta is not None:
        shift = shift + along(beta)
    return tf.cast(x * inv + shift, dtype)


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """keras.ops.rms_normalization: x / sqrt(mean(x^2) + epsilon) * scale."""
    x = tensor(x)
    dtype = x.dtype
    x = tf.cast(x, "float64" if dtype.name == "float64" else "float32")
    epsilon = _epsilon() if epsilon is None else epsilon
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = x * tf.rsqrt(tf.reduce_mean(tf.square(x), axis=axes, keepdims=True) + epsilon)
    if scale is not None:
        out = out * tensor(scale, x.dtype.name)
    return tf.cast(out, dtype)


@keras_op
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """keras.ops.dot_product_attention on (batch, length, heads, head_dim) inputs: softmax of
    scaled query.key logits (plus `bias`, masked by `mask` and causally) applied to `value`."""
    if flash_attention:
        raise ValueError("Flash attention is not supported by tfgraph.")
    from tfgraph_keras.ops._helpers import _promoted
    from tfgraph_keras.ops.linalg import einsum
    q, k, v = _promoted(query, key, value)
    if len(_static(q)) != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. Received: "
                         "query.shape=%s, key.shape=%s, value.shape=%s"
                         % (q.shape, k.shape, v.shape))
    heads_q, heads_kv = _static(q)[2], _static(k)[2]
    if heads_q is not None and heads_kv is not None and heads_q > heads_kv > 1:
        from tfgraph_keras.ops.array import repeat
        k = repeat(k, heads_q // heads_kv, axis=2)
        v = repeat(v, heads_q // heads_kv, axis=2)
    if scale is None:
        scale = 1.0 / math.sqrt(_static(k)[-1])
    work = "float64" if q.dtype.name == "float64" else "float32"  # logits and softmax precision
    logits = tf.cast(einsum("btnh,bsnh->bnts", q, k), work) * tf.constant(scale, work)
    if bias is not None:
        logits = logits + tensor(bias, work)
    if attn_logits_soft_cap is not None:
        logits = tf.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
    keep = None if mask is None else tensor(mask, "bool")
    if is_causal:
        t, s = _static(logits)[2:]
        causal = tf.constant(np.tril(np.ones((t, s), bool)))
        keep = causal if keep is None else tf.logical_and(keep, causal)
    if keep is not None:
        large = -0.7 * 3.38953e38  # Keras's large negative, finite so rows never become NaN
        logits = tf.where(keep, logits, tf.fill(tf.shape(logits), tf.constant(large, work)))
    probs = tf.cast(tf.nn.softmax(logits), v.dtype)
    return einsum("bnts,bsnh->btnh", probs, v)


__all__ = ["average_pool", "batch_normalization", "binary_crossentropy",
           "categorical_crossentropy", "conv", "conv_transpose", "depthwise_conv",
           "dot_product_attention", "elu", "gelu", "hard_sigmoid", "hard_silu", "hard_swish",
           "layer_normalization", "leaky_relu", "log_sigmoid", "log_softmax", "max_pool",
           "moments", "multi_hot", "normalize", "one_hot", "relu", "relu6", "rms_normalization",
           "selu", "separable_conv", "sigmoid", "silu", "softmax", "softplus", "softsign",
           "sparse_categorical_crossentropy", "swish"]
