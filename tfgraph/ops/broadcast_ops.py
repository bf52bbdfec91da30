"""Broadcasting and summing back: broadcast_to, the Sum reduction and `unbroadcast`, which every
binary gradient uses to reduce back to its input's shape. Below elementwise_ops and
reduction_ops, which both need them."""
import math

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant_value, convert_to_tensor,
                                      require, shape_from_tensor)
from tfgraph.framework.tensor import Tensor
from tfgraph.kernels.elementwise import bias_add_grad as column_sums
from tfgraph.ops import shape_ops


# -- shared helpers ---------------------------------------------------------------------------------
class BroadcastGradientSum(OpDef):
    """Sums `dy` over the axes along which a tensor of runtime shape `shape` was broadcast."""

    type = "BroadcastGradientSum"
    input_dtypes = {1: dtypes.int32}

    def infer(self, dy, shape):
        return [TensorSpec(shape_from_tensor(shape), dy.dtype)]

    def compute(self, dy, shape):
        return sum_to_shape(dy, tuple(shape))

    def grad(self, op, g):
        return [broadcast_to(g, shape_ops.shape(op.inputs[0])), None]


def sum_to_shape(dy, shape):
    """numpy: reduce `dy` to `shape` by summing broadcast axes (the inverse of broadcasting)."""
    if dy.shape == shape:
        return dy
    lead = dy.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(shape)
                                      if d == 1 and dy.shape[i + lead] != 1)
    out = dy.sum(axis=axes, keepdims=True) if axes else dy
    return out.reshape(shape)


def unbroadcast(dy, x):
    """The gradient `dy` of a broadcast result, reduced to the shape of input `x`."""
    if dy is None:
        return None
    xs, ys = x.shape.as_tuple(), dy.shape.as_tuple()
    if xs is not None and ys is not None:
        if xs == ys and None not in xs:
            return dy
        if len(xs) == len(ys) and all(a == b or (a is None and b is None) for a, b in zip(xs, ys)) \
                and all(a is not None for a in xs[1:]) and (not xs or xs[0] is None):
            return dy  # only the (shared) unknown batch dim differs: no broadcasting happened
        if None not in xs:
            lead = len(ys) - len(xs)
            axes = list(range(lead)) + [i + lead for i, d in enumerate(xs)
                                        if d == 1 and ys[i + lead] != 1]
            out = reduce_sum(dy, axis=axes, keepdims=True) if axes else dy
            return array_ops_reshape(out, list(xs)) if out.shape.as_tuple() != xs else out
    return BroadcastGradientSum.apply(dy, shape_ops.shape(x))


def array_ops_reshape(x, shape):
    return shape_ops.reshape(x, shape)


def _check_kind(opdef, dtype, allowed):
    ok = {"numeric": dtype.is_numeric, "float": dtype.is_floating,
          "int": dtype.is_integer, "bool": dtype.is_bool, "any": True,
          "intfloat": dtype.is_numeric}[allowed]
    if not ok:
        raise TypeError("Value passed to op %s has DataType %s not in list of allowed values (%s)"
                        % (opdef.type, dtype.name, allowed))


# -- reductions ---------------------------------------------------------------------------------------
def _norm_axes(axis, ndims):
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        v = constant_value(axis)
        if v is None:
            raise ValueError("reduction axis must be known when the graph is built")
        axis = v
    axes = np.atleast_1d(np.asarray(axis)).astype(int).tolist()
    if ndims is not None:
        for a in axes:
            require(-ndims <= a < ndims, "Invalid reduction dimension %d for input with %d "
                    "dimensions." % (a, ndims))
        axes = sorted(set(a % ndims for a in axes))
    return tuple(axes)


class _Reduce(OpDef):
    """Reduces over `axis` (None = all); `keep_dims` keeps reduced dims as 1."""

    attrs = {"axis": None, "keep_dims": False}
    fn = None
    ufunc = None  # the ufunc whose reduce `fn` is, for the kernel's fast path
    allowed = "numeric"

    def infer(self, x, *, axis, keep_dims):
        _check_kind(self, x.dtype, self.allowed)
        dims = x.shape.as_tuple()
        if dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), self.out_dtype(x.dtype))]
        if axis is None:
            out = [1] * len(dims) if keep_dims else []
        elif keep_dims:
            out = [1 if i in axis else d for i, d in enumerate(dims)]
        else:
            out = [d for i, d in enumerate(dims) if i not in axis]
        return [TensorSpec(out, self.out_dtype(x.dtype))]

    def out_dtype(self, dtype):
        return dtype

    def make_kernel(self, op, rt):
        fn, axis, keep = self.fn, op.attrs["axis"], op.attrs["keep_dims"]
        np_dtype = op.outputs[0].dtype.np
        ufunc = self.ufunc if op.inputs[0].dtype.np == np_dtype else None
        if ufunc is None:
            return lambda x: np.asarray(fn(x, axis=axis, keepdims=keep), dtype=np_dtype)
        reduce = ufunc.reduce

        # The ufunc's own reduce is what np.sum/np.max call after ~10 us of argument handling on a
        # small array (W1's 100-element reductions); same pairwise summation, same result. dtype:
        # integer sums stay in their type (np.sum would widen int32 to int64).
        def kernel(x):
            r = reduce(x, axis=axis, dtype=np_dtype, keepdims=keep)
            return r if r.__class__ is np.ndarray else np.asarray(r)
        return kernel

    def compute(self, x, *, axis, keep_dims):
        return np.asarray(self.fn(x, axis=axis, keepdims=keep_dims), dtype=x.dtype)


def _count(shape, axis):
    n = 1
    for a in axis:
        n *= shape[a]
    return n


def _reduced_grad_shape(op):
    """dy broadcastable back to the input: reshape to keep_dims shape."""
    x = op.inputs[0]
    axis = op.attrs["axis"]
    dy_shape = x.shape.as_tuple()
    if op.attrs["keep_dims"] or dy_shape is None:
        return None
    if axis is None:
        return [1] * len(dy_shape)
    return [1 if i in axis else d for i, d in enumerate(dy_shape)]


class ExpandReduced(OpDef):
    """Reshapes a reduction's output `dy` to the keep_dims shape of the input whose runtime shape is
    `shape` (used by reduction gradients when the input's rank is unknown at graph time)."""

    type = "ExpandReduced"
    attrs = {"axis": ()}
    input_dtypes = {1: dtypes.int32}

    def infer(self, dy, shape, *, axis):
        return [TensorSpec(tensor_shape.unknown_shape(), dy.dtype)]

    def compute(self, dy, shape, *, axis):
        n = len(shape)
        axes = {a % n for a in axis}
        return np.reshape(dy, [1 if i in axes else d for i, d in enumerate(shape)])

    def grad(self, op, g):
        return [array_ops_reshape(g, shape_ops.shape(op.inputs[0])), None]


def _expand_reduced(op, dy):
    axis, x = op.attrs["axis"], op.inputs[0]
    if not op.attrs["keep_dims"] and x.shape.ndims is None and axis is not None:
        return ExpandReduced.apply(dy, shape_ops.shape(x), axis=tuple(axis))
    keep_shape = _reduced_grad_shape(op)
    if keep_shape is None:
        return dy  # keep_dims, or a scalar from a full reduction: broadcasts as it is
    if None in keep_shape:
        for a in (axis or range(x.shape.ndims)):
            dy = shape_ops.expand_dims(dy, a)
        return dy
    return array_ops_reshape(dy, keep_shape)


class Sum(_Reduce):
    type = "Sum"
    fn = staticmethod(np.sum)
    ufunc = np.add

    def make_kernel(self, op, rt):
        # a bias's gradient in TF1 scripts (`conv2d(x, W) + b`, `matmul(x, W) + b`): numpy sums
        # leading axes row after row, 5x slower than the column-sum kernel (W7's first conv:
        # 1.10 against 0.21 ms for 50x28x28x32)
        axis, ndims = op.attrs["axis"], op.inputs[0].shape.ndims
        if (axis and ndims is not None and tuple(axis) == tuple(range(len(axis))) and
                len(axis) < ndims and op.inputs[0].dtype.np in (np.float32, np.float64)):
            return _leading_axes_sum(len(axis), op.attrs["keep_dims"])
        return super().make_kernel(op, rt)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [broadcast_to(_expand_reduced(op, dy), shape_ops.shape(x))]


def _leading_axes_sum(k, keep):
    """x summed over its first k axes (not all of them), by elementwise.bias_add_grad."""
    def kernel(x):
        rest = x.shape[k:]
        if x.size:
            out = np.empty(math.prod(rest), x.dtype)    # column_sums writes every entry
            column_sums(np.ascontiguousarray(x).reshape(-1, out.size), out)
        else:
            out = np.zeros(math.prod(rest), x.dtype)
        return out.reshape((1,) * k + rest if keep else rest)
    return kernel


def _reduce(op_class, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if keep_dims is not None:
        keepdims = keep_dims
    x = convert_to_tensor(input_tensor)
    axes = _norm_axes(axis, x.shape.ndims)
    return op_class.apply(x, axis=axes, keep_dims=bool(keepdims), name=name)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """tf.reduce_sum (also accepts the old `reduction_indices`/`keep_dims`)."""
    return _reduce(Sum, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- BroadcastTo ----------------------------------------------------------------------------------------
class BroadcastTo(OpDef):
    """Broadcasts `x` to the runtime shape `shape`."""

    type = "BroadcastTo"
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, shape):
        target = shape_from_tensor(shape)
        if target.ndims is not None and x.shape.ndims is not None:
            return [TensorSpec(tensor_shape.broadcast_shapes(x.shape, target), x.dtype)]
        return [TensorSpec(target, x.dtype)]

    def compute(self, x, shape):
        return np.broadcast_to(x, tuple(shape))

    def grad(self, op, dy):
        return [unbroadcast(dy, op.inputs[0]), None]


def broadcast_to(x, shape, name=None):
    """tf.broadcast_to (read-only view; kernels never write into inputs)."""
    x = convert_to_tensor(x)
    if isinstance(shape, Tensor) and x.shape.is_fully_defined():
        if constant_value(shape) is not None and tuple(constant_value(shape)) == \
                x.shape.as_tuple():
            return x
    return BroadcastTo.apply(x, shape, name=name)


__all__ = [
    "reduce_sum",
    "broadcast_to",
]
