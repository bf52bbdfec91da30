"""Clipping: clip_by_norm, clip_by_global_norm, global_norm (clip_by_value lives in math_ops).

Composites of other ops, built as TF1 builds them (so gradients flow through them and IndexedSlices
gradients stay sparse: only their values are scaled).
"""
import collections.abc

from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.ops import array_ops, math_ops


def _values(t):
    return convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t)


def _rewrap(t, values):
    if isinstance(t, IndexedSlices):
        return IndexedSlices(values, t.indices, t.dense_shape)
    return values


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t * clip_norm / max(l2norm(t, axes), clip_norm): the L2 norm becomes at most clip_norm."""
    with get_default_graph().name_scope(name or "clip_by_norm") as scope:
        values = _values(t)
        clip_norm = convert_to_tensor(clip_norm, dtype=values.dtype)
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        # The gradient of sqrt at 0 is inf; route zero sums around it (TF does the same).
        l2sum_safe = math_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = math_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        clipped = array_ops.identity(intermediate / math_ops.maximum(l2norm, clip_norm), name=scope)
        return _rewrap(t, clipped)


def global_norm(t_list, name=None):
    """sqrt(sum of squares of every element of every tensor in t_list); None entries are ignored."""
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    with get_default_graph().name_scope(name or "global_norm"):
        values = [_values(t) for t in t_list if t is not None]
        if not values:
            raise ValueError("global_norm needs at least one tensor")
        squares = [math_ops.reduce_sum(v * v) for v in values]
        total = squares[0] if len(squares) == 1 else math_ops.add_n(squares)
        return math_ops.sqrt(total, name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by clip_norm / max(global_norm, clip_norm); returns (list, global_norm).

    If the global norm is inf or NaN, every entry becomes NaN, as in TF.
    """
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with get_default_graph().name_scope(name or "clip_by_global_norm") as scope:
        use_norm = convert_to_tensor(use_norm)
        clip_norm = convert_to_tensor(clip_norm, dtype=use_norm.dtype)
        one = convert_to_tensor(1.0, dtype=use_norm.dtype)
        scale_for_finite = clip_norm * math_ops.minimum(one / use_norm, one / clip_norm)
        scale = scale_for_finite + (use_norm - use_norm)   # NaN when the norm is inf or NaN
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            v = _values(t)
            s = scale if v.dtype is scale.dtype else math_ops.cast(scale, v.dtype)
            clipped.append(_rewrap(t, array_ops.identity(v * s, name="%s_%d" % (scope[:-1], i))))
        return clipped, use_norm


__all__ = ["clip_by_norm", "clip_by_global_norm", "global_norm"]
