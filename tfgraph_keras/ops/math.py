"""keras.ops, math set: logsumexp, rsqrt, erf, segment_sum, top_k, in_top_k on tfgraph ops."""
import numpy as np

import tfgraph as tf
from tfgraph.framework.op_def import constant_value
from tfgraph_keras.ops._helpers import _floating
from tfgraph_keras.ops.core import keras_op, tensor


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """keras.ops.logsumexp: log(sum(exp(x))) computed around the max, so it does not overflow."""
    x = _floating(x)
    peak = tf.stop_gradient(tf.reduce_max(x, axis=axis, keepdims=True))
    peak = tf.where(tf.is_finite(peak), peak, tf.zeros_like(peak))
    total = tf.reduce_sum(tf.exp(x - peak), axis=axis, keepdims=True)
    out = tf.log(total) + peak
    if keepdims:
        return out
    if axis is None:
        return tf.reshape(out, [])
    return tf.squeeze(out, list(axis) if isinstance(axis, (list, tuple)) else [axis])


@keras_op
def rsqrt(x):
    return tf.rsqrt(_floating(x))


@keras_op
def erf(x):
    """keras.ops.erf (the Erf op of tfgraph/ops/special_fn_ops.py)."""
    from tfgraph.ops.special_fn_ops import erf as _erf
    return _erf(_floating(x))


@keras_op
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """keras.ops.segment_sum; without `num_segments`, segment_ids must be known at build time."""
    ids = tensor(segment_ids)
    if num_segments is None:
        value = constant_value(ids)
        if value is None:
            raise ValueError("keras.ops.segment_sum: give `num_segments` when segment_ids are "
                             "computed at run time")
        num_segments = int(np.max(value)) + 1 if value.size else 0
    return tf.unsorted_segment_sum(tensor(data), ids, num_segments)


@keras_op
def top_k(x, k, sorted=True):
    """keras.ops.top_k: (values, int32 indices) of the k largest entries along the last axis."""
    return tuple(tf.nn.top_k(tensor(x), k, sorted=sorted))


@keras_op
def in_top_k(targets, predictions, k):
    """keras.ops.in_top_k: whether each target is among the k largest predictions of its row."""
    return tf.nn.in_top_k(tensor(predictions, "float32"), tensor(targets), k)


__all__ = ["erf", "in_top_k", "logsumexp", "rsqrt", "segment_sum", "top_k"]
