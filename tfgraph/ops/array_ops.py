"""Array ops: constants, placeholders, shapes, slicing, joining/splitting, gathering and padding.

Shape arguments (perm, multiples, paddings, begin/size, axis) are graph inputs as in TF; their
values are folded at graph-construction time where known (`_partial_value`), so static shapes stay
exact, including unknown batch dims. Index/shape tensors here are int32 by default, int64 accepted.
"""
import builtins
import functools

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant_value, convert_to_tensor,
                                      require)
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.kernels.jit import njit

_pyrange, _pyslice = builtins.range, builtins.slice  # tf.range / tf.slice shadow the builtins here


def _math():
    from tfgraph.ops import math_ops  # math_ops imports this module at load time
    return math_ops


# -- build-time values of shape arguments ---------------------------------------------------------
class _Dim:
    """Unknown dimension `index` of `tensor`, met as tf.shape(tensor)[index] in a shape argument."""

    __slots__ = ("tensor", "index")

    def __init__(self, tensor, index):
        self.tensor, self.index = tensor, index


def _partial_value(t):
    """What is known at graph-construction time of a small int tensor (a shape, axis or perm).

    An int (scalar) or a list of ints/None (vector); None when nothing is known. Like TF's
    constant_value_as_shape it sees through Shape (partially known), Pack, ConcatV2, StridedSlice
    and GatherV2 of such vectors.
    """
    v = _partial(t)
    if isinstance(v, list):
        return [d if isinstance(d, int) else None for d in v]
    return v if isinstance(v, int) else None


def _partial(t):
    """_partial_value, with unknown dims read from tf.shape(x) kept as _Dim(x, i), so that
    `reshape(x, [tf.shape(x)[0], -1])` can cancel the batch dim and keep a static (?, 12)."""
    if not isinstance(t, Tensor):
        return None
    v = constant_value(t)
    if v is not None:
        v = np.asarray(v)
        return int(v) if v.ndim == 0 else [int(d) for d in v] if v.ndim == 1 else None
    op = t.op
    out = None
    if op.type == "Shape":
        dims = op.inputs[0].shape.as_tuple()
        out = None if dims is None else [_Dim(op.inputs[0], i) if d is None else d
                                         for i, d in enumerate(dims)]
    elif op.type in ("Identity", "Cast"):
        out = _partial(op.inputs[0])
    elif op.type == "Pack" and t.shape.ndims == 1:
        out = [v if isinstance(v, (int, _Dim)) else None for v in map(_partial, op.inputs)]
    elif op.type == "ConcatV2":
        parts = [_partial(x) for x in op.inputs[:-1]]
        if all(isinstance(p, list) for p in parts):
            out = [d for p in parts for d in p]
    elif op.type in ("StridedSlice", "GatherV2"):
        base = _partial(op.inputs[0])
        consts = [constant_value(x) for x in op.inputs[1:]]
        if isinstance(base, list) and all(c is not None for c in consts):
            arr = np.array(base + [0], dtype=object)[:-1]  # keeps a 1-D object array
            try:
                if op.type == "StridedSlice":
                    out = arr[strided_slice_index(*consts, **op.attrs)]
                elif int(consts[1]) == 0:
                    out = arr[np.asarray(consts[0])]
            except IndexError:
                out = None
            if isinstance(out, np.ndarray):
                out = list(out) if out.ndim == 1 else None
    if isinstance(out, (list, tuple)):
        return [d if d is None or isinstance(d, _Dim) else int(d) for d in out]
    if out is not None:
        return out if isinstance(out, _Dim) else int(out)
    dims = t.shape.as_tuple()
    return [None] * dims[0] if dims is not None and len(dims) == 1 and dims[0] is not None else None


def _plain(target):
    return [None if isinstance(d, _Dim) else d for d in target]


def _consts(op, first=1):
    """Build-time values of op's inputs from `first` on (shape arguments), or None if any is not
    constant. make_kernel uses them to bind shape arguments once, at plan time."""
    values = [constant_value(t) for t in op.inputs[first:]]
    return None if any(v is None for v in values) else values


def _shape_arg(t):
    """A TensorShape from a 1-D shape tensor: known entries where foldable, else unknown."""
    v = _partial_value(t)
    if isinstance(v, list):
        return tensor_shape.TensorShape([None if d is None or d < 0 else d for d in v])
    return tensor_shape.unknown_shape()


def _norm_axis(axis, ndims, what="axis"):
    """`axis` in [0, ndims) (negative counts from the end); ValueError naming the valid range."""
    require(-ndims <= axis < ndims, "Expected %s in the range [%d, %d), but got %d"
            % (what, -ndims, ndims, axis))
    return axis % ndims if ndims else axis


def _dims(x):
    return x.shape.as_tuple()


def _check_index_dtype(t, what):
    if t.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: int32, int64" % (what, t.dtype.name))


def _with_shape(t, shape):
    """Sets the static shape of a gradient whose ops could not fold it (dynamic shape arguments)."""
    if t.shape.is_compatible_with(shape):
        t.set_shape(shape)
    return t


def _int_arg(value):
    """Python/numpy ints (or lists of them) become int32 constants; tensors pass through."""
    if isinstance(value, Tensor) or hasattr(value, "_to_tensor"):
        return convert_to_tensor(value)
    return convert_to_tensor(value, dtypes.int32)


# -- Const -----------------------------------------------------------------------------------------
class Const(OpDef):
    """A constant value stored in the graph."""

    type = "Const"
    attrs = {"value": None, "dtype": None}
    persistent_output = True

    def infer(self, *, value, dtype):
        return [TensorSpec(value.shape, dtype)]

    def compute(self, *, value, dtype):
        return value


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """tf.constant: python floats become float32 and ints int32 unless `dtype` says otherwise."""
    from tfgraph.framework.op_def import _to_array
    if isinstance(value, Tensor):
        raise TypeError("tf.constant expects a python or numpy value, got Tensor %s" % value.name)
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    arr = _to_array(value, dtype)
    if dtype is None:
        dtype = dtypes.as_dtype(arr.dtype) if arr.dtype.kind not in "USO" else dtypes.string
    if shape is not None:
        shape = tuple(tensor_shape.as_shape(shape).as_list())
        if arr.size == 1 and int(np.prod(shape)) != 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        elif verify_shape or arr.size != 1:
            raise TypeError("Expected Tensor's shape: %s, got %s." % (shape, arr.shape))
    arr = np.array(arr, order="C", copy=True)  # (ascontiguousarray would make scalars 1-d)
    arr.setflags(write=False)  # constants are shared by every run: nothing may write into them
    return Const.apply(value=arr, dtype=dtype, name=name)


# -- Placeholder ----------------------------------------------------------------------------------
class Placeholder(OpDef):
    """A value that must be fed at run time."""

    type = "Placeholder"
    attrs = {"dtype": None, "shape": None}

    def infer(self, *, dtype, shape):
        return [TensorSpec(shape, dtype)]

    def make_kernel(self, op, rt):
        from tfgraph.framework import errors

        def unfed():
            raise errors.InvalidArgumentError(
                None, op, "You must feed a value for placeholder tensor '%s' with dtype %s%s"
                % (op.name, op.attrs["dtype"].name,
                   "" if op.attrs["shape"].ndims is None else " and shape %s" % _shape_str(
                       op.attrs["shape"])))
        return unfed


def _shape_str(shape):
    if shape.ndims is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"


def placeholder(dtype, shape=None, name=None):
    """tf.placeholder: a tensor fed through `feed_dict`; its shape and dtype are checked on feed."""
    return Placeholder.apply(dtype=dtypes.as_dtype(dtype), shape=tensor_shape.as_shape(shape),
                             name=name)


class PlaceholderWithDefault(OpDef):
    """Passes `input` through unless the tensor is fed."""

    type = "PlaceholderWithDefault"
    attrs = {"shape": None}
    view_of_input = 0

    def infer(self, x, *, shape):
        require(shape.is_compatible_with(x.shape),
                "Shapes %s and %s are incompatible" % (shape, x.shape))
        return [TensorSpec(shape, x.dtype)]

    def compute(self, x, *, shape):
        return x

    def grad(self, op, dy):
        return [dy]


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """tf.placeholder_with_default: `input` unless fed."""
    return PlaceholderWithDefault.apply(input, shape=tensor_shape.as_shape(shape), name=name)


# -- Identity / StopGradient ----------------------------------------------------------------------
class Identity(OpDef):
    """Returns its input unchanged."""

    type = "Identity"
    view_of_input = 0

    def infer(self, x):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x):
        return x

    def grad(self, op, dy):
        return [dy]


def identity(input, name=None):  # noqa: A002
    """tf.identity."""
    return Identity.apply(input, name=name)


class StopGradient(OpDef):
    """Identity in the forward pass; blocks gradients in tf.gradients."""

    type = "StopGradient"
    view_of_input = 0

    def infer(self, x):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x):
        return x

    def grad(self, op, dy):
        return [None]


def stop_gradient(input, name=None):  # noqa: A002
    """tf.stop_gradient."""
    return StopGradient.apply(input, name=name)


# -- Pack (stack) ---------------------------------------------------------------------------------
class Pack(OpDef):
    """Stacks N tensors of one shape along a new axis."""

    type = "Pack"
    attrs = {"axis": 0}

    def infer(self, *values, axis):
        require(len(values) > 0, "Pack needs at least one input")
        dtype = values[0].dtype
        shape = values[0].shape
        for v in values[1:]:
            if v.dtype is not dtype:
                raise TypeError("Pack: all inputs must have dtype %s, got %s" % (dtype.name,
                                                                                  v.dtype.name))
            require(shape.is_compatible_with(v.shape),
                    "Shapes %s and %s are incompatible" % (shape, v.shape))
            shape = shape.merge_with(v.shape)
        if shape.ndims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), dtype)]
        dims = list(shape.as_tuple())
        a = axis + len(dims) + 1 if axis < 0 else axis
        require(0 <= a <= len(dims),
                "axis = %d not in [%d, %d]" % (axis, -len(dims) - 1, len(dims)))
        dims.insert(a, len(values))
        return [TensorSpec(dims, dtype)]

    def compute(self, *values, axis):
        return np.stack(values, axis=axis)

    def grad(self, op, dy):
        return unstack(dy, num=len(op.inputs), axis=op.attrs["axis"])


def stack(values, axis=0, name="stack"):
    """tf.stack: packs a list of rank-R tensors into one rank-(R+1) tensor."""
    values = list(values)
    if not any(isinstance(v, Tensor) or hasattr(v, "_to_tensor") for v in values):
        return constant(np.stack([np.asarray(v) for v in values], axis=axis), name=name)
    dtype = next(convert_to_tensor(v).dtype for v in values
                 if isinstance(v, Tensor) or hasattr(v, "_to_tensor"))
    return Pack.apply(*[convert_to_tensor(v, dtype) for v in values], axis=axis, name=name)


# -- Shape ----------------------------------------------------------------------------------------
class Shape(OpDef):
    """The runtime shape of a tensor as a 1-D int tensor."""

    type = "Shape"
    attrs = {"out_type": dtypes.int32}

    def infer(self, x, *, out_type):
        return [TensorSpec([x.shape.ndims], out_type)]

    def compute(self, x, *, out_type):
        return np.array(x.shape, dtype=out_type.np)

    def grad(self, op, dy):
        return [None]


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """tf.shape."""
    return Shape.apply(input, out_type=dtypes.as_dtype(out_type), name=name)


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


def strided_slice_index(begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0,
                        new_axis_mask=0, shrink_axis_mask=0):
    """The numpy index tuple a StridedSlice spec stands for."""
    index = []
    for i in _pyrange(len(begin)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(np.newaxis)
        elif shrink_axis_mask & bit:
            index.append(int(begin[i]))
        else:
            index.append(_pyslice(None if begin_mask & bit else int(begin[i]),
                                  None if end_mask & bit else int(end[i]), int(strides[i])))
    return tuple(index)


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


# -- Fill / zeros / ones --------------------------------------------------------------------------
class Fill(OpDef):
    """A tensor of runtime shape `dims` filled with the scalar `value`."""

    type = "Fill"
    input_dtypes = {0: dtypes.int32}

    def infer(self, dims, value):
        require(value.shape.ndims in (None, 0),
                "value must be a scalar, got shape %s" % value.shape)
        return [TensorSpec(_shape_arg(dims), value.dtype)]

    def compute(self, dims, value):
        return np.full(tuple(int(d) for d in dims), value, dtype=value.dtype)

    def grad(self, op, dy):
        from tfgraph.ops import math_ops
        return [None, math_ops.reduce_sum(dy)]


def fill(dims, value, name=None):
    """tf.fill."""
    return Fill.apply(dims, value, name=name)


def _filled(shape, dtype, value, name):
    dtype = dtypes.as_dtype(dtype)
    if isinstance(shape, Tensor):
        return fill(shape, np.asarray(value, dtype=dtype.np), name=name)
    shape = tensor_shape.as_shape(shape).as_list()
    return constant(np.full(shape, value, dtype=dtype.np), dtype=dtype, name=name)


def zeros(shape, dtype=dtypes.float32, name=None):
    """tf.zeros."""
    return _filled(shape, dtype, 0, name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """tf.ones."""
    return _filled(shape, dtype, 1, name or "ones")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """tf.zeros_like."""
    from tfgraph.ops import math_ops
    t = convert_to_tensor(tensor)
    out = math_ops.ZerosLike.apply(t, name=name or "zeros_like")
    return math_ops.cast(out, dtype) if dtype is not None else out


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """tf.ones_like."""
    from tfgraph.ops import math_ops
    t = convert_to_tensor(tensor)
    out = math_ops.OnesLike.apply(t, name=name or "ones_like")
    return math_ops.cast(out, dtype) if dtype is not None else out


# -- Reshape / ExpandDims -------------------------------------------------------------------------
class Reshape(OpDef):
    """Reshapes to `shape` (one entry may be -1)."""

    type = "Reshape"
    input_dtypes = {1: dtypes.int32}
    view_of_input = 0

    def infer(self, x, shape):
        target = _partial(shape)
        if not isinstance(target, list):
            return [TensorSpec(_shape_arg(shape), x.dtype)]
        require(sum(1 for d in target if d == -1) <= 1, "only one input size may be -1, not both")
        in_dims = list(_dims(x)) if x.shape.ndims is not None else None
        out, cancelled = [], 0
        for d in target:
            # tf.shape(x)[i] of this very input stands for input dim i: it cancels out of the count
            if isinstance(d, _Dim) and d.tensor is x and in_dims[d.index] is None:
                in_dims[d.index] = 1
                cancelled += 1
                out.append(_Dim)
            else:
                out.append(None if isinstance(d, _Dim) else d)
        n = None if in_dims is None or None in in_dims else int(np.prod(in_dims, dtype=np.int64))
        known = [d for d in out if isinstance(d, int) and d != -1]
        prod = int(np.prod(known, dtype=np.int64)) if known else 1
        n_unknown = sum(1 for d in out if d is None or d == -1)
        if n is not None and n_unknown == 0:
            require(n == prod, "Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                    % (n, _plain(target), prod))
        elif n is not None:
            require(prod > 0 and n % prod == 0 or n == 0,
                    "Cannot reshape a tensor with %d elements to shape %s" % (n, _plain(target)))
            if n_unknown == 1 and prod > 0:
                out = [n // prod if d is None or d == -1 else d for d in out]
        return [TensorSpec([None if d is _Dim or d == -1 else d for d in out], x.dtype)]

    def compute(self, x, shape):
        return np.reshape(x, tuple(int(d) for d in shape))

    def make_kernel(self, op, rt):
        c = _consts(op)
        if c is None:
            return self.compute
        target = tuple(int(d) for d in np.ravel(c[0]))
        return lambda x, s: x.reshape(target)

    def grad(self, op, dy):
        return [reshape(dy, shape(op.inputs[0])), None]


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name shadows the op
    """tf.reshape."""
    if not isinstance(shape, Tensor):
        shape = [int(d) if not isinstance(d, Tensor) else d for d in shape] \
            if isinstance(shape, (list, tuple)) else shape
        if isinstance(shape, list) and any(isinstance(d, Tensor) for d in shape):
            shape = stack([d if isinstance(d, Tensor) else np.int32(d) for d in shape])
    return Reshape.apply(tensor, shape, name=name)


class ExpandDims(OpDef):
    """Inserts a dimension of size 1 at `axis`."""

    type = "ExpandDims"
    attrs = {"axis": 0}
    view_of_input = 0

    def infer(self, x, *, axis):
        if x.shape.ndims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)]
        dims = list(x.shape.as_tuple())
        a = axis + len(dims) + 1 if axis < 0 else axis
        require(0 <= a <= len(dims), "Tried to expand dim index %d for tensor with %d dimensions."
                % (axis, len(dims)))
        dims.insert(a, 1)
        return [TensorSpec(dims, x.dtype)]

    def compute(self, x, *, axis):
        return np.expand_dims(x, axis)

    def grad(self, op, dy):
        return [reshape(dy, shape(op.inputs[0]))]


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """tf.expand_dims (also accepts the old `dim`)."""
    if axis is None:
        axis = dim
    return ExpandDims.apply(input, axis=int(axis), name=name)


# -- Squeeze --------------------------------------------------------------------------------------
class Squeeze(OpDef):
    """Removes size-1 dimensions (all of them, or those listed in `squeeze_dims`)."""

    type = "Squeeze"
    attrs = {"squeeze_dims": ()}
    view_of_input = 0

    def infer(self, x, *, squeeze_dims):
        dims = _dims(x)
        if dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)]
        if not squeeze_dims:
            if None in dims:
                return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)]
            return [TensorSpec([d for d in dims if d != 1], x.dtype)]
        axes = set()
        for a in squeeze_dims:
            a = _norm_axis(a, len(dims), "dimension")
            require(dims[a] in (None, 1), "Can not squeeze dim[%d], expected a dimension of 1, got "
                    "%d" % (a, dims[a] or 0))
            axes.add(a)
        return [TensorSpec([d for i, d in enumerate(dims) if i not in axes], x.dtype)]

    def compute(self, x, *, squeeze_dims):
        return np.squeeze(x, axis=tuple(squeeze_dims) if squeeze_dims else None)

    def grad(self, op, dy):
        return [_reshape_like(dy, op.inputs[0])]


def _reshape_like(dy, x):
    """dy reshaped to x's shape: a constant shape when static, else tf.shape(x)."""
    target = x.shape.as_list() if x.shape.is_fully_defined() else shape(x)
    return reshape(dy, target)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """tf.squeeze: drops size-1 dims; `axis` (old name `squeeze_dims`) picks which."""
    if axis is None:
        axis = squeeze_dims
    if axis is None:
        axis = ()
    elif isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    return Squeeze.apply(input, squeeze_dims=tuple(int(a) for a in axis), name=name)


# -- Transpose ------------------------------------------------------------------------------------
class Transpose(OpDef):
    """Permutes the dimensions: output dim i is input dim perm[i]."""

    type = "Transpose"
    input_dtypes = {1: dtypes.int32}
    view_of_input = 0

    def infer(self, x, perm):
        _check_index_dtype(perm, "perm")
        p, n = _partial_value(perm), x.shape.ndims
        if not isinstance(p, list):
            return [TensorSpec(tensor_shape.unknown_shape(n), x.dtype)]
        require(n is None or len(p) == n, "Dimension must be %d but is %d" % (n or 0, len(p)))
        if None in p:
            return [TensorSpec(tensor_shape.unknown_shape(len(p)), x.dtype)]
        require(sorted(p) == list(_pyrange(len(p))), "%s is not a valid permutation" % p)
        dims = _dims(x)
        return [TensorSpec([None if dims is None else dims[i] for i in p], x.dtype)]

    def compute(self, x, perm):
        return np.transpose(x, perm)

    def make_kernel(self, op, rt):
        c = _consts(op)
        if c is None:
            return self.compute
        perm = tuple(int(d) for d in c[0])
        return lambda x, p: x.transpose(perm)

    def grad(self, op, dy):
        p = _partial_value(op.inputs[1])
        if isinstance(p, list) and None not in p:
            inv = np.argsort(p).astype(np.int32)
        else:
            inv = invert_permutation(op.inputs[1])
        return [transpose(dy, inv), None]


class InvertPermutation(OpDef):
    """y[x[i]] = i."""

    type = "InvertPermutation"

    def infer(self, x):
        _check_index_dtype(x, "x")
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x):
        return np.argsort(x).astype(x.dtype)

    def grad(self, op, dy):
        return [None]


def invert_permutation(x, name=None):
    """tf.invert_permutation."""
    return InvertPermutation.apply(x, name=name)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """tf.transpose: `perm` defaults to reversing the dimensions."""
    a = convert_to_tensor(a)
    if perm is None:
        n = a.shape.ndims
        perm = np.arange(n - 1, -1, -1, dtype=np.int32) if n is not None else \
            range(rank(a) - 1, -1, -1)
    return Transpose.apply(a, _int_arg(perm), name=name)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """tf.matrix_transpose / tf.linalg.transpose: swaps the last two dimensions."""
    a = convert_to_tensor(a)
    n = a.shape.ndims
    require(n is not None and n >= 2, "Argument 'a' should be a (batch) matrix, with rank >= 2.  "
            "Found: %s" % a.shape)
    return transpose(a, list(_pyrange(n - 2)) + [n - 1, n - 2], name=name)


# -- ConcatV2 -------------------------------------------------------------------------------------
class ConcatV2(OpDef):
    """Joins N tensors along `axis` (the last input)."""

    type = "ConcatV2"

    def infer(self, *inputs):
        values, axis = inputs[:-1], inputs[-1]
        require(len(values) >= 2, "ConcatV2 needs at least two values")
        _check_index_dtype(axis, "axis")
        dtype = values[0].dtype
        if any(v.dtype is not dtype for v in values):
            raise TypeError("Tensors in list passed to 'values' of 'ConcatV2' Op have types [%s] "
                            "that don't all match." % ", ".join(v.dtype.name for v in values))
        known = [v for v in values if v.shape.ndims is not None]
        if not known:
            return [TensorSpec(tensor_shape.unknown_shape(), dtype)]
        n = known[0].shape.ndims
        for v in known[1:]:
            require(v.shape.ndims == n, "Shape must be rank %d but is rank %d" % (n, v.shape.ndims))
        a = _partial_value(axis)
        if not isinstance(a, int):
            return [TensorSpec(tensor_shape.unknown_shape(n), dtype)]
        a = _norm_axis(a, n, "concatenating dimensions")
        out, total = list(_dims(known[0])), 0
        for v in values:
            dims = _dims(v)
            if dims is None:
                total = None
                continue
            total = None if total is None or dims[a] is None else total + dims[a]
            for i, (p, q) in enumerate(zip(out, dims)):
                if i != a and p is not None and q is not None and p != q:
                    raise ValueError("Dimension %d in both shapes must be equal, but are %d and "
                                     "%d. Shapes are %s and %s."
                                     % (i, p, q, _shape_str_of(known[0]), _shape_str_of(v)))
                if i != a and p is None:
                    out[i] = q
        out[a] = total
        return [TensorSpec(out, dtype)]

    def compute(self, *inputs):
        return np.concatenate(inputs[:-1], axis=int(inputs[-1]))

    def make_kernel(self, op, rt):
        c = _consts(op, len(op.inputs) - 1)
        if c is None:
            return self.compute
        axis = int(c[0])
        return lambda *inputs: np.concatenate(inputs[:-1], axis=axis)

    def grad(self, op, dy):
        values, axis = op.inputs[:-1], op.inputs[-1]
        a = _partial_value(axis)
        n = dy.shape.ndims
        if isinstance(a, int) and n is not None:
            a = a % n
            sizes = [_dims(v)[a] if v.shape.ndims is not None else None for v in values]
        else:
            sizes = [None]
        if None in sizes:
            sizes = stack([gather(shape(v), axis) for v in values])
        return split(dy, sizes, axis=axis, num=len(values)) + [None]


def _shape_str_of(t):
    return _shape_str(t.shape)


def concat(values, axis, name="concat"):
    """tf.concat: joins `values` along `axis`; one value gives an identity."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    values = _same_dtype_tensors(values)
    axis = _int_arg(axis)
    if len(values) == 1:
        return identity(values[0], name=name)
    return ConcatV2.apply(*values, axis, name=name)


def _same_dtype_tensors(values):
    """Converts a list to tensors of one dtype (python values take the first tensor's dtype)."""
    dtype = next((convert_to_tensor(v).dtype for v in values
                  if isinstance(v, Tensor) or hasattr(v, "_to_tensor")), None)
    return [convert_to_tensor(v) if isinstance(v, Tensor) else convert_to_tensor(v, dtype)
            for v in values]


# -- Unpack (unstack) -----------------------------------------------------------------------------
class Unpack(OpDef):
    """Splits a rank-R tensor into `num` rank-(R-1) tensors along `axis`."""

    type = "Unpack"
    attrs = {"num": None, "axis": 0}
    view_of_input = 0

    def infer(self, x, *, num, axis):
        dims = _dims(x)
        if dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)] * num
        a = _norm_axis(axis, len(dims))
        require(dims[a] is None or dims[a] == num, "Dimension must be %d but is %d"
                % (num, dims[a] or 0))
        return [TensorSpec(dims[:a] + dims[a + 1:], x.dtype)] * num

    def compute(self, x, *, num, axis):
        xs = np.moveaxis(x, axis, 0)
        if xs.shape[0] != num:
            raise ValueError("Input shape axis %d must equal %d, got shape %s" % (axis, num,
                                                                                 list(x.shape)))
        return xs[0] if num == 1 else tuple(xs)

    def grad(self, op, *dys):
        return [stack(list(dys), axis=op.attrs["axis"])]


def unstack(value, num=None, axis=0, name="unstack"):
    """tf.unstack: a list of the slices of `value` along `axis`."""
    value = convert_to_tensor(value)
    dims = _dims(value)
    if num is None:
        if dims is None or not -len(dims) <= axis < len(dims) or dims[axis] is None:
            raise ValueError("Cannot infer num from shape %s" % value.shape)
        num = dims[axis]
    return list(Unpack.create_op([value], name=name, num=int(num), axis=int(axis)).outputs)


# -- Split / SplitV -------------------------------------------------------------------------------
def _split_infer(x, a, sizes):
    """One spec per piece: x's shape with dim `a` replaced by each (possibly unknown) size."""
    dims = _dims(x)
    if dims is None:
        return [TensorSpec(tensor_shape.unknown_shape(), x.dtype) for _ in sizes]
    if a is None:
        return [TensorSpec(tensor_shape.unknown_shape(len(dims)), x.dtype) for _ in sizes]
    return [TensorSpec(dims[:a] + (s,) + dims[a + 1:], x.dtype) for s in sizes]


class Split(OpDef):
    """Splits `value` into `num_split` equal pieces along `split_dim` (TF input order)."""

    type = "Split"
    attrs = {"num_split": 1}
    input_dtypes = {0: dtypes.int32}
    view_of_input = 1

    def infer(self, split_dim, x, *, num_split):
        a, n = _partial_value(split_dim), x.shape.ndims
        if not isinstance(a, int) or n is None:
            return _split_infer(x, None, [None] * num_split)
        a = _norm_axis(a, n, "split_dim")
        d = _dims(x)[a]
        require(d is None or d % num_split == 0, "Dimension size must be evenly divisible by %d "
                "but is %d" % (num_split, d or 0))
        return _split_infer(x, a, [None if d is None else d // num_split] * num_split)

    def compute(self, split_dim, x, *, num_split):
        out = np.split(x, num_split, axis=int(split_dim))
        return out[0] if num_split == 1 else tuple(out)

    def grad(self, op, *dys):
        return [None, concat(list(dys), op.inputs[0])]


class SplitV(OpDef):
    """Splits `value` into pieces of `size_splits` (one may be -1) along `split_dim`."""

    type = "SplitV"
    attrs = {"num_split": 1}
    input_dtypes = {1: dtypes.int32, 2: dtypes.int32}
    view_of_input = 0

    def infer(self, x, size_splits, split_dim, *, num_split):
        a, n = _partial_value(split_dim), x.shape.ndims
        sizes = _partial_value(size_splits)
        if not isinstance(sizes, list):
            sizes = [None] * num_split
        require(len(sizes) == num_split, "size_splits has %d entries but num_split is %d"
                % (len(sizes), num_split))
        if not isinstance(a, int) or n is None:
            return _split_infer(x, None, sizes)
        a = _norm_axis(a, n, "split_dim")
        d = _dims(x)[a]
        require(sum(1 for s in sizes if s == -1) <= 1, "size_splits may contain at most one -1")
        known = sum(s for s in sizes if s is not None and s != -1)
        if d is not None:
            exact = all(s is not None and s != -1 for s in sizes)
            require(known == d if exact else known <= d,
                    "Determined shape must either match input shape along split_dim exactly if "
                    "fully specified, or be less than the size of the input along split_dim if not "
                    "fully specified.  Got: %d" % known)
            if -1 in sizes and None not in sizes:
                sizes = [d - known if s == -1 else s for s in sizes]
        return _split_infer(x, a, [None if s == -1 else s for s in sizes])

    def compute(self, x, size_splits, split_dim, *, num_split):
        a = int(split_dim)
        sizes = [int(s) for s in size_splits]
        if -1 in sizes:
            sizes[sizes.index(-1)] = x.shape[a] - (sum(sizes) + 1)
        if sum(sizes) != x.shape[a] or min(sizes) < 0:
            raise ValueError("size_splits %s do not sum to the dimension %d of shape %s"
                             % (sizes, x.shape[a], list(x.shape)))
        out = np.split(x, np.cumsum(sizes)[:-1], axis=a)
        return out[0] if num_split == 1 else tuple(out)

    def grad(self, op, *dys):
        return [concat(list(dys), op.inputs[2]), None, None]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """tf.split: an int splits evenly ('Split'); a list or 1-D tensor gives the sizes ('SplitV')."""
    value = convert_to_tensor(value)
    axis = _int_arg(axis)
    if isinstance(num_or_size_splits, (int, np.integer)):
        return list(Split.create_op([axis, value], name=name,
                                    num_split=int(num_or_size_splits)).outputs)
    sizes = _int_arg(num_or_size_splits)
    if num is None:
        n = sizes.shape.as_tuple()
        if not n or n[0] is None:
            raise ValueError("Cannot infer num from shape %s" % sizes.shape)
        num = n[0]
    return list(SplitV.create_op([value, sizes, axis], name=name, num_split=int(num)).outputs)


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
    from tfgraph.autodiff.indexed_slices import IndexedSlices
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


# -- Tile -----------------------------------------------------------------------------------------
class Tile(OpDef):
    """Repeats `input` multiples[i] times along dimension i."""

    type = "Tile"
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, multiples):
        _check_index_dtype(multiples, "multiples")
        m, dims = _partial_value(multiples), _dims(x)
        n = len(m) if isinstance(m, list) else None if dims is None else len(dims)
        require(dims is None or n is None or n == len(dims), "Expected multiples argument to be a "
                "vector of length %d but got length %d" % (len(dims or ()), n or 0))
        if n is None:
            return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)]
        m = m if isinstance(m, list) else [None] * n
        dims = dims if dims is not None else (None,) * n
        require(all(k is None or k >= 0 for k in m), "Expected multiples to be non-negative, "
                "got %s" % m)
        return [TensorSpec([None if d is None or k is None else d * k
                            for d, k in zip(dims, m)], x.dtype)]

    def compute(self, x, multiples):
        return np.tile(x, tuple(int(k) for k in multiples))

    def make_kernel(self, op, rt):
        c = _consts(op)
        if c is None:
            return self.compute
        reps = tuple(int(k) for k in c[0])
        return lambda x, m: np.tile(x, reps)

    def grad(self, op, dy):
        x, multiples = op.inputs
        m, dims = _partial_value(multiples), _dims(x)
        n = len(dims) if dims is not None else len(m) if isinstance(m, list) else None
        require(n is not None, "the gradient of tile needs the rank of its input")
        if isinstance(m, list) and None not in m and x.shape.is_fully_defined():
            split_shape = [v for pair in zip(m, dims) for v in pair]
        else:
            m32 = multiples if multiples.dtype is dtypes.int32 else \
                _math().cast(multiples, dtypes.int32)
            split_shape = reshape(transpose(stack([m32, shape(x)])), [-1])
        g = _math().reduce_sum(reshape(dy, split_shape), axis=list(_pyrange(0, 2 * n, 2)))
        return [_with_shape(g, x.shape), None]


def tile(input, multiples, name=None):  # noqa: A002
    """tf.tile."""
    return Tile.apply(input, _int_arg(multiples), name=name)


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


# -- ReverseV2 ------------------------------------------------------------------------------------
class ReverseV2(OpDef):
    """Reverses the listed dimensions."""

    type = "ReverseV2"
    input_dtypes = {1: dtypes.int32}
    view_of_input = 0

    def infer(self, x, axis):
        _check_index_dtype(axis, "axis")
        a, n = _partial_value(axis), x.shape.ndims
        if isinstance(a, list) and n is not None:
            for k in a:
                if k is not None:
                    _norm_axis(k, n)
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, axis):
        return np.flip(x, axis=tuple(int(a) for a in np.ravel(axis)))

    def grad(self, op, dy):
        return [ReverseV2.apply(dy, op.inputs[1]), None]


def reverse(tensor, axis, name=None):
    """tf.reverse (tf.reverse_v2): flips `tensor` along the dimensions in `axis`."""
    return ReverseV2.apply(tensor, _int_arg(axis), name=name)


reverse_v2 = reverse


# -- Size / Rank / Range --------------------------------------------------------------------------
class Size(OpDef):
    """The number of elements of a tensor."""

    type = "Size"
    attrs = {"out_type": dtypes.int32}

    def infer(self, x, *, out_type):
        return [TensorSpec([], out_type)]

    def compute(self, x, *, out_type):
        return np.array(x.size, dtype=out_type.np)

    def grad(self, op, dy):
        return [None]


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """tf.size."""
    return Size.apply(input, out_type=dtypes.as_dtype(out_type), name=name)


class Rank(OpDef):
    """The number of dimensions of a tensor (int32 scalar)."""

    type = "Rank"

    def infer(self, x):
        return [TensorSpec([], dtypes.int32)]

    def compute(self, x):
        return np.array(x.ndim, dtype=np.int32)

    def grad(self, op, dy):
        return [None]


def rank(input, name=None):  # noqa: A002
    """tf.rank."""
    return Rank.apply(input, name=name)


def _range_size(start, limit, delta, np_dtype):
    """TF's element count: (|limit-start| + |delta| - 1) // |delta| for ints, ceil(|(l-s)/d|)."""
    require(delta != 0, "Requires delta != 0: %s" % delta)
    require(start <= limit if delta > 0 else start >= limit, "Requires start %s limit when delta "
            "%s 0: %s/%s" % ("<=" if delta > 0 else ">=", ">" if delta > 0 else "<", start, limit))
    if np.dtype(np_dtype).kind in "iu":
        return (builtins.abs(int(limit) - int(start)) + builtins.abs(int(delta)) - 1) // \
            builtins.abs(int(delta))
    t = np.dtype(np_dtype).type
    return int(np.ceil(np.abs((t(limit) - t(start)) / t(delta))))


class Range(OpDef):
    """[start, start + delta, ...) up to `limit`, accumulated in its dtype as TF does."""

    type = "Range"
    same_dtype = (0, 1, 2)

    def infer(self, start, limit, delta):
        for t in (start, limit, delta):
            require(t.shape.ndims in (None, 0), "start, limit and delta must be scalars, got %s"
                    % t.shape)
        if start.dtype not in (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64):
            raise TypeError("Range does not support dtype %s" % start.dtype.name)
        vals = [constant_value(t) for t in (start, limit, delta)]
        n = None if any(v is None for v in vals) else _range_size(*vals, start.dtype.np)
        return [TensorSpec([n], start.dtype)]

    def compute(self, start, limit, delta):
        n = _range_size(start, limit, delta, start.dtype)
        steps = np.full(n, delta, dtype=start.dtype)
        if n:
            steps[0] = start
        return np.add.accumulate(steps, dtype=start.dtype)

    def grad(self, op, dy):
        return [None, None, None]


_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """tf.range(limit) / tf.range(start, limit, delta): dtype from the arguments (int32 < int64 <
    float32 < float64) unless given."""
    if limit is None:
        start, limit = 0, start
    args = [convert_to_tensor(v) if isinstance(v, Tensor) or hasattr(v, "_to_tensor") else v
            for v in (start, limit, delta)]
    if dtype is None:
        kinds = [a.dtype if isinstance(a, Tensor) else dtypes.as_dtype(dtypes.dtype_of_value(a))
                 for a in args]
        dtype = builtins.max(kinds, key=lambda d: _RANGE_DTYPES.index(d)
                             if d in _RANGE_DTYPES else 0)
    dtype = dtypes.as_dtype(dtype)
    args = [a if not isinstance(a, Tensor) else a if a.dtype is dtype else _math().cast(a, dtype)
            for a in args]
    args = [a if isinstance(a, Tensor) else convert_to_tensor(np.asarray(a).astype(dtype.np))
            for a in args]
    return Range.apply(*args, name=name)


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


# -- broadcast shape helpers ----------------------------------------------------------------------
class BroadcastArgs(OpDef):
    """The broadcast of two 1-D shape vectors."""

    type = "BroadcastArgs"
    same_dtype = (0, 1)

    def infer(self, s0, s1):
        a, b = _partial_value(s0), _partial_value(s1)
        if isinstance(a, list) and isinstance(b, list):
            out = tensor_shape.broadcast_shapes([None if d is None or d < 0 else d for d in a],
                                                [None if d is None or d < 0 else d for d in b])
            return [TensorSpec([out.ndims], s0.dtype)]
        return [TensorSpec([None], s0.dtype)]

    def compute(self, s0, s1):
        return np.array(np.broadcast_shapes(tuple(s0), tuple(s1)), dtype=s0.dtype)

    def grad(self, op, dy):
        return [None, None]


def broadcast_dynamic_shape(shape_x, shape_y):
    """tf.broadcast_dynamic_shape: the broadcast of two shape tensors."""
    return BroadcastArgs.apply(_int_arg(shape_x), _int_arg(shape_y))


def broadcast_static_shape(shape_x, shape_y):
    """tf.broadcast_static_shape: the broadcast of two TensorShapes (ValueError if incompatible)."""
    return tensor_shape.broadcast_shapes(shape_x, shape_y)


__all__ = [
    "constant",
    "placeholder",
    "placeholder_with_default",
    "identity",
    "stop_gradient",
    "stack",
    "unstack",
    "shape",
    "size",
    "rank",
    "strided_slice",
    "slice",
    "fill",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "reshape",
    "expand_dims",
    "squeeze",
    "transpose",
    "matrix_transpose",
    "invert_permutation",
    "concat",
    "split",
    "gather",
    "unsorted_segment_sum",
    "one_hot",
    "tile",
    "pad",
    "reverse",
    "reverse_v2",
    "range",
    "boolean_mask",
    "argmax",
    "argmin",
    "broadcast_dynamic_shape",
    "broadcast_static_shape",
    "newaxis",
]
