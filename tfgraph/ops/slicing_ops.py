"""Slicing ops: strided slices (Tensor.__getitem__), slice, pad / mirror pad, reverse_sequence,
each with its static shape rule, kernel and gradient."""

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant, constant_value,  # noqa: F401
                                      convert_to_tensor, require)
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import elementwise_ops
from tfgraph.ops.array_core_ops import concat, transpose, zeros_like  # noqa: F401
from tfgraph.ops.shape_args import (_check_index_dtype, _consts, _dims, _int_arg,  # noqa: F401
                                    _norm_axis, _partial_value, _pyrange, _pyslice, _shape_arg,
                                    _shape_str, _with_shape, strided_slice_index)
from tfgraph.ops.shape_ops import expand_dims, reshape, shape, squeeze, stack  # noqa: F401
from tfgraph.ops.gather_ops import gather  # noqa: F401


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
            b32 = begin if begin.dtype is dtypes.int32 else elementwise_ops.cast(begin, dtypes.int32)
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
        elementwise_ops.cast(paddings, dtypes.int32)[:, 0]
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


__all__ = [
    "strided_slice",
    "newaxis",
    "slice",
    "strided_slice_grad",
    "reverse_sequence",
    "pad",
]
