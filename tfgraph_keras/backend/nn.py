"""keras.backend's activations, losses and graph control (switch, in_train_phase, rnn,
gradients), on tfgraph ops."""
import warnings

import numpy as np

import tfgraph as tf

from tfgraph_keras.backend.core import epsilon, int_shape, learning_phase, ndim
from tfgraph_keras.backend.tensor_math import _mixed_shape, _shape_arg, is_keras_tensor


# -- activations and losses -------------------------------------------------------------------------
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from tfgraph_keras import activations
    return activations.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.0):
    out = tf.nn.elu(x)
    return out if alpha == 1 else tf.where(x > 0, out, alpha * out)


def softmax(x, axis=-1):
    if ndim(x) is not None and ndim(x) <= 1:
        raise ValueError("Cannot apply softmax to a tensor that is 1D. Received input: %s" % (x,))
    out = tf.nn.softmax(x, axis=axis)
    out._keras_logits = x  # the cross-entropies below use the logits, as Keras 2
    return out


def sigmoid(x):
    out = tf.sigmoid(x)
    out._keras_logits = x
    return out


def hard_sigmoid(x):
    return tf.clip_by_value(x * 0.2 + 0.5, 0.0, 1.0)


tanh = tf.tanh


def softplus(x):
    return tf.nn.softplus(x)


def softsign(x):
    return tf.nn.softsign(x)


def _get_logits(output, from_logits, op_type, fn_name):
    """Keras 2: an output made by K.softmax/K.sigmoid, or by a Softmax/Sigmoid op that is not a
    Keras layer output, is replaced by its logits."""
    logits = getattr(output, "_keras_logits", None)
    op = getattr(output, "op", None)
    if logits is None and op is not None and op.type == op_type and not is_keras_tensor(output):
        logits = op.inputs[0]
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn('"`%s` received `from_logits=True`, but the `output` argument was produced '
                      'by a %s activation and thus does not represent logits. Was this intended?'
                      % (fn_name, op_type), stacklevel=3)
    return logits, True


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(output), axis) with output normalized along axis and clipped to
    [epsilon, 1 - epsilon]; softmax cross-entropy on logits with from_logits=True."""
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_crossentropy")
    target = tf.cast(target, output.dtype)
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = tf.constant(epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.log(output), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """categorical_crossentropy with integer targets (one rank lower than output)."""
    if ignore_class is not None:
        raise NotImplementedError("K.sparse_categorical_crossentropy: ignore_class is not "
                                  "supported by tfgraph_keras.")
    output, from_logits = _get_logits(output, from_logits, "Softmax",
                                      "sparse_categorical_crossentropy")
    target = tf.cast(target, tf.int64)
    if not from_logits:
        eps = tf.constant(epsilon(), output.dtype)
        output = tf.log(tf.clip_by_value(output, eps, 1.0 - eps))
    rank = ndim(output)
    axis %= rank
    if axis != rank - 1:
        output = tf.transpose(output, [i for i in range(rank) if i != axis] + [axis])
    out_shape = _mixed_shape(output)
    reshape_back = ndim(target) != rank - 1 or rank != 2
    if reshape_back:
        target = tf.reshape(target, [-1])
        output = tf.reshape(output, _shape_arg([-1, out_shape[-1]]))
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if reshape_back and rank >= 3:
        res = tf.reshape(res, _shape_arg(out_shape[:-1]))
    return res


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise (no mean): -(t * log(p + eps) + (1 - t) * log(1 - p + eps)) with p clipped to
    [eps, 1 - eps]; sigmoid cross-entropy on logits with from_logits=True."""
    output, from_logits = _get_logits(output, from_logits, "Sigmoid", "binary_crossentropy")
    target = tf.cast(target, output.dtype)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = tf.constant(epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.log(output + eps) + (1.0 - target) * tf.log(1.0 - output + eps)
    return -bce


# -- graph execution --------------------------------------------------------------------------------
def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)


def gradients(loss, variables):
    return tf.gradients(loss, variables)


def switch(condition, then_expression, else_expression):
    """then_expression where condition else else_expression. A scalar condition picks a whole
    branch; a condition of rank >= 2 but lower than the branches' is broadcast over their trailing
    dimensions; a rank-1 condition broadcasts against the last dimension (tf_keras)."""
    if isinstance(condition, (bool, int, np.bool_)):
        chosen = then_expression if condition else else_expression
        return chosen() if callable(chosen) else chosen
    if condition.dtype.name != "bool":
        condition = tf.cast(condition, tf.bool)
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    then_expression = tf.convert_to_tensor(then_expression)
    else_expression = tf.convert_to_tensor(else_expression, dtype=then_expression.dtype)
    cond_ndim, expr_ndim = ndim(condition), ndim(then_expression)
    if cond_ndim > expr_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         "`then_expression` and `else_expression`. ndim(condition)=%d, "
                         "ndim(then_expression)=%d" % (cond_ndim, expr_ndim))
    if 1 < cond_ndim < expr_ndim:
        # Keras 2 aligns a condition of rank >= 2 with the leading dimensions; a rank-1 one
        # broadcasts as numpy does (against the last dimension)
        for _ in range(expr_ndim - cond_ndim):
            condition = tf.expand_dims(condition, -1)
        condition = tf.logical_and(condition, tf.ones_like(then_expression, dtype=tf.bool))
    return tf.where(condition, then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    """`x` when training else `alt`; `training` may be a python bool/int or a scalar bool tensor.

    x and alt may be callables (only the needed one is built when `training` is a python value).
    """
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int, np.bool_, np.integer)):
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Runs step_function(x_t, states + constants) -> (output_t, new_states) over the time axis.

    Returns (last_output, outputs (batch, time, ...), new_states) as Keras 2. The time dimension
    must be static: the loop is unrolled into the graph (with or without `unroll`). A (batch,
    time) mask keeps the previous states at masked steps and outputs the previous output (zeros
    with zero_output_for_mask); go_backwards processes (and returns) the steps in reverse."""
    if isinstance(inputs, (list, tuple, dict)):
        raise NotImplementedError("K.rnn: nested inputs are not supported by tfgraph_keras; pass "
                                  "one tensor (batch, time, ...).")
    shape = int_shape(inputs)
    if shape is None or len(shape) < 3:
        raise ValueError("K.rnn: inputs should be at least 3D (batch, time, ...); received "
                         "shape %s." % (shape,))
    steps = shape[0] if time_major else shape[1]
    if steps is None:
        raise ValueError("K.rnn: tfgraph_keras unrolls the loop and needs a fixed number of "
                         "timesteps; the inputs have shape %s. Give the Input a static time "
                         "dimension." % (shape,))
    xs = tf.unstack(inputs, axis=0 if time_major else 1)
    masks = None
    if mask is not None:
        mask = tf.cast(mask, tf.bool) if mask.dtype.name != "bool" else mask
        masks = tf.unstack(mask, axis=0 if time_major else 1)
    order = list(range(steps))[::-1] if go_backwards else list(range(steps))
    states = list(initial_states)
    constants = list(constants or [])
    outputs, prev = [], None
    for t in order:
        output, new_states = step_function(xs[t], tuple(states) + tuple(constants))
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if masks is not None:
            keep = masks[t]
            if prev is None or zero_output_for_mask:
                prev = tf.zeros_like(output)
            output = _where_rows(keep, output, prev)
            new_states = [_where_rows(keep, n, o) for n, o in zip(new_states, states)]
        prev, states = output, new_states
        outputs = outputs + [output] if return_all_outputs else [output]
    stacked = tf.stack(outputs, axis=0 if time_major else 1)
    return outputs[-1], stacked, states


def _where_rows(keep, x, y):
    """x where the (batch,) bool `keep` is True else y, broadcast over x's other axes."""
    for _ in range(ndim(x) - 1):
        keep = tf.expand_dims(keep, -1)
    return tf.where(tf.logical_and(keep, tf.ones_like(x, dtype=tf.bool)), x, y)
