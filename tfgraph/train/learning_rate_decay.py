"""Learning-rate schedules (TF1's tf.train.*_decay): composites of graph ops over a (tensor) step.

    global_step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, global_step, 1000, 0.96, staircase=True)
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=global_step)
"""
import math

from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.ops import array_ops, math_ops


def _check_step(global_step, what):
    if global_step is None:
        raise ValueError("global_step is required for %s." % what)


def _lr_and_step(learning_rate, global_step, *others):
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    dtype = lr.dtype
    step = math_ops.cast(convert_to_tensor(global_step), dtype)
    return (lr, step) + tuple(math_ops.cast(convert_to_tensor(o), dtype) for o in others)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ^ (global_step / decay_steps) (floored when staircase)."""
    _check_step(global_step, "exponential decay")
    with get_default_graph().name_scope(name or "ExponentialDecay") as scope:
        lr, step, steps, rate = _lr_and_step(learning_rate, global_step, decay_steps, decay_rate)
        p = step / steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(lr, math_ops.pow(rate, p), name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * exp(-decay_rate * global_step / decay_steps)."""
    _check_step(global_step, "natural exp decay")
    with get_default_graph().name_scope(name or "NaturalExpDecay") as scope:
        lr, step, steps, rate = _lr_and_step(learning_rate, global_step, decay_steps, decay_rate)
        p = step / steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(lr, math_ops.exp(math_ops.negative(rate) * p), name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps) (floored when staircase)."""
    _check_step(global_step, "inverse time decay")
    with get_default_graph().name_scope(name or "InverseTimeDecay") as scope:
        lr, step, steps, rate = _lr_and_step(learning_rate, global_step, decay_steps, decay_rate)
        p = step / steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.divide(lr, 1.0 + rate * p, name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle=False, name=None):
    """(lr - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end; `cycle` restarts."""
    _check_step(global_step, "polynomial decay")
    with get_default_graph().name_scope(name or "PolynomialDecay") as scope:
        lr, step, steps, end, pw = _lr_and_step(learning_rate, global_step, decay_steps,
                                                end_learning_rate, power)
        if cycle:
            multiplier = math_ops.where(math_ops.equal(step, 0.0), array_ops.ones_like(step),
                                        math_ops.ceil(step / steps))
            steps = steps * multiplier
        else:
            step = math_ops.minimum(step, steps)
        p = step / steps
        return math_ops.add((lr - end) * math_ops.pow(1.0 - p, pw), end, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps))
    + alpha)."""
    _check_step(global_step, "cosine decay")
    with get_default_graph().name_scope(name or "CosineDecay") as scope:
        lr, step, steps, a = _lr_and_step(learning_rate, global_step, decay_steps, alpha)
        fraction = math_ops.minimum(step, steps) / steps
        cosine = 0.5 * (1.0 + math_ops.cos(math.pi * fraction))
        return math_ops.multiply(lr, (1.0 - a) * cosine + a, name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """values[0] while x <= boundaries[0], values[i] while boundaries[i-1] < x <= boundaries[i], and
    values[-1] after the last boundary."""
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with get_default_graph().name_scope(name or "PiecewiseConstant") as scope:
        x = convert_to_tensor(x)
        vals = [convert_to_tensor(v) for v in values]
        for v in vals[1:]:
            if v.dtype is not vals[0].dtype:
                raise ValueError("Values must have elements all with the same dtype (%s vs %s)."
                                 % (vals[0].dtype.name, v.dtype.name))
        result = vals[-1]
        # Walk from the last interval down: each earlier boundary overrides where x is below it.
        for b, v in reversed(list(zip(boundaries, vals[:-1]))):
            b = math_ops.cast(convert_to_tensor(b), x.dtype)
            result = math_ops.where(math_ops.less_equal(x, b), v, result)
        return array_ops.identity(result, name=scope)


__all__ = [
    "exponential_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "cosine_decay",
    "piecewise_constant",
]
