"""The tf.losses namespace (TF1): weighted losses reduced as TF1 reduces them, and the loss
collections.

Every loss computes per-element losses, multiplies them by `weights` (a scalar or a tensor that
broadcasts against the losses), reduces by `reduction` (default SUM_BY_NONZERO_WEIGHTS: the weighted
sum divided by the number of nonzero weights) and adds the result to `loss_collection`.

    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    total = tf.losses.get_total_loss()       # + regularization losses
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_ops, math_ops, nn_impl, nn_ops


class Reduction:
    """How compute_weighted_loss reduces the weighted losses (tf.losses.Reduction)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %s." % key)


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


def _float(t, like=None):
    """Casts to float32 as TF1's losses do; float64 stays float64 (gradients check in float64)."""
    if not (isinstance(t, Tensor) or hasattr(t, "_to_tensor")):
        arr = np.asarray(t)
        target = like if like is not None else dtypes.float32
        return array_ops.constant(arr.astype(target.np))
    t = convert_to_tensor(t)
    target = like if like is not None else (
        dtypes.float64 if t.dtype is dtypes.float64 else dtypes.float32)
    return math_ops.cast(t, target)


def _safe_div(numerator, denominator):
    """numerator / denominator, 0 where denominator is 0 (gradients stay finite too)."""
    zero = array_ops.zeros_like(denominator)
    positive = math_ops.greater(denominator, zero)
    safe = math_ops.where(positive, denominator, array_ops.ones_like(denominator))
    return math_ops.where(positive, numerator / safe, zero, name="value")


def _num_elements(losses):
    n = losses.shape.num_elements()
    if n is not None:
        return array_ops.constant(n, dtype=losses.dtype, name="num_elements")
    with _scope(None, "num_elements"):
        return math_ops.cast(array_ops.size(losses), losses.dtype)


def _num_present(losses, weights):
    """The number of losses with a nonzero weight (weights broadcast against losses)."""
    if isinstance(weights, (int, float)) and weights != 0:
        return _num_elements(losses)
    with _scope(None, "num_present"):
        weights = _float(weights, losses.dtype)
        present = math_ops.where(math_ops.equal(weights, array_ops.zeros_like(weights)),
                                 array_ops.zeros_like(weights), array_ops.ones_like(weights))
        present = present * array_ops.ones_like(losses)
        return math_ops.reduce_sum(present)


def _assert_broadcastable(weights, losses):
    ws, ls = weights.shape, losses.shape
    if ws.ndims is None or ls.ndims is None or ws.ndims == 0:
        return
    ok = ws.ndims == ls.ndims and all(w is None or v is None or w in (1, v) for w, v in
                                      zip(ws.as_tuple(), ls.as_tuple()))
    if not ok:
        raise ValueError("weights can not be broadcast to values. values.rank=%d. weights.rank=%d."
                         " values.shape=%s. weights.shape=%s." % (ls.ndims, ws.ndims, ls, ws))


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.compute_weighted_loss: reduce(losses * weights) by `reduction`; adds the result to
    `loss_collection` (None: to no collection)."""
    Reduction.validate(reduction)
    with _scope(scope, "weighted_loss"):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = _float(losses)
        weights_t = _float(weights, losses.dtype)
        _assert_broadcastable(weights_t, losses)
        weighted = math_ops.multiply(losses, weights_t)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_div(loss, math_ops.reduce_sum(array_ops.ones_like(losses) * weights_t))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_div(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_div(loss, _num_elements(losses))
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _check_args(labels, predictions, what="predictions"):
    if labels is None:
        raise ValueError("labels must not be None.")
    if predictions is None:
        raise ValueError("%s must not be None." % what)


def _pair(labels, predictions):
    predictions = _float(predictions)
    labels = _float(labels, predictions.dtype)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.absolute_difference: weighted |predictions - labels|."""
    _check_args(labels, predictions)
    with _scope(scope, "absolute_difference") as s:
        labels, predictions = _pair(labels, predictions)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.mean_squared_error: weighted (predictions - labels) ** 2."""
    _check_args(labels, predictions)
    with _scope(scope, "mean_squared_error") as s:
        labels, predictions = _pair(labels, predictions)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.huber_loss: 0.5 * e^2 where |e| <= delta, else delta * (|e| - 0.5 * delta)."""
    _check_args(labels, predictions)
    with _scope(scope, "huber_loss") as s:
        labels, predictions = _pair(labels, predictions)
        abs_error = math_ops.abs(math_ops.subtract(predictions, labels))
        delta = convert_to_tensor(delta, dtype=abs_error.dtype)
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        half = array_ops.constant(0.5, dtype=abs_error.dtype)
        losses = math_ops.add(math_ops.multiply(half, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.log_loss: -z log(p + eps) - (1 - z) log(1 - p + eps)."""
    _check_args(labels, predictions)
    with _scope(scope, "log_loss") as s:
        labels, predictions = _pair(labels, predictions)
        eps = convert_to_tensor(epsilon, dtype=predictions.dtype)
        one = array_ops.constant(1, dtype=predictions.dtype)
        losses = math_ops.subtract(
            math_ops.negative(math_ops.multiply(labels, math_ops.log(predictions + eps))),
            math_ops.multiply(one - labels, math_ops.log(one - predictions + eps)))
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.hinge_loss: max(0, 1 - (2 * labels - 1) * logits) for labels in {0, 1}."""
    _check_args(labels, logits, "logits")
    with _scope(scope, "hinge_loss") as s:
        labels, logits = _pair(labels, logits)
        ones = array_ops.ones_like(labels)
        signs = math_ops.subtract(array_ops.constant(2, dtype=labels.dtype) * labels, ones)
        losses = nn_ops.relu(math_ops.subtract(ones, math_ops.multiply(signs, logits)))
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
                    dim=None):
    """tf.losses.cosine_distance: 1 - sum(labels * predictions, axis) for unit-normalized inputs."""
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _check_args(labels, predictions)
    with _scope(scope, "cosine_distance_loss") as s:
        labels, predictions = _pair(labels, predictions)
        radial = math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis, keepdims=True)
        losses = array_ops.constant(1, dtype=radial.dtype) - radial
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.softmax_cross_entropy: weighted softmax cross-entropy of one-hot labels.

    label_smoothing > 0 moves the labels towards uniform: z * (1 - ls) + ls / num_classes.
    Weights have shape [batch] or are a scalar. No gradient flows into the labels.
    """
    _check_args(onehot_labels, logits, "logits")
    with _scope(scope, "softmax_cross_entropy_loss") as s:
        logits = convert_to_tensor(logits)
        onehot_labels = math_ops.cast(onehot_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(onehot_labels.shape)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(onehot_labels)[-1], logits.dtype)
            positives = array_ops.constant(1.0 - label_smoothing, dtype=logits.dtype)
            negatives = array_ops.constant(label_smoothing, dtype=logits.dtype) / num_classes
            onehot_labels = onehot_labels * positives + negatives
        onehot_labels = array_ops.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                             name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def _drop_last_unit_dim(t, rank_target):
    """Squeezes a trailing size-1 dim so that `t` has rank `rank_target` (labels [batch, 1])."""
    nd = t.shape.ndims
    if nd is not None and rank_target is not None and nd == rank_target + 1 \
            and t.shape.as_tuple()[-1] == 1:
        return array_ops.squeeze(t, [-1])
    return t


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.sparse_softmax_cross_entropy: weighted cross-entropy of integer class labels.

    labels: [batch] (or [batch, 1]) ints in [0, num_classes); weights: scalar, [batch] or
    [batch, 1].
    """
    _check_args(labels, logits, "logits")
    with _scope(scope, "sparse_softmax_cross_entropy_loss") as s:
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(labels)
        rank = None if logits.shape.ndims is None else logits.shape.ndims - 1
        labels = _drop_last_unit_dim(labels, rank)
        if not isinstance(weights, (int, float)):
            weights = _drop_last_unit_dim(convert_to_tensor(weights), rank)
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                 name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """tf.losses.sigmoid_cross_entropy: weighted sigmoid cross-entropy; label_smoothing > 0 moves
    labels towards 1/2: z * (1 - ls) + 0.5 * ls."""
    _check_args(multi_class_labels, logits, "logits")
    with _scope(scope, "sigmoid_cross_entropy_loss") as s:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(multi_class_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            labels = (labels * array_ops.constant(1 - label_smoothing, dtype=logits.dtype)
                      + array_ops.constant(0.5 * label_smoothing, dtype=logits.dtype))
        losses = nn_impl.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                           name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction=reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """tf.losses.mean_pairwise_squared_error: for each sample, the mean over pairs of elements
    (i, j) of ((p_i - p_j) - (l_i - l_j))^2, weighted per sample and summed over the batch."""
    _check_args(labels, predictions)
    with _scope(scope, "mean_pairwise_squared_error"):
        labels, predictions = _pair(labels, predictions)
        weights = _float(weights, predictions.dtype)
        diffs = math_ops.subtract(predictions, labels)
        nd = diffs.shape.ndims
        if nd is None:
            raise ValueError("mean_pairwise_squared_error needs predictions of known rank")
        axes = list(range(1, nd))
        zero, one, two = (array_ops.constant(v, dtype=diffs.dtype) for v in (0, 1, 2))
        present = math_ops.where(math_ops.equal(weights, array_ops.zeros_like(weights)),
                                 array_ops.zeros_like(weights), array_ops.ones_like(weights))
        present = math_ops.reduce_sum(present * array_ops.ones_like(diffs), axes, keepdims=True)
        sum_sq = math_ops.reduce_sum(math_ops.square(diffs), axes, keepdims=True)
        term1 = two * _safe_div(sum_sq, math_ops.maximum(present - one, zero))
        sum_diff = math_ops.reduce_sum(diffs, axes, keepdims=True)
        term2 = two * _safe_div(math_ops.square(sum_diff),
                                math_ops.maximum(present * (present - one), zero))
        loss = math_ops.reduce_sum(math_ops.multiply(term1 - term2, weights))
        mean_loss = math_ops.where(math_ops.greater(math_ops.reduce_sum(present), zero), loss,
                                   array_ops.zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


# -- the loss collections --------------------------------------------------------------------------
def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """tf.losses.add_loss: adds `loss` to `loss_collection` (nothing when it is None)."""
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """tf.losses.get_losses: the losses in `loss_collection`, filtered by name `scope`."""
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """tf.losses.get_regularization_losses: the REGULARIZATION_LOSSES collection."""
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """tf.losses.get_regularization_loss: the sum of the regularization losses (0.0 if none)."""
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return array_ops.constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """tf.losses.get_total_loss: the sum of get_losses() (+ the regularization losses)."""
    losses = get_losses(scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses found in the LOSSES (or REGULARIZATION_LOSSES) collections.")
    return math_ops.add_n(losses, name=name)


__all__ = [
    "Reduction",
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_loss",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "huber_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]
