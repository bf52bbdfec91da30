"""tf.nn composites built from other ops: dropout, moments, batch_normalization, l2_normalize,
embedding_lookup, sigmoid cross-entropies, xw_plus_b, ... (no OpDefs: their gradients come from the
ops they are made of).
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import constant_value, convert_to_tensor, require
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_ops, math_ops, moments_ops, nn_ops


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


def _keep_dims(keepdims, keep_dims):
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'.")
    return bool(keepdims if keepdims is not None else keep_dims)


def _squeeze(t, axes, keep):
    return t if keep else array_ops.squeeze(t, list(axes))


# -- dropout ---------------------------------------------------------------------------------------
def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """tf.nn.dropout (TF1): keeps each element with probability keep_prob (= 1 - rate), scaled by
    1 / keep_prob, zero otherwise. The mask comes from tf.random_uniform, so tf.set_random_seed or
    `seed` make it reproducible. `noise_shape` broadcasts one mask over some dims.

        h = tf.nn.dropout(h, keep_prob)        # keep_prob: a float or a placeholder
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'.")
    if keep_prob is None and rate is None:
        raise ValueError("dropout needs 'keep_prob' or 'rate'.")
    g = get_default_graph()
    with g.name_scope(name or "dropout"):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to be scaled. "
                             "Got a %s tensor instead." % x.dtype.name)
        if keep_prob is not None:
            kp = _number(keep_prob)
            if kp is not None:
                if not 0 < kp <= 1:
                    raise ValueError("keep_prob must be a scalar tensor or a float in the range "
                                     "(0, 1], got %g" % kp)
                if kp == 1:
                    return x
                rate = 1 - kp
            else:
                rate = array_ops.constant(1, dtype=x.dtype) - _scalar(keep_prob, x.dtype)
        r = _number(rate)
        if r is not None:
            if not 0 <= r < 1:
                raise ValueError("rate must be a scalar tensor or a float in the range [0, 1), "
                                 "got %g" % r)
            if r == 0:
                return x
            rate = array_ops.constant(r, dtype=x.dtype)
        else:
            rate = _scalar(rate, x.dtype)
        ret = math_ops.multiply(x, dropout_mask(x, rate, noise_shape, seed), name="mul_1")
        ret.set_shape(x.shape)
        return ret


def dropout_mask(x, rate, noise_shape=None, seed=None, training=None):
    """The mask tf.nn.dropout multiplies `x` by: 1 / (1 - rate) where a U[0, 1) draw of the noise
    shape is >= rate, else 0. One RandomUniform op (seeded as TF1's dropout) and one DropoutMask.
    `rate` is a scalar tensor of x's dtype.

    `training` (a scalar bool tensor, e.g. Keras's learning phase) switches the mask off: where it
    is False the rate is 0 and the noise shape all ones, so the mask is one broadcast 1 (nothing
    drawn, x * mask is x). Both selects are scalar- or shape-sized, unlike where(training,
    dropout(x), x), which selects over every element and whose gradient adds two more selects.
    """
    from tfgraph.ops import random_ops
    shape = _noise_shape(x, noise_shape)
    if training is not None:
        shape = convert_to_tensor(shape, dtype=None if isinstance(shape, Tensor) else dtypes.int32)
        if shape.dtype is not dtypes.int32:
            shape = math_ops.cast(shape, dtypes.int32)
        n = shape.shape.as_tuple()
        ones = (array_ops.constant(np.ones(n, np.int32)) if n is not None and None not in n
                else array_ops.ones_like(shape))
        shape = math_ops.where(training, shape, ones, name="phase_noise_shape")
        rate = math_ops.where(training, rate, array_ops.constant(0, dtype=rate.dtype),
                              name="phase_rate")
    with get_default_graph().name_scope("random_uniform"):   # U[0, 1): no affine ops needed
        seed1, seed2 = random_ops.get_seed(seed)
        noise = random_ops.RandomUniform.apply(shape, dtype=x.dtype, seed=seed1 or 0,
                                               seed2=seed2 or 0)
    return nn_ops.DropoutMask.apply(noise, rate, name="mask")


def _noise_shape(x, noise_shape):
    """The mask's shape: x's shape by default; None entries of `noise_shape` take x's dim (as TF);
    entries may be ints or scalar tensors. A shape tensor when some dim is only known at run
    time."""
    if isinstance(noise_shape, Tensor):
        return noise_shape
    if noise_shape is None:
        return x.shape.as_list() if x.shape.is_fully_defined() else array_ops.shape(x)
    dims = list(noise_shape)
    xd = x.shape.as_tuple() if x.shape.ndims == len(dims) else None
    for i, d in enumerate(dims):
        if d is None:
            if xd is None:
                raise ValueError("noise_shape %s has unknown dims and x has rank %s"
                                 % (noise_shape, x.shape.ndims))
            dims[i] = xd[i] if xd[i] is not None else array_ops.shape(x)[i]
    if not any(isinstance(d, Tensor) for d in dims):
        return [int(d) for d in dims]
    return array_ops.stack([math_ops.cast(d, dtypes.int32) if isinstance(d, Tensor)
                            else np.int32(d) for d in dims])


def _number(v):
    """A python float for a number or constant tensor, else None."""
    if isinstance(v, (int, float, np.number)):
        return float(v)
    value = constant_value(convert_to_tensor(v)) if hasattr(v, "op") else None
    return None if value is None or np.ndim(value) else float(value)


def _scalar(v, dtype):
    t = convert_to_tensor(v)
    require(t.shape.ndims in (None, 0), "Shape must be rank 0 but is rank %s" % t.shape.ndims)
    return math_ops.cast(t, dtype) if t.dtype is not dtype else t


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """tf.nn.moments: (mean, variance) of `x` over `axes` (biased variance, as TF).

        mean, var = tf.nn.moments(x, axes=[0])
    """
    keep = _keep_dims(keepdims, keep_dims)
    with _scope(name, "moments"):
        x = convert_to_tensor(x)
        if x.dtype in (dtypes.float32, dtypes.float64) and x.shape.ndims is not None:
            return moments_ops.moments(x, axes, keep_dims=keep)  # one op, one fused kernel
        y = math_ops.cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes, keepdims=True,
            name="variance")
        mean, variance = _squeeze(mean, axes, keep), _squeeze(variance, axes, keep)
        if x.dtype is dtypes.float16:
            return math_ops.cast(mean, x.dtype), math_ops.cast(variance, x.dtype)
        return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """tf.nn.weighted_moments: mean and variance of `x` with each element counted
    `frequency_weights` times (weights broadcast against x)."""
    keep = _keep_dims(keepdims, keep_dims)
    with _scope(name, "weighted_moments"):
        x = convert_to_tensor(x)
        w = convert_to_tensor(frequency_weights, dtype=x.dtype)
        weighted_input_sum = math_ops.reduce_sum(w * x, axes, keepdims=True,
                                                 name="weighted_input_sum")
        sum_of_weights = math_ops.reduce_sum(w + array_ops.zeros_like(x), axes, keepdims=True,
                                             name="sum_of_weights")
        divisor = math_ops.reciprocal(sum_of_weights, name="inv_weight_sum")
        mean = math_ops.multiply(weighted_input_sum, divisor)
        distsq = math_ops.reduce_sum(
            w * math_ops.squared_difference(x, array_ops.stop_gradient(mean)), axes,
            keepdims=True, name="weighted_distsq")
        variance = math_ops.multiply(distsq, divisor)
        return _squeeze(mean, axes, keep), _squeeze(variance, axes, keep)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """tf.nn.batch_normalization: scale * (x - mean) / sqrt(variance + eps) + offset, computed as
    TF does: x * inv + (offset - mean * inv) with inv = scale * rsqrt(variance + eps).
    `offset` and `scale` may be None."""
    with _scope(name, "batchnorm"):
        x = convert_to_tensor(x)
        variance = convert_to_tensor(variance, dtype=x.dtype)
        inv = math_ops.rsqrt(variance + convert_to_tensor(variance_epsilon, dtype=x.dtype))
        if scale is not None:
            inv = inv * convert_to_tensor(scale, dtype=x.dtype)
        mean = convert_to_tensor(mean, dtype=x.dtype)
        offset = None if offset is None else convert_to_tensor(offset, dtype=x.dtype)
        scaled = x * inv   # built first, so op names follow TF's (mul_1, mul_2, sub, add_1)
        return scaled + (offset - mean * inv if offset is not None
                         else math_ops.negative(mean) * inv)


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None,
                                        variance_epsilon=None, scale_after_normalization=None,
                                        name=None, input=None,
                                        mean=None, variance=None):
    """tf.nn.batch_norm_with_global_normalization (deprecated TF1 form of batch_normalization)."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None,
                               variance_epsilon, name=name or "batchnorm")


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None):
    """tf.nn.fused_batch_norm: (y, batch_mean, batch_variance) for 4-D x.

    Training: statistics over every dim but channels; y uses the biased variance, the returned
    variance is the unbiased one (n / (n - 1)), as TF's kernel returns for moving averages.
    Inference: normalizes with the given mean/variance and returns them.
    """
    with _scope(name, "FusedBatchNorm"):
        x = convert_to_tensor(x)
        nchw = data_format.upper().startswith("NC")
        axes = [0, 2, 3] if nchw else [0, 1, 2]

        def shaped(v):
            v = convert_to_tensor(v, dtype=x.dtype)
            return array_ops.reshape(v, [-1, 1, 1]) if nchw else v
        if is_training:
            if mean is not None or variance is not None:
                raise ValueError("Both 'mean' and 'variance' must be None when is_training is True")
            batch_mean, batch_var = moments(x, axes)
            y = batch_normalization(x, shaped(batch_mean), shaped(batch_var), shaped(offset),
                                    shaped(scale), epsilon)
            n = math_ops.cast(array_ops.size(x), x.dtype) / math_ops.cast(
                array_ops.size(batch_mean), x.dtype)
            one = array_ops.constant(1, dtype=x.dtype)
            unbiased = batch_var * (n / math_ops.maximum(n - one, one))
            return y, batch_mean, unbiased
        if mean is None or variance is None:
            raise ValueError("Both 'mean' and 'variance' must be a 1D tensor when is_training is "
                             "False.")
        y = batch_normalization(x, shaped(mean), shaped(variance), shaped(offset), shaped(scale),
                                epsilon)
        return y, convert_to_tensor(mean, dtype=x.dtype), convert_to_tensor(variance, x.dtype)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """tf.nn.l2_normalize: x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    with _scope(name, "l2_normalize") as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum,
                                                     convert_to_tensor(epsilon, dtype=x.dtype)))
        return math_ops.multiply(x, x_inv_norm, name=scope)


# -- embedding_lookup ------------------------------------------------------------------------------
def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """tf.nn.embedding_lookup: rows of `params` (a tensor/variable, or a list of partitions) at
    `ids`.

    The gradient w.r.t. params is an IndexedSlices (only the looked-up rows), so optimizers update
    just those rows. Partitioned params follow TF's "mod" or "div" id assignment.
    """
    parts = list(params) if isinstance(params, (list, tuple)) else [params]
    if not parts:
        raise ValueError("Need at least one param")
    # TF checks the strategy only where it partitions (one param ignores it)
    if len(parts) > 1 and partition_strategy not in ("mod", "div"):
        raise ValueError("Unrecognized partition strategy: " + partition_strategy)
    with _scope(name, "embedding_lookup"):
        ids = convert_to_tensor(ids, name="ids")
        if len(parts) == 1:
            result = array_ops.gather(parts[0], ids)
        else:
            result = _partitioned_lookup(parts, ids, partition_strategy)
        return array_ops.identity(_clip_rows(result, ids, max_norm))


def _partitioned_lookup(parts, ids, strategy):
    """Each partition gathers the ids it owns (others clipped to a valid row and masked out)."""
    parts = [convert_to_tensor(p) for p in parts]
    sizes = [p.shape.as_tuple()[0] if p.shape.ndims else None for p in parts]
    if None in sizes:
        raise ValueError("embedding_lookup: partitioned params need a known first dimension")
    n = len(parts)
    ids = math_ops.cast(ids, dtypes.int64) if ids.dtype is not dtypes.int64 else ids
    def c(v):
        return array_ops.constant(v, dtype=dtypes.int64)
    if strategy == "mod":
        assign, new_ids = ids % c(n), ids // c(n)
    else:
        per, extras = sum(sizes) // n, sum(sizes) % n
        assign = math_ops.maximum(ids // c(per + 1), (ids - c(extras)) // c(per))
        new_ids = math_ops.where(assign < c(extras), ids % c(per + 1),
                                 (ids - c(extras)) % c(per))
    result = None
    for i, (p, size) in enumerate(zip(parts, sizes)):
        rows = array_ops.gather(p, math_ops.minimum(new_ids, c(size - 1)))
        mine = math_ops.equal(assign, c(i))
        for _ in range((p.shape.ndims or 1) - 1):
            mine = array_ops.expand_dims(mine, -1)
        picked = math_ops.where(mine, rows, array_ops.zeros_like(rows))
        result = picked if result is None else result + picked
    return result


def _clip_rows(values, ids, max_norm):
    """Scales each looked-up embedding down to an l2 norm of at most `max_norm` (TF's _clip)."""
    if max_norm is None:
        return values
    ir, vr = ids.shape.ndims, values.shape.ndims
    if ir is None or vr is None:
        raise ValueError("embedding_lookup: max_norm needs known ranks for ids and params")
    axes = list(range(ir, vr))
    clip = convert_to_tensor(max_norm, dtype=values.dtype)
    l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
    positive = math_ops.greater(l2sum, array_ops.zeros_like(l2sum))
    safe = math_ops.where(positive, l2sum, array_ops.ones_like(l2sum))
    l2norm = math_ops.where(positive, math_ops.sqrt(safe), l2sum)
    return values * clip / math_ops.maximum(l2norm, clip)


# -- sigmoid cross-entropies and small composites --------------------------------------------------
def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """tf.nn.sigmoid_cross_entropy_with_logits, stably: max(x, 0) - x * z + log(1 + exp(-|x|))."""
    if _sentinel is not None:
        raise ValueError("Only call `sigmoid_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...)")
    with _scope(name, "logistic_loss") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError("logits and labels must have the same shape (%s vs %s)"
                             % (logits.shape, labels.shape))
        zeros = array_ops.zeros_like(logits)
        cond = math_ops.greater_equal(logits, zeros)
        relu_logits = math_ops.where(cond, logits, zeros)
        neg_abs_logits = math_ops.where(cond, math_ops.negative(logits), logits)
        return math_ops.add(relu_logits - logits * labels,
                            math_ops.log1p(math_ops.exp(neg_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(targets, logits, pos_weight, name=None):
    """tf.nn.weighted_cross_entropy_with_logits: sigmoid cross-entropy with positives weighted by
    `pos_weight`: (1 - z) * x + (1 + (q - 1) * z) * (log(1 + exp(-|x|)) + max(-x, 0))."""
    with _scope(name, "logistic_loss") as scope:
        logits = convert_to_tensor(logits, name="logits")
        targets = convert_to_tensor(targets, dtype=logits.dtype, name="targets")
        if not logits.shape.is_compatible_with(targets.shape):
            raise ValueError("logits and targets must have the same shape (%s vs %s)"
                             % (logits.shape, targets.shape))
        one = array_ops.constant(1, dtype=logits.dtype)
        log_weight = one + (convert_to_tensor(pos_weight, dtype=logits.dtype) - one) * targets
        softplus_neg = (math_ops.log1p(math_ops.exp(math_ops.negative(math_ops.abs(logits))))
                        + nn_ops.relu(math_ops.negative(logits)))
        return math_ops.add((one - targets) * logits, log_weight * softplus_neg, name=scope)


def swish(features, name=None):
    """tf.nn.swish: features * sigmoid(features)."""
    with _scope(name, "swish"):
        features = convert_to_tensor(features, name="features")
        return features * math_ops.sigmoid(features)


def xw_plus_b(x, weights, biases, name=None):
    """tf.nn.xw_plus_b: matmul(x, weights) + biases."""
    with _scope(name, "xw_plus_b") as scope:
        return nn_ops.bias_add(math_ops.matmul(x, weights), biases, name=scope)


def relu_layer(x, weights, biases, name=None):
    """tf.nn.relu_layer: relu(matmul(x, weights) + biases)."""
    with _scope(name, "relu_layer") as scope:
        return nn_ops.relu(nn_ops.bias_add(math_ops.matmul(x, weights), biases), name=scope)


def zero_fraction(value, name=None):
    """tf.nn.zero_fraction: the fraction of entries of `value` that are zero (float32)."""
    with _scope(name, "zero_fraction"):
        value = convert_to_tensor(value, name="value")
        zero = array_ops.constant(np.zeros((), value.dtype.np))
        return math_ops.reduce_mean(math_ops.cast(math_ops.equal(value, zero), dtypes.float32))


def crelu(features, name=None, axis=-1):
    """tf.nn.crelu: relu(concat([features, -features], axis))."""
    with _scope(name, "CRelu"):
        features = convert_to_tensor(features, name="features")
        c = array_ops.concat([features, math_ops.negative(features)], axis, name="concat")
        return nn_ops.relu(c)


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """tf.nn.log_poisson_loss: exp(log_input) - log_input * targets (+ Stirling's term for
    targets > 1 when compute_full_loss)."""
    with _scope(name, "log_poisson_loss"):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, dtype=log_input.dtype, name="targets")
        if not log_input.shape.is_compatible_with(targets.shape):
            raise ValueError("log_input and targets must have the same shape (%s vs %s)"
                             % (log_input.shape, targets.shape))
        result = math_ops.exp(log_input) - log_input * targets
        if compute_full_loss:
            def c(v):
                return array_ops.constant(v, dtype=targets.dtype)
            safe = math_ops.maximum(targets, c(1.0))   # the term is unused (zero) for targets <= 1
            stirling = (safe * math_ops.log(safe) - safe
                        + c(0.5) * math_ops.log(c(2 * np.pi) * safe))
            small = math_ops.logical_and(math_ops.greater_equal(targets, c(0.0)),
                                         math_ops.less_equal(targets, c(1.0)))
            result = result + math_ops.where(small, array_ops.zeros_like(targets), stirling)
        return result


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """tf.nn.sufficient_statistics: (count, sum(x - shift), sum((x - shift)^2), shift) over axes."""
    keep = _keep_dims(keepdims, keep_dims)
    with _scope(name, "sufficient_statistics"):
        x = convert_to_tensor(x, name="x")
        dims = x.shape.as_tuple()
        if dims is not None and all(dims[a] is not None for a in axes):
            count = array_ops.constant(float(np.prod([dims[a] for a in axes])), dtype=x.dtype,
                                       name="count")
        else:
            sizes = array_ops.gather(math_ops.cast(array_ops.shape(x), x.dtype), list(axes))
            count = math_ops.reduce_prod(sizes, name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, dtype=x.dtype, name="shift")
            m_ss = math_ops.subtract(x, shift)
            v_ss = math_ops.squared_difference(x, shift)
        else:
            m_ss, v_ss = x, math_ops.square(x)
        m_ss = math_ops.reduce_sum(m_ss, axes, keepdims=keep, name="mean_ss")
        v_ss = math_ops.reduce_sum(v_ss, axes, keepdims=keep, name="var_ss")
        return count, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """tf.nn.normalize_moments: (mean, variance) from sufficient statistics."""
    with _scope(name, "normalize"):
        divisor = math_ops.reciprocal(convert_to_tensor(counts), name="divisor")
        shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
        mean = shifted_mean if shift is None else math_ops.add(shifted_mean, shift, name="mean")
        variance = math_ops.subtract(math_ops.multiply(variance_ss, divisor),
                                     math_ops.square(shifted_mean), name="variance")
        return mean, variance


__all__ = [
    "batch_norm_with_global_normalization",
    "batch_normalization",
    "crelu",
    "dropout",
    "embedding_lookup",
    "fused_batch_norm",
    "l2_normalize",
    "log_poisson_loss",
    "moments",
    "normalize_moments",
    "relu_layer",
    "sigmoid_cross_entropy_with_logits",
    "sufficient_statistics",
    "swish",
    "weighted_cross_entropy_with_logits",
    "weighted_moments",
    "xw_plus_b",
    "zero_fraction",
]
