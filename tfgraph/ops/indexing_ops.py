"""Indexing ops: strided slices (Tensor.__getitem__), slice, pad, gather, segment sums, one_hot,
where, boolean_mask and argmax/argmin, each with its static shape rule, kernel and gradient.

Part of the array-ops family: tfgraph/ops/array_ops.py re-exports every public name here (and
`_slice_helper`, `where_indices`), so `tf.gather`, `array_ops.gather` and `x[1:, ::2]` all work.
The gradient of gather along axis 0 is an IndexedSlices, never a dense (vocabulary x dim) array.
"""
import functools

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, constant_value, convert_to_tensor, require
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.kernels.jit import njit
from tfgraph.ops.array_ops import (
    _check_index_dtype,
    _consts,
    _dims,
    _int_arg,
    _math,
    _norm_axis,
    _partial_value,
    _pyrange,
    _pyslice,
    _shape_arg,
    _shape_str,
    _with_shape,
    concat,
    constant,
    expand_dims,
    reshape,
    shape,
    squeeze,
    stack,
    strided_slice_index,
    transpose,
    zeros_like,
)


# -- StridedSlice and Tensor.__getitem__ ----------------------------------------------------------
class StridedSlice(OpDef):
    """Python-style slicing `x[begin:end:stride, ...]` with TF's mask attributes."""

    type = "StridedSlice"
    attrs = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
             "shrink_axis_mask": 0}
    input_dtypes = {1: dtypes.int32, 2: dtypes.int32, 3: dtypes.int32}
    view_of_input = 0

    def infer(self, x, begin, end, strides, **masks):
        b, e, s = (_partial_value(t) for t in (begin, end, strides))
        if x.shape.ndims is None or not all(isinstance(v, list) for v in (b, e, s)):
            return [TensorSpec(_dynamic_slice_shape(x.shape, begin, masks), x.dtype)]
        require(len(b) == len(e) == len(s), "Expected begin, end, and strides to be 1D equal size "
                "tensors, but got shapes %s, %s, and %s" % (begin.shape, end.shape, strides.shape))
        require(all(v != 0 for v in s), "strides[i] must be non-zero")
        return [TensorSpec(_static_index_shape(x.shape, _partial_index(b, e, s, **masks)), x.dtype)]

    def compute(self, x, begin, end, strides, **masks):
        return x[strided_slice_index(begin, end, strides, **masks)]

    def make_kernel(self, op, rt):
        c = _consts(op)
        if c is None:
            return super().make_kernel(op, rt)
        index = strided_slice_index(*c, **op.attrs)
        return lambda x, b, e, s: x[index]

    def grad(self, op, dy):
        x, begin, end, strides = op.inputs
        return [strided_slice_grad(shape(x), begin, end, strides, dy, **op.attrs), None, None, None]


_UNKNOWN_INT, _UNKNOWN_SLICE = object(), object()  # index entries known only at run time


def _partial_index(b, e, s, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                   shrink_axis_mask=0):
    """strided_slice_index over partially known begin/end/strides (None entries)."""
    index = []
    for i in _pyrange(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(None)
        elif shrink_axis_mask & bit:
            index.append(_UNKNOWN_INT if b[i] is None else b[i])
        else:
            start = None if begin_mask & bit else b[i]
            stop = None if end_mask & bit else e[i]
            unknown = s[i] is None or (start is None and not begin_mask & bit) or \
                (stop is None and not end_mask & bit)
            index.append(_UNKNOWN_SLICE if unknown else _pyslice(start, stop, s[i]))
    return tuple(index)


def _dynamic_slice_shape(shape, begin, masks):
    if shape.ndims is None or begin.shape.ndims != 1 or begin.shape.as_tuple()[0] is None:
        return tensor_shape.unknown_shape()
    n = begin.shape.as_tuple()[0]
    if masks["ellipsis_mask"] or masks["new_axis_mask"]:
        return tensor_shape.unknown_shape()
    shrink = masks["shrink_axis_mask"]
    dims = [None for i in _pyrange(n) if not shrink & (1 << i)]
    return tensor_shape.TensorShape(dims + list(shape.as_tuple()[n:]))


def _static_index_shape(shape, index):
    dims = list(shape.as_tuple())
    n_real = sum(1 for k in index if k is not None and k is not Ellipsis)
    expanded = []
    for k in index:
        if k is Ellipsis:
            expanded.extend([_pyslice(None)] * (len(dims) - n_real))
        else:
            expanded.append(k)
    if Ellipsis not in index:
        expanded.extend([_pyslice(None)] * (len(dims) - n_real))
    out, d = [], 0
    for k in expanded:
        if k is None:
            out.append(1)
            continue
        require(d < len(dims), "Index out of range using input dim %d" % d)
        size = dims[d]
        if k is _UNKNOWN_SLICE:
            out.append(None)
        elif k is _UNKNOWN_INT:
            pass
        elif isinstance(k, int):
            if size is not None:
                require(-size <= k < size, "slice index %d of dimension %d out of bounds." % (k, d))
        elif size is not None:
            out.append(len(_pyrange(size)[k]))
        else:
            out.append(None)
        d += 1
    return tensor_shape.TensorShape(out)


def _slice_helper(tensor, key):
    """Tensor.__getitem__: ints, slices with steps, Ellipsis, tf.newaxis, negative indices."""
    if not isinstance(key, tuple):
        key = (key,)
    begin, end, strides = [], [], []
    masks = dict(begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)
    for i, k in enumerate(key):
        bit = 1 << i
        if isinstance(k, _pyslice):
            for part, mask in ((k.start, "begin_mask"), (k.stop, "end_mask")):
                if part is None:
                    masks[mask] |= bit
            begin.append(0 if k.start is None else k.start)
            end.append(0 if k.stop is None else k.stop)
            strides.append(1 if k.step is None else k.step)
        elif k is Ellipsis:
            masks["ellipsis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif k is None:
            masks["new_axis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif isinstance(k, (int, np.integer)) or isinstance(k, Tensor):
            masks["shrink_axis_mask"] |= bit
            begin.append(k)
            end.append(k + 1)
            strides.append(1)
        else:
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                            "and scalar tf.int32/tf.int64 tensors are valid indices, got %r"
                            % (k,))
    packed = [stack(v) if any(isinstance(x, Tensor) for x in v) else
              constant(np.array(v, dtype=np.int32)) for v in (begin, end, strides)]
    return StridedSlice.apply(tensor, *packed, name="strided_slice", **masks)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """tf.strided_slice."""
    if strides is None:
        strides = [1] * len(begin) if not isinstance(begin, Tensor) else None
    return StridedSlice.apply(input_, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask,
                              ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                              shrink_axis_mask=shrink_axis_mask, name=name)


newaxis = None


# -- Slice ----------------------------------------------------------------------------------------
class Slice(OpDef):
    """x[begin[i] : begin[i] + size[i]] in every dimension; size -1 means to the end."""

    type = "Slice"
    input_dtypes = {1: dtypes.int32, 2: dtypes.int32}
    view_of_input = 0

    def infer(self, x, begin, size):
        b, s, dims = _partial_value(begin), _partial_value(size), _dims(x)
        n = len(b) if isinstance(b, list) else len(s) if isinstance(s, list) else \
            None if dims is None else len(dims)
        if n is None:
            return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)]
        for name, v in (("begin", b), ("size", s)):
            require(not isinstance(v, list) or len(v) == n, "Expected %s and input to have the "
                    "same rank, got %d and %d" % (name, len(v) if isinstance(v, list) else 0, n))
        require(dims is None or len(dims) == n, "Expected begin and size arguments to be 1-D "
                "tensors of size %d, but got shapes %s and %s instead." % (len(dims or ()),
                                                                         begin.shape, size.shape))
        b = b if isinstance(b, list) else [None] * n
        s = s if isinstance(s, list) else [None] * n
        d = dims if dims is not None else (None,) * n
        out = []
        for i in _pyrange(n):
            if d[i] is not None and b[i] is not None:
                require(0 <= b[i] <= d[i], "Expected begin[%d] in [0, %d], but got %d"
                        % (i, d[i], b[i]))
                if s[i] is not None and s[i] != -1:
                    require(0 <= s[i] <= d[i] - b[i], "Expected size[%d] in [0, %d], but got %d"
                            % (i, d[i] - b[i], s[i]))
            if s[i] == -1:
                out.append(None if d[i] is None or b[i] is None else d[i] - b[i])
            else:
                out.append(s[i])
        return [TensorSpec(out, x.dtype)]

    def compute(self, x, begin, size):
        return x[_slice_index(begin, size)]

    def make_kernel(self, op, rt):
        c = _consts(op)
        if c is None:
            return self.compute
        index = _slice_index(*c)
        return lambda x, b, s: x[index]

    def grad(self, op, dy):
        x, begin, _ = op.inputs
        b, dims, out = _partial_value(begin), _dims(x), _dims(op.outputs[0])
        if isinstance(b, list) and None not in b and x.shape.is_fully_defined() and \
                op.outputs[0].shape.is_fully_defined():
            paddings = [[p, d - p - o] for p, d, o in zip(b, dims, out)]
        else:
            b32 = begin if begin.dtype is dtypes.int32 else _math().cast(begin, dtypes.int32)
            paddings = stack([b32, shape(x) - b32 - shape(op.outputs[0])], axis=1)
        return [_with_shape(pad(dy, paddings), x.shape), None, None]


def _slice_index(begin, size):
    return tuple(_pyslice(int(b), None if s == -1 else int(b) + int(s))
                 for b, s in zip(begin, size))


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's name
    """tf.slice: the part of `input_` starting at `begin` of extent `size` (-1: to the end)."""
    return Slice.apply(input_, _int_arg(begin), _int_arg(size), name=name)


# -- StridedSliceGrad -----------------------------------------------------------------------------
class StridedSliceGrad(OpDef):
    """Scatters `dy` into zeros of the sliced input's runtime shape (the gradient of x[...])."""

    type = "StridedSliceGrad"
    attrs = dict(StridedSlice.attrs)
    input_dtypes = {0: dtypes.int32, 1: dtypes.int32, 2: dtypes.int32, 3: dtypes.int32}

    def infer(self, shape_, begin, end, strides, dy, **masks):
        return [TensorSpec(_shape_arg(shape_), dy.dtype)]

    def compute(self, shape_, begin, end, strides, dy, **masks):
        out = np.zeros(tuple(int(d) for d in shape_), dtype=dy.dtype)
        out[strided_slice_index(begin, end, strides, **masks)] = dy
        return out

    def make_kernel(self, op, rt):
        c = [constant_value(t) for t in op.inputs[1:4]]
        if any(v is None for v in c):
            return super().make_kernel(op, rt)
        index = strided_slice_index(*c, **op.attrs)

        def kernel(shape_, b, e, s, dy):
            out = np.zeros(tuple(shape_.tolist()), dtype=dy.dtype)
            out[index] = dy
            return out
        return kernel

    def grad(self, op, ddx):
        _, begin, end, strides, _ = op.inputs
        return [None, None, None, None, StridedSlice.apply(ddx, begin, end, strides, **op.attrs)]


def strided_slice_grad(shape, begin, end, strides, dy, begin_mask=0, end_mask=0,  # noqa: F811
                       ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, name=None):
    """The StridedSliceGrad op (TF's raw op): d(x[...])/dx applied to `dy`."""
    return StridedSliceGrad.apply(shape, begin, end, strides, dy, begin_mask=begin_mask,
                                  end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                                  new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask,
                                  name=name)


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
    from tfgraph.ops.indexed_slices import IndexedSlices
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


# -- ReverseSequence ------------------------------------------------------------------------------
class ReverseSequence(OpDef):
    """Reverses the first seq_lengths[b] entries along `seq_dim` of each batch entry b."""

    type = "ReverseSequence"
    attrs = {"seq_dim": 1, "batch_dim": 0}

    def infer(self, x, lengths, *, seq_dim, batch_dim):
        _check_index_dtype(lengths, "seq_lengths")
        dims = _dims(x)
        if dims is not None:
            n = len(dims)
            require(-n <= seq_dim < n and -n <= batch_dim < n and seq_dim % n != batch_dim % n,
                    "seq_dim %d and batch_dim %d must be distinct dims of a rank-%d input"
                    % (seq_dim, batch_dim, n))
            want = tensor_shape.TensorShape([dims[batch_dim]])
            require(want.is_compatible_with(lengths.shape), "Length of seq_lengths != input.dims("
                    "%d), (%s vs. %s)" % (batch_dim, _shape_str(lengths.shape), _shape_str(want)))
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, lengths, *, seq_dim, batch_dim):
        xm = np.moveaxis(x, (batch_dim, seq_dim), (0, 1))
        n_t = xm.shape[1]
        if lengths.size and (lengths.max() > n_t or lengths.min() < 0):
            raise ValueError("seq_lengths must be in [0, %d], got %s" % (n_t, lengths.tolist()))
        t = np.arange(n_t)
        ln = lengths.reshape(-1, 1)
        src = np.where(t < ln, ln - 1 - t, t)
        out = xm[np.arange(xm.shape[0])[:, None], src]
        return np.ascontiguousarray(np.moveaxis(out, (0, 1), (batch_dim, seq_dim)))

    def grad(self, op, dy):
        return [ReverseSequence.apply(dy, op.inputs[1], **op.attrs), None]


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None,  # noqa: A002
                     seq_dim=None, batch_dim=None):
    """tf.reverse_sequence (also the old seq_dim/batch_dim names)."""
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = (0 if batch_dim is None else batch_dim) if batch_axis is None else batch_axis
    require(seq_axis is not None, "reverse_sequence needs seq_axis")
    return ReverseSequence.apply(input, seq_lengths, seq_dim=int(seq_axis),
                                 batch_dim=int(batch_axis), name=name)


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
        m = _math()
        rows = gather(dy, m.maximum(ids, 0))
        n_ids, n_dy = ids.shape.ndims, dy.shape.ndims
        if n_ids is None or n_dy is None:
            raise ValueError("the gradient of unsorted_segment_sum needs known ranks")
        keep = reshape(m.greater_equal(ids, 0), shape(ids)) if n_dy == 1 else \
            expand_dims(m.greater_equal(ids, 0), -1) if n_dy == 2 else \
            reshape(m.greater_equal(ids, 0), concat([shape(ids), [1] * (n_dy - 1)], 0))
        return [m.where(keep, rows, zeros_like(rows)), None, None]


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """tf.unsorted_segment_sum (also how IndexedSlices gradients are densified)."""
    return UnsortedSegmentSum.apply(data, segment_ids, _int_arg(num_segments), name=name)


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


# -- Pad / PadV2 / MirrorPad ----------------------------------------------------------------------
def _pad_infer(x, paddings, mirror=None):
    _check_index_dtype(paddings, "paddings")
    p, dims = constant_value(paddings), _dims(x)
    pshape = _dims(paddings)
    require(pshape is None or (len(pshape) == 2 and pshape[1] in (None, 2)),
            "paddings must be a matrix with 2 columns: %s" % paddings.shape)
    n = pshape[0] if pshape is not None else None
    require(dims is None or n is None or n == len(dims), "The first dimension of paddings must be "
            "the rank of inputs%s %s" % (_shape_str(paddings.shape), _shape_str(x.shape)))
    n = n if n is not None else None if dims is None else len(dims)
    if p is None:
        return tensor_shape.unknown_shape(n)
    p = np.asarray(p).reshape(-1, 2)
    require(bool((p >= 0).all()), "Paddings must be non-negative: %s" % p.tolist())
    dims = dims if dims is not None else (None,) * len(p)
    for (a, b), d in zip(p, dims):
        if mirror and d is not None:  # REFLECT: pads < dim; SYMMETRIC: pads <= dim (TF's rule)
            eq = "" if mirror == "REFLECT" else " or equal to"
            limit = d - 1 if mirror == "REFLECT" else d
            require(a <= limit and b <= limit, "paddings must be less than%s the dimension size: "
                    "%d, %d not less than%s %d" % (eq, a, b, eq, d))
    return tensor_shape.TensorShape([None if d is None else d + int(a) + int(b)
                                     for (a, b), d in zip(p, dims)])


def _pad_constant(x, paddings, value):
    p = np.asarray(paddings).reshape(-1, 2)
    out = np.full(tuple(d + int(a) + int(b) for d, (a, b) in zip(x.shape, p)), value, dtype=x.dtype)
    out[tuple(_pyslice(int(a), int(a) + d) for d, (a, _) in zip(x.shape, p))] = x
    return out


def _unpad(dy, x, paddings):
    """The gradient of constant padding: the interior of dy, as a Slice."""
    p = constant_value(paddings)
    begin = np.asarray(p).reshape(-1, 2)[:, 0].astype(np.int32) if p is not None else \
        _math().cast(paddings, dtypes.int32)[:, 0]
    size = x.shape.as_list() if x.shape.is_fully_defined() else shape(x)
    return _with_shape(slice(dy, begin, size), x.shape)


class Pad(OpDef):
    """Pads with zeros: paddings[i] = [before, after] for dimension i."""

    type = "Pad"
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, paddings):
        return [TensorSpec(_pad_infer(x, paddings), x.dtype)]

    def compute(self, x, paddings):
        return _pad_constant(x, paddings, 0)

    def grad(self, op, dy):
        return [_unpad(dy, *op.inputs), None]


class PadV2(OpDef):
    """Pads with the scalar `constant_values`."""

    type = "PadV2"
    input_dtypes = {1: dtypes.int32}
    same_dtype = (0, 2)

    def infer(self, x, paddings, constant_values):
        require(constant_values.shape.ndims in (None, 0), "constant_values must be a scalar")
        return [TensorSpec(_pad_infer(x, paddings), x.dtype)]

    def compute(self, x, paddings, constant_values):
        return _pad_constant(x, paddings, constant_values)

    def grad(self, op, dy):
        return [_unpad(dy, op.inputs[0], op.inputs[1]), None, None]


class MirrorPad(OpDef):
    """Pads by reflecting the input: REFLECT omits the edge value, SYMMETRIC repeats it."""

    type = "MirrorPad"
    attrs = {"mode": "REFLECT"}
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, paddings, *, mode):
        require(mode in ("REFLECT", "SYMMETRIC"),
                "mode must be REFLECT or SYMMETRIC, got %s" % mode)
        return [TensorSpec(_pad_infer(x, paddings, mirror=mode), x.dtype)]

    def compute(self, x, paddings, *, mode):
        return np.pad(x, np.asarray(paddings).reshape(-1, 2), mode=mode.lower())

    def grad(self, op, dy):
        return [MirrorPadGrad.apply(dy, op.inputs[1], mode=op.attrs["mode"]), None]


class MirrorPadGrad(OpDef):
    """Folds the mirrored borders of `dy` back onto the values they copied."""

    type = "MirrorPadGrad"
    attrs = {"mode": "REFLECT"}
    input_dtypes = {1: dtypes.int32}

    def infer(self, dy, paddings, *, mode):
        p, dims = constant_value(paddings), _dims(dy)
        if p is None or dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(None if dims is None else len(dims)),
                               dy.dtype)]
        p = np.asarray(p).reshape(-1, 2)
        return [TensorSpec([None if d is None else d - int(a) - int(b)
                            for d, (a, b) in zip(dims, p)], dy.dtype)]

    def compute(self, dy, paddings, *, mode):
        off = 1 if mode == "REFLECT" else 0
        g = dy
        for ax, (a, b) in enumerate(np.asarray(paddings).reshape(-1, 2)):
            a, b = int(a), int(b)
            gm = np.moveaxis(g, ax, 0)
            n = gm.shape[0] - a - b
            core = gm[a:a + n].copy()
            core[off:off + a] += gm[:a][::-1]
            core[n - b - off:n - off] += gm[a + n:][::-1]
            g = np.moveaxis(core, 0, ax)
        return np.ascontiguousarray(g)

    def grad(self, op, ddx):
        return [MirrorPad.apply(ddx, op.inputs[1], mode=op.attrs["mode"]), None]


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """tf.pad: CONSTANT ('Pad', or 'PadV2' for nonzero constant_values), REFLECT or SYMMETRIC."""
    mode = mode.upper()
    paddings = _int_arg(paddings)
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.all(np.asarray(constant_values) == 0):
            return Pad.apply(tensor, paddings, name=name)
        tensor = convert_to_tensor(tensor)
        return PadV2.apply(tensor, paddings, constant_values, name=name)
    if mode in ("REFLECT", "SYMMETRIC"):
        return MirrorPad.apply(tensor, paddings, mode=mode, name=name)
    raise ValueError("Unknown padding mode: %s" % mode)


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
                lead = _math().reduce_prod(shape(tensor)[axis:axis + m], keepdims=True)
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
