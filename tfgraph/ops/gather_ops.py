"""Gather and scatter: gather, gather_nd, scatter_nd, unsorted_segment_sum, and IndexedSlices,
the sparse-row gradient of gather along axis 0 (never a dense vocabulary x dim array), densified
only when needed."""
import functools

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant, constant_value,  # noqa: F401
                                      convert_to_tensor, require)
from tfgraph.framework.tensor import Tensor
from tfgraph.kernels.jit import njit
from tfgraph.ops import elementwise_ops, reduction_ops
from tfgraph.ops.array_core_ops import concat, transpose, zeros_like  # noqa: F401
from tfgraph.ops.shape_args import (_check_index_dtype, _consts, _dims, _int_arg,  # noqa: F401
                                    _norm_axis, _partial_value, _pyrange, _pyslice, _shape_arg,
                                    _shape_str, _with_shape, strided_slice_index)
from tfgraph.ops.shape_ops import expand_dims, reshape, shape, squeeze, stack  # noqa: F401


# -- GatherV2 -------------------------------------------------------------------------------------
class GatherV2(OpDef):
    """params.take(indices, axis): output shape params[:axis] + indices + params[axis+1:]."""

    type = "GatherV2"
    attrs = {"batch_dims": 0}
    input_dtypes = {2: dtypes.int32}

    def infer(self, params, indices, axis, *, batch_dims):
        _check_index_dtype(indices, "indices")
        require(batch_dims == 0, "gather supports batch_dims=0 only")
        a, pd, idx = _partial_value(axis), _dims(params), _dims(indices)
        if not isinstance(a, int) or pd is None or idx is None:
            n = None if pd is None or idx is None else len(pd) + len(idx) - 1
            return [TensorSpec(tensor_shape.unknown_shape(n), params.dtype)]
        require(len(pd) >= 1, "Shape must be at least rank 1 but is rank 0")
        a = _norm_axis(a, len(pd))
        return [TensorSpec(pd[:a] + idx + pd[a + 1:], params.dtype)]

    def compute(self, params, indices, axis, *, batch_dims):
        return _take(params, indices, int(axis))

    def make_kernel(self, op, rt):
        c = _consts(op, 2)
        if c is None:
            return functools.partial(self.compute, **op.attrs)
        a = int(c[0])
        return lambda params, indices, axis: _take(params, indices, a)

    def grad(self, op, dy):
        params, indices, axis = op.inputs
        dy = convert_to_tensor(dy)  # an IndexedSlices from a gather of this gather densifies
        a, pd = _partial_value(axis), _dims(params)
        require(isinstance(a, int) and pd is not None,
                "the gradient of gather needs a constant axis and a known params rank")
        a = a % len(pd)
        if a == 0:
            return [_gather_rows_grad(params, indices, dy), None, None]
        return [_gather_axis_grad(params, indices, dy, a), None, None]


def _take(params, indices, a):
    if indices.size and indices.min() < 0:  # numpy would wrap negative indices; TF rejects them
        bad = int(np.argmax(indices.reshape(-1) < 0))
        raise IndexError("indices[%d] = %d is not in [0, %d)" % (
            bad, indices.reshape(-1)[bad], params.shape[a]))
    return params.take(indices, axis=a)


def _gather_rows_grad(params, indices, dy):
    """IndexedSlices(dy rows, indices, shape(params)): never a dense (vocabulary x dim) array."""
    pd = _dims(params)
    dense_shape = constant(np.array(pd, np.int32)) if params.shape.is_fully_defined() else \
        shape(params)
    if indices.shape.ndims != 1:
        rest = list(pd[1:]) if None not in pd[1:] else concat([[-1], shape(params)[1:]], 0)
        dy = reshape(dy, [-1] + rest if isinstance(rest, list) else rest)
        indices = reshape(indices, [-1])
    return IndexedSlices(dy, indices, dense_shape)


def _gather_axis_grad(params, indices, dy, a):
    """Dense gradient of a gather along axis a > 0: segment-sum the index dims, move axes back."""
    pd, q, r = _dims(params), indices.shape.ndims, len(_dims(params))
    require(q is not None, "the gradient of gather needs the rank of indices")
    perm = list(_pyrange(a, a + q)) + list(_pyrange(a)) + list(_pyrange(a + q, a + q + r - a - 1))
    moved = transpose(dy, perm)                                  # indices dims + other params dims
    if q != 1:
        rest = moved.shape.as_tuple()[q:]
        moved = reshape(moved, [-1] + list(rest) if None not in rest else
                        concat([[-1], shape(moved)[q:]], 0))
        indices = reshape(indices, [-1])
    num = pd[a] if pd[a] is not None else gather(shape(params), a)
    summed = unsorted_segment_sum(moved, indices, num)           # [P[a]] + P[:a] + P[a+1:]
    back = list(_pyrange(1, a + 1)) + [0] + list(_pyrange(a + 1, r))
    return _with_shape(transpose(summed, back), params.shape)


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """tf.gather: slices of `params` at `indices` along `axis` (default 0)."""
    return GatherV2.apply(params, indices, _int_arg(0 if axis is None else axis),
                          batch_dims=batch_dims, name=name)


# -- GatherNd / ScatterNd -------------------------------------------------------------------------
def _nd_index(indices):
    """The numpy index of TF's nd-indices: the last axis of `indices` lists coordinates."""
    return tuple(np.moveaxis(indices, -1, 0))


def _check_nd_bounds(indices, dense_shape):
    k = indices.shape[-1]
    limit = np.asarray(dense_shape[:k]).reshape((1,) * (indices.ndim - 1) + (k,))
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        pos = np.argwhere(bad.any(axis=-1))[0]
        raise IndexError("indices%s = %s does not index into param shape %s" % (
            [int(p) for p in pos], indices[tuple(pos)].tolist(), list(dense_shape)))


class GatherNd(OpDef):
    """params[indices[..., 0], indices[..., 1], ...]: shape indices[:-1] + params[K:]."""

    type = "GatherNd"

    def infer(self, params, indices):
        _check_index_dtype(indices, "indices")
        pd, idx = _dims(params), _dims(indices)
        if pd is None or idx is None or idx[-1] is None:
            return [TensorSpec(tensor_shape.unknown_shape(), params.dtype)]
        require(len(idx) >= 1, "indices must be at least a vector")
        require(idx[-1] <= len(pd), "index innermost dimension length must be <= params rank; "
                "saw: %d vs. %d" % (idx[-1], len(pd)))
        return [TensorSpec(idx[:-1] + pd[idx[-1]:], params.dtype)]

    def compute(self, params, indices):
        _check_nd_bounds(indices, params.shape)
        return np.ascontiguousarray(params[_nd_index(indices)])

    def grad(self, op, dy):
        params, indices = op.inputs
        return [scatter_nd(indices, dy, shape(params, out_type=indices.dtype)), None]


def gather_nd(params, indices, name=None, batch_dims=0):
    """tf.gather_nd: slices of `params` at the coordinates in the last axis of `indices`."""
    require(batch_dims == 0, "gather_nd supports batch_dims=0 only")
    return GatherNd.apply(params, indices, name=name)


class ScatterNd(OpDef):
    """Zeros of `shape` with `updates` summed in at the coordinates `indices` (duplicates add)."""

    type = "ScatterNd"

    def infer(self, indices, updates, shape_):
        _check_index_dtype(indices, "indices")
        if shape_.dtype is not indices.dtype:
            raise TypeError("ScatterNd: shape has dtype %s, indices %s"
                            % (shape_.dtype.name, indices.dtype.name))
        out, idx, ud = _shape_arg(shape_), _dims(indices), _dims(updates)
        if out.ndims is not None and None not in (idx, ud) and idx and idx[-1] is not None:
            want = tensor_shape.TensorShape(idx[:-1] + out.as_tuple()[idx[-1]:])
            require(want.is_compatible_with(ud), "The outer %d dimensions of indices.shape=%s must"
                    " match the outer %d dimensions of updates.shape=%s, and the inner dimensions "
                    "of updates must match shape[%d:]=%s" % (len(idx) - 1, _shape_str(
                        indices.shape), len(idx) - 1, _shape_str(updates.shape), idx[-1],
                        _shape_str(tensor_shape.TensorShape(out.as_tuple()[idx[-1]:]))))
        return [TensorSpec(out, updates.dtype)]

    def compute(self, indices, updates, shape_):
        dense = tuple(int(d) for d in shape_)
        _check_nd_bounds(indices, dense)
        out = np.zeros(dense, dtype=updates.dtype)
        np.add.at(out, _nd_index(indices), updates)
        return out

    def grad(self, op, dy):
        return [None, gather_nd(dy, op.inputs[0]), None]


def scatter_nd(indices, updates, shape, name=None):  # noqa: F811 - TF's argument name
    """tf.scatter_nd: a tensor of `shape` holding the sums of `updates` at `indices`."""
    indices = convert_to_tensor(indices)
    shape = convert_to_tensor(shape, indices.dtype) if not isinstance(shape, Tensor) else shape
    return ScatterNd.apply(indices, updates, shape, name=name)


# -- UnsortedSegmentSum ---------------------------------------------------------------------------
@njit
def _segment_sum_rows(ids, data, out):
    n = out.shape[0]
    for i in _pyrange(ids.shape[0]):
        k = ids[i]
        if k < 0:
            continue
        if k >= n:
            return i
        for j in _pyrange(data.shape[1]):
            out[k, j] += data[i, j]
    return -1


class UnsortedSegmentSum(OpDef):
    """out[k] = sum of data[i] with segment_ids[i] == k (negative ids are dropped)."""

    type = "UnsortedSegmentSum"
    input_dtypes = {2: dtypes.int32}

    def infer(self, data, ids, num_segments):
        _check_index_dtype(ids, "segment_ids")
        _check_index_dtype(num_segments, "num_segments")
        require(num_segments.shape.ndims in (None, 0), "num_segments should be a scalar, not "
                "shape %s" % num_segments.shape)
        n = _partial_value(num_segments)
        n = n if isinstance(n, int) else None
        dd, idd = _dims(data), _dims(ids)
        if dd is None or idd is None:
            return [TensorSpec(tensor_shape.unknown_shape(), data.dtype)]
        require(tensor_shape.TensorShape(dd[:len(idd)]).is_compatible_with(idd),
                "data.shape = %s does not start with segment_ids.shape = %s"
                % (_shape_str(data.shape), _shape_str(ids.shape)))
        return [TensorSpec((n,) + dd[len(idd):], data.dtype)]

    def compute(self, data, ids, num_segments):
        n, inner = int(num_segments), data.shape[ids.ndim:]
        flat_ids = ids.reshape(-1)
        if flat_ids.size and flat_ids.max() >= n:
            raise IndexError("segment_ids[%d] = %d is out of range [0, %d)"
                             % (int(np.argmax(flat_ids >= n)), flat_ids.max(), n))
        out = np.zeros((n,) + inner, dtype=data.dtype)
        keep = flat_ids >= 0
        np.add.at(out, flat_ids[keep], data.reshape((flat_ids.size,) + inner)[keep])
        return out

    def make_kernel(self, op, rt):
        if not op.inputs[0].dtype.is_floating:
            return self.compute

        def kernel(data, ids, num_segments):
            n, inner = int(num_segments), data.shape[ids.ndim:]
            out = np.zeros((n,) + inner, dtype=data.dtype)
            width = int(np.prod(inner)) if inner else 1
            bad = _segment_sum_rows(np.ascontiguousarray(ids).reshape(-1),
                                    np.ascontiguousarray(data).reshape(ids.size, width),
                                    out.reshape(n, width))
            if bad >= 0:
                raise IndexError("segment_ids[%d] = %d is out of range [0, %d)"
                                 % (bad, ids.reshape(-1)[bad], n))
            return out
        return kernel

    def grad(self, op, dy):
        ids = op.inputs[1]
        rows = gather(dy, elementwise_ops.maximum(ids, 0))
        n_ids, n_dy = ids.shape.ndims, dy.shape.ndims
        if n_ids is None or n_dy is None:
            raise ValueError("the gradient of unsorted_segment_sum needs known ranks")
        keep = reshape(elementwise_ops.greater_equal(ids, 0), shape(ids)) if n_dy == 1 else \
            expand_dims(elementwise_ops.greater_equal(ids, 0), -1) if n_dy == 2 else \
            reshape(elementwise_ops.greater_equal(ids, 0), concat([shape(ids), [1] * (n_dy - 1)], 0))
        return [elementwise_ops.select(keep, rows, zeros_like(rows)), None, None]


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """tf.unsorted_segment_sum (also how IndexedSlices gradients are densified)."""
    return UnsortedSegmentSum.apply(data, segment_ids, _int_arg(num_segments), name=name)


# -- IndexedSlices ----------------------------------------------------------------------------------
class IndexedSlices:
    """A gradient that is nonzero only in some rows: `values[i]` belongs at row `indices[i]`.

    `dense_shape` is the shape of the full tensor. Optimizers apply these row by row, as TF1 does.
    """

    def __init__(self, values, indices, dense_shape=None):
        self.values = values
        self.indices = indices
        self.dense_shape = dense_shape

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def graph(self):
        return self.values.graph

    @property
    def name(self):
        return self.values.name

    @property
    def op(self):
        return self.values.op

    def _to_tensor(self):
        return to_dense(self)

    def __repr__(self):
        return "IndexedSlices(indices=%s, values=%s, dense_shape=%s)" % (
            self.indices, self.values, self.dense_shape)


def to_dense(slices):
    """The dense tensor of an IndexedSlices (unsorted_segment_sum of the rows)."""
    known = constant_value(slices.dense_shape) if slices.dense_shape is not None else None
    if known is not None:
        num = int(known[0])
    elif slices.dense_shape is not None:
        num = gather(slices.dense_shape, 0)
    else:
        raise ValueError("Cannot densify IndexedSlices %r without a dense_shape" % (slices,))
    dense = unsorted_segment_sum(slices.values, slices.indices, num)
    if known is not None and dense.shape.is_compatible_with([int(d) for d in known]):
        dense.set_shape([int(d) for d in known])
    return dense


def aggregate_indexed_slices(contribs):
    """Sum of gradients some of which are IndexedSlices: rows concatenated when all are sparse."""
    if all(isinstance(g, IndexedSlices) for g in contribs):
        indices = [g.indices for g in contribs]
        if len({i.dtype for i in indices}) > 1:  # int32 and int64 ids from different gathers
            indices = [elementwise_ops.cast(i, "int64") for i in indices]
        return IndexedSlices(concat([g.values for g in contribs], 0),
                             concat(indices, 0), contribs[0].dense_shape)
    return reduction_ops.add_n([convert_to_tensor(g) for g in contribs])


__all__ = [
    "gather",
    "gather_nd",
    "scatter_nd",
    "unsorted_segment_sum",
]
