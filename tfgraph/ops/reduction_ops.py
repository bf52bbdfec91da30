"""Reductions (reduce_mean, reduce_max, ... ; reduce_sum is in broadcast_ops), add_n,
clip_by_value, cumsum."""
import numpy as np

from tfgraph.framework import tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import (OpDef, TensorSpec, convert_to_tensor)
from tfgraph.ops import shape_ops
from tfgraph.ops.broadcast_ops import (ExpandReduced, Sum, _count, _expand_reduced,  # noqa: F401
                                       _norm_axes, _reduce, _reduced_grad_shape, _Reduce,
                                       broadcast_to, reduce_sum, unbroadcast)
from tfgraph.ops.elementwise_ops import *  # noqa: F401,F403 - the elementwise ops gradients use


class Mean(_Reduce):
    type = "Mean"
    fn = staticmethod(np.mean)

    def make_kernel(self, op, rt):
        x_dtype = op.inputs[0].dtype.np
        if x_dtype not in (np.float32, np.float64):  # np.mean sums float16 in float32
            return super().make_kernel(op, rt)
        axis, keep, add = op.attrs["axis"], op.attrs["keep_dims"], np.add.reduce

        # np.mean's own steps (sum, then divide by the count) without its ~25 us of Python on a
        # small array; the quotient rounds to the float dtype as np.mean's does.
        def kernel(x):
            count = x.size if axis is None else _count(x.shape, axis)
            s = add(x, axis=axis, keepdims=keep)
            if s.__class__ is np.ndarray:
                return np.true_divide(s, count, out=s, casting="unsafe")
            return np.asarray(s / count, dtype=x_dtype)
        return kernel

    def grad(self, op, dy):
        x = op.inputs[0]
        g = broadcast_to(_expand_reduced(op, dy), shape_ops.shape(x))
        return [g / reduction_count(x, op.outputs[0])]


def reduction_count(x, out):
    """Elements of `x` per element of its reduction `out`: a python float when both shapes are
    static, else a scalar tensor of x's dtype (Size(x) / out's size, or Size(x) alone when the
    reduction is total, as in a loss averaged over a batch of unknown size)."""
    in_n, out_n = x.shape.num_elements(), out.shape.num_elements()
    if in_n is not None and out_n is not None:
        return float(in_n // max(out_n, 1))
    if out_n is not None:
        count = cast(shape_ops.size(x), x.dtype)
        return count if out_n <= 1 else count / float(out_n)
    return cast(reduce_prod(shape_ops.shape(x)), x.dtype) / cast(
        maximum(reduce_prod(shape_ops.shape(out)), 1), x.dtype)


class Prod(_Reduce):
    type = "Prod"
    fn = staticmethod(np.prod)
    ufunc = np.multiply

    def grad(self, op, dy):
        # d prod / dx_i = prod / x_i (valid for nonzero x, as the tests use)
        x = op.inputs[0]
        y = _expand_reduced(op, op.outputs[0])
        g = broadcast_to(_expand_reduced(op, dy), shape_ops.shape(x))
        return [g * y / x]


class Max(_Reduce):
    type = "Max"
    fn = staticmethod(np.max)
    ufunc = np.maximum

    def grad(self, op, dy):
        return [_minmax_grad(op, dy)]


class Min(_Reduce):
    type = "Min"
    fn = staticmethod(np.min)
    ufunc = np.minimum

    def grad(self, op, dy):
        return [_minmax_grad(op, dy)]


def _minmax_grad(op, dy):
    # Ties share the gradient equally, as TF does.
    x = op.inputs[0]
    y = _expand_reduced(op, op.outputs[0])
    mask = cast(equal(x, y), dy.dtype)
    count = _expand_reduced(op, reduce_sum(mask, axis=op.attrs["axis"],
                                           keepdims=op.attrs["keep_dims"]))
    return mask / count * _expand_reduced(op, dy)


class Any(_Reduce):
    type = "Any"
    fn = staticmethod(np.any)
    allowed = "bool"


class All(_Reduce):
    type = "All"
    fn = staticmethod(np.all)
    allowed = "bool"


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """tf.reduce_mean."""
    return _reduce(Mean, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduce(Prod, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(Max, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(Min, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(Any, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(All, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- add_n, clip_by_value, cumsum ----------------------------------------------------------------------
class AddN(OpDef):
    """Sums N tensors of one shape."""

    type = "AddN"

    def infer(self, *xs):
        shape = xs[0].shape
        for x in xs[1:]:
            if x.dtype is not xs[0].dtype:
                raise TypeError("AddN: inputs must share a dtype, got %s and %s"
                                % (xs[0].dtype.name, x.dtype.name))
            shape = tensor_shape.broadcast_shapes(shape, x.shape)
        return [TensorSpec(shape, xs[0].dtype)]

    def compute(self, *xs):
        # np.add of 0-d arrays returns a numpy scalar, which `out=` cannot take: keep an array
        out = np.asarray(np.add(xs[0], xs[1])) if len(xs) > 1 else np.array(xs[0], copy=True)
        for x in xs[2:]:
            if out.shape == np.broadcast_shapes(out.shape, x.shape):
                np.add(out, x, out=out)  # `out` is our own fresh array
            else:
                out = out + x
        return out

    def grad(self, op, dy):
        return [unbroadcast(dy, x) for x in op.inputs]


def add_n(inputs, name=None):
    """tf.add_n: the sum of a list of tensors."""
    inputs = [convert_to_tensor(x) for x in inputs]
    if len(inputs) == 1:
        return inputs[0]
    return AddN.apply(*inputs, name=name)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """tf.clip_by_value: min(max(t, lo), hi)."""
    g = get_default_graph()
    with g.name_scope(name or "clip_by_value") as scope:
        t = convert_to_tensor(t)
        return maximum(minimum(t, clip_value_max, name="Minimum"), clip_value_min, name=scope)


class Cumsum(OpDef):
    """Cumulative sum along `axis`, optionally exclusive and/or reversed."""

    type = "Cumsum"
    attrs = {"axis": 0, "exclusive": False, "reverse": False}

    def infer(self, x, *, axis, exclusive, reverse):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, *, axis, exclusive, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = np.cumsum(x, axis=axis, dtype=x.dtype)
        if exclusive:
            out = np.concatenate([np.zeros_like(np.take(out, [0], axis=axis)),
                                  np.take(out, range(out.shape[axis] - 1), axis=axis)], axis=axis)
        return np.flip(out, axis) if reverse else out

    def grad(self, op, dy):
        a = op.attrs
        return [cumsum(dy, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """tf.cumsum."""
    return Cumsum.apply(x, axis=int(axis), exclusive=exclusive, reverse=reverse, name=name)


__all__ = [
    "reduce_mean",
    "reduce_prod",
    "reduce_max",
    "reduce_min",
    "reduce_any",
    "reduce_all",
    "add_n",
    "clip_by_value",
    "cumsum",
]
