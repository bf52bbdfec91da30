"""Candidate-sampling losses: tf.nn.nce_loss and tf.nn.sampled_softmax_loss, composed of existing
ops the way TensorFlow composes them (embedding lookups of the true and sampled classes' weights,
logits corrected by log Q, accidental hits masked), so with `sampled_values` given the losses and
gradients are TensorFlow's; without it the log-uniform sampler draws the candidates."""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.scopes import name_scope
from tfgraph.ops import array_ops, math_ops, nn_impl, nn_ops
from tfgraph.ops.sampling_ops import log_uniform_candidate_sampler

_FLOAT_LOWEST = float(np.finfo(np.float32).min)   # TF's weight for an accidental hit


def _accidental_hits(true_classes, sampled_candidates, name=None):
    """TF's compute_accidental_hits as a dense [batch, num_sampled] mask: True where a sampled
    candidate is one of the row's true classes."""
    with name_scope(name, "compute_accidental_hits"):
        true_classes = convert_to_tensor(true_classes, dtypes.int64)
        sampled = convert_to_tensor(sampled_candidates, dtypes.int64)
        hits = math_ops.equal(array_ops.expand_dims(true_classes, 2),
                              array_ops.reshape(sampled, [1, 1, -1]))
        return math_ops.reduce_any(hits, axis=1)


def _as_list(params):
    return list(params) if isinstance(params, (list, tuple)) else [params]


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                            sampled_values, subtract_log_q, remove_accidental_hits,
                            partition_strategy, name, seed=None):
    with name_scope(name, "compute_sampled_logits"):
        labels = convert_to_tensor(labels)
        if labels.dtype is not dtypes.int64:
            labels = math_ops.cast(labels, dtypes.int64)
        inputs = convert_to_tensor(inputs)
        labels_flat = array_ops.reshape(labels, [-1])
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                labels, num_true, num_sampled, True, num_classes, seed=seed)
        sampled, true_expected, sampled_expected = (
            array_ops.stop_gradient(convert_to_tensor(s)) for s in sampled_values)
        sampled = math_ops.cast(sampled, dtypes.int64)
        all_ids = array_ops.concat([labels_flat, sampled], 0)
        all_w = nn_impl.embedding_lookup(_as_list(weights), all_ids,
                                         partition_strategy=partition_strategy)
        if all_w.dtype is not inputs.dtype:
            all_w = math_ops.cast(all_w, inputs.dtype)
        n_true = array_ops.shape(labels_flat)[0]
        true_w = array_ops.slice(all_w, [0, 0], array_ops.stack([n_true, -1]))
        sampled_w = array_ops.slice(all_w, array_ops.stack([n_true, 0]), [-1, -1])
        sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True)
        all_b = nn_impl.embedding_lookup(_as_list(biases), all_ids,
                                         partition_strategy=partition_strategy)
        if all_b.dtype is not inputs.dtype:
            all_b = math_ops.cast(all_b, inputs.dtype)
        true_b = array_ops.slice(all_b, [0], array_ops.reshape(n_true, [1]))
        sampled_b = array_ops.slice(all_b, array_ops.reshape(n_true, [1]), [-1])
        dim = array_ops.shape(true_w)[1]
        true_w = array_ops.reshape(true_w, array_ops.stack([-1, num_true, dim]))
        dots = math_ops.multiply(array_ops.expand_dims(inputs, 1), true_w)
        true_logits = math_ops.reduce_sum(dots, axis=2)
        true_logits += array_ops.reshape(true_b, [-1, num_true])
        sampled_logits += sampled_b
        if remove_accidental_hits:
            hits = _accidental_hits(labels, sampled)
            lowest = array_ops.fill(array_ops.shape(sampled_logits),
                                    convert_to_tensor(_FLOAT_LOWEST, sampled_logits.dtype))
            sampled_logits += math_ops.where(hits, lowest, array_ops.zeros_like(sampled_logits))
        if subtract_log_q:
            true_logits -= math_ops.log(math_ops.cast(true_expected, true_logits.dtype))
            sampled_logits -= math_ops.log(math_ops.cast(sampled_expected, sampled_logits.dtype))
        out_logits = array_ops.concat([true_logits, sampled_logits], 1)
        out_labels = array_ops.concat([array_ops.ones_like(true_logits) / float(num_true),
                                       array_ops.zeros_like(sampled_logits)], 1)
        return out_logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, partition_strategy="mod",
             name="nce_loss"):
    """tf.nn.nce_loss: noise-contrastive estimation, per example [batch]: logistic losses of the
    true classes against `num_sampled` classes from the log-uniform sampler (or `sampled_values`,
    a (sampled, true_expected_count, sampled_expected_count) triple). `weights`: [num_classes,
    dim] (or a list of partitions), `biases`: [num_classes], `labels`: [batch, num_true]."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
        True, remove_accidental_hits, partition_strategy, name)
    losses = nn_impl.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                       name="sampled_losses")
    return math_ops.reduce_sum(losses, axis=1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True,
                         partition_strategy="mod", name="sampled_softmax_loss", seed=None):
    """tf.nn.sampled_softmax_loss: softmax cross-entropy over the true class and `num_sampled`
    sampled classes, per example [batch]; sampled classes that are true ones are masked out."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
        True, remove_accidental_hits, partition_strategy, name, seed=seed)
    labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)


__all__ = ["nce_loss", "sampled_softmax_loss"]
