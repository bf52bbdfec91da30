"""Indexing ops: one_hot, where / boolean_mask and argmax / argmin; with slicing_ops.py and
gather_ops.py, whose public names it re-exports (so `indexing_ops.gather` and `x[1:, ::2]` work).
"""

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant, constant_value,  # noqa: F401
                                      convert_to_tensor, require)
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import elementwise_ops, reduction_ops
from tfgraph.ops.array_core_ops import concat, transpose, zeros_like  # noqa: F401
from tfgraph.ops.shape_args import (_check_index_dtype, _consts, _dims, _int_arg,  # noqa: F401
                                    _norm_axis, _partial_value, _pyrange, _pyslice, _shape_arg,
                                    _shape_str, _with_shape, strided_slice_index)
from tfgraph.ops.shape_ops import expand_dims, reshape, shape, squeeze, stack  # noqa: F401
from tfgraph.ops import gather_ops, slicing_ops
from tfgraph.ops.gather_ops import *  # noqa: F401,F403
from tfgraph.ops.gather_ops import IndexedSlices  # noqa: F401
from tfgraph.ops.slicing_ops import *  # noqa: F401,F403
from tfgraph.ops.slicing_ops import _slice_helper  # noqa: F401


# -- OneHot ---------------------------------------------------------------------------------------
class OneHot(OpDef):
    """on_value where indices == j along a new `axis` of size `depth`, off_value elsewhere."""

    type = "OneHot"
    attrs = {"axis": -1}
    input_dtypes = {1: dtypes.int32}
    same_dtype = (2, 3)

    def infer(self, indices, depth, on_value, off_value, *, axis):
        if not (indices.dtype.is_integer or indices.dtype is dtypes.uint8):
            raise TypeError("one_hot indices must be integers, got %s" % indices.dtype.name)
        require(on_value.shape.ndims in (None, 0) and off_value.shape.ndims in (None, 0),
                "on_value and off_value must be scalars")
        d = _partial_value(depth)
        d = d if isinstance(d, int) else None
        require(d is None or d >= 0, "depth must be non-negative, got: %d" % (d or 0))
        dims = _dims(indices)
        if dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), on_value.dtype)]
        require(-1 <= axis <= len(dims), "Expected axis to be -1 or between [0, %d).  But received:"
                " %d" % (len(dims) + 1, axis))
        a = len(dims) if axis == -1 else axis
        return [TensorSpec(dims[:a] + (d,) + dims[a:], on_value.dtype)]

    def compute(self, indices, depth, on_value, off_value, *, axis):
        hot = indices[..., None] == np.arange(int(depth), dtype=indices.dtype)
        out = np.where(hot, on_value, off_value).astype(on_value.dtype, copy=False)
        return out if axis == -1 else np.ascontiguousarray(np.moveaxis(out, -1, axis))

    def grad(self, op, dy):
        return [None, None, None, None]


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """tf.one_hot: dtype defaults to that of on_value/off_value, else float32."""
    given = [v for v in (on_value, off_value) if v is not None]
    if dtype is None:
        dtype = convert_to_tensor(given[0]).dtype if given else dtypes.float32
    dtype = dtypes.as_dtype(dtype)
    on = convert_to_tensor(1 if on_value is None else on_value, dtype) \
        if not isinstance(on_value, Tensor) else on_value
    off = convert_to_tensor(0 if off_value is None else off_value, dtype) \
        if not isinstance(off_value, Tensor) else off_value
    return OneHot.apply(indices, _int_arg(depth), on, off, axis=-1 if axis is None else int(axis),
                        name=name or "one_hot")


# -- Where (indices of true elements), boolean_mask -----------------------------------------------
class Where(OpDef):
    """The coordinates of the true (nonzero) elements: int64 [num_true, rank]."""

    type = "Where"

    def infer(self, x):
        return [TensorSpec([None, x.shape.ndims], dtypes.int64)]

    def compute(self, x):
        return np.argwhere(x).astype(np.int64, copy=False)

    def grad(self, op, dy):
        return [None]


def where_indices(condition, name=None):
    """tf.where(condition) with no x/y: the indices of the true elements."""
    return Where.apply(condition, name=name or "Where")


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """tf.boolean_mask: the entries of `tensor` where `mask` is true (mask dims start at `axis`)."""
    with name_scope(name, values=[tensor, mask]):
        tensor, mask = convert_to_tensor(tensor), convert_to_tensor(mask)
        m, dims = mask.shape.ndims, _dims(tensor)
        if m is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions"
                             " are None.  E.g. shape=[None] is ok, but shape=None is not.")
        require(m > 0, "mask cannot be scalar.")
        require(mask.dtype.is_bool, "mask must be bool, got %s" % mask.dtype.name)
        axis = 0 if axis is None else int(axis)
        if dims is not None:
            axis = axis % len(dims) if axis < 0 else axis
            require(len(dims) >= axis + m, "mask rank %d too large for tensor shape %s at axis %d"
                    % (m, tensor.shape, axis))
            got = tensor_shape.TensorShape(dims[axis:axis + m])
            require(got.is_compatible_with(mask.shape), "Shapes %s and %s are incompatible"
                    % (got, mask.shape))
        if m > 1:
            lead = mask.shape.num_elements()
            if lead is None:
                lead = reduction_ops.reduce_prod(shape(tensor)[axis:axis + m], keepdims=True)
            else:
                lead = [lead]
            t_shape = shape(tensor)
            tensor = reshape(tensor, concat([t_shape[:axis], lead, t_shape[axis + m:]], 0))
            if dims is not None:
                n_lead = mask.shape.num_elements()
                tensor.set_shape(dims[:axis] + (n_lead,) + dims[axis + m:])
            mask = reshape(mask, [-1])
        indices = squeeze(where_indices(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


# -- ArgMax / ArgMin ------------------------------------------------------------------------------
class _ArgReduce(OpDef):
    attrs = {"output_type": dtypes.int64}
    input_dtypes = {1: dtypes.int32}
    fn = None

    def infer(self, x, dimension, *, output_type):
        if not x.dtype.is_numeric:
            raise TypeError("%s does not support dtype %s" % (self.type, x.dtype.name))
        a, dims = _partial_value(dimension), _dims(x)
        if dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), output_type)]
        if not isinstance(a, int):
            return [TensorSpec(tensor_shape.unknown_shape(len(dims) - 1), output_type)]
        a = _norm_axis(a, len(dims), "dimension")
        require(dims[a] != 0, "Reduction axis %d is empty in shape %s" % (a, x.shape))
        return [TensorSpec(dims[:a] + dims[a + 1:], output_type)]

    def compute(self, x, dimension, *, output_type):
        return np.asarray(self.fn(x, axis=int(dimension)), dtype=output_type.np)

    def grad(self, op, dy):
        return [None, None]


class ArgMax(_ArgReduce):
    """The index of the largest value along a dimension (first one on ties)."""
    type = "ArgMax"
    fn = staticmethod(np.argmax)


class ArgMin(_ArgReduce):
    """The index of the smallest value along a dimension (first one on ties)."""
    type = "ArgMin"
    fn = staticmethod(np.argmin)


def _arg_reduce(op_class, input, axis, name, dimension, output_type):  # noqa: A002
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'")
    axis = dimension if axis is None else axis
    return op_class.apply(input, _int_arg(0 if axis is None else axis),
                          output_type=dtypes.as_dtype(output_type), name=name)


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """tf.argmax (also the old `dimension` argument); int64 indices by default."""
    return _arg_reduce(ArgMax, input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """tf.argmin (also the old `dimension` argument); int64 indices by default."""
    return _arg_reduce(ArgMin, input, axis, name, dimension, output_type)

def where(condition, x=None, y=None, name=None):
    """tf.where: elementwise select; with only `condition`, the indices of true elements."""
    if x is None and y is None:
        return where_indices(condition, name=name)
    return elementwise_ops.select(condition, x, y, name=name)


__all__ = gather_ops.__all__ + slicing_ops.__all__ + [
    "one_hot",
    "where_indices",
    "boolean_mask",
    "argmax",
    "argmin",
    "where",
]
