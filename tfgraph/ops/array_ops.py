"""Array ops: constants, placeholders, identity and slicing (more array ops live in this family too)."""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant_value, convert_to_tensor,
                                      require)
from tfgraph.framework.tensor import Tensor


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
        require(0 <= a <= len(dims), "axis = %d not in [%d, %d]" % (axis, -len(dims) - 1, len(dims)))
        dims.insert(a, len(values))
        return [TensorSpec(dims, dtype)]

    def compute(self, *values, axis):
        return np.stack(values, axis=axis)


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
        b, e, s = constant_value(begin), constant_value(end), constant_value(strides)
        if b is None or e is None or s is None or x.shape.ndims is None:
            return [TensorSpec(_dynamic_slice_shape(x.shape, begin, masks), x.dtype)]
        index = strided_slice_index(b, e, s, **masks)
        return [TensorSpec(_static_index_shape(x.shape, index), x.dtype)]

    def compute(self, x, begin, end, strides, **masks):
        return x[strided_slice_index(begin, end, strides, **masks)]


def _dynamic_slice_shape(shape, begin, masks):
    if shape.ndims is None or begin.shape.ndims != 1 or begin.shape.as_tuple()[0] is None:
        return tensor_shape.unknown_shape()
    n = begin.shape.as_tuple()[0]
    if masks["ellipsis_mask"] or masks["new_axis_mask"]:
        return tensor_shape.unknown_shape()
    shrink = masks["shrink_axis_mask"]
    dims = [None for i in range(n) if not shrink & (1 << i)]
    return tensor_shape.TensorShape(dims + list(shape.as_tuple()[n:]))


def strided_slice_index(begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0,
                        new_axis_mask=0, shrink_axis_mask=0):
    """The numpy index tuple a StridedSlice spec stands for."""
    index = []
    for i in range(len(begin)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(np.newaxis)
        elif shrink_axis_mask & bit:
            index.append(int(begin[i]))
        else:
            index.append(slice(None if begin_mask & bit else int(begin[i]),
                               None if end_mask & bit else int(end[i]), int(strides[i])))
    return tuple(index)


def _static_index_shape(shape, index):
    dims = list(shape.as_tuple())
    n_real = sum(1 for k in index if k is not None and k is not Ellipsis)
    expanded = []
    for k in index:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (len(dims) - n_real))
        else:
            expanded.append(k)
    if Ellipsis not in index:
        expanded.extend([slice(None)] * (len(dims) - n_real))
    out, d = [], 0
    for k in expanded:
        if k is None:
            out.append(1)
            continue
        require(d < len(dims), "Index out of range using input dim %d" % d)
        size = dims[d]
        if isinstance(k, int):
            if size is not None:
                require(-size <= k < size, "slice index %d of dimension %d out of bounds." % (k, d))
        elif size is not None:
            out.append(len(range(size)[k]))
        else:
            out.append(None)
        d += 1
    return tensor_shape.TensorShape(out)


def _slice_helper(tensor, key):
    """Tensor.__getitem__: ints, slices with steps, Ellipsis, tf.newaxis, negative indices, scalars."""
    if not isinstance(key, tuple):
        key = (key,)
    begin, end, strides = [], [], []
    masks = dict(begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)
    for i, k in enumerate(key):
        bit = 1 << i
        if isinstance(k, slice):
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
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                            "scalar tf.int32/tf.int64 tensors are valid indices, got %r" % (k,))
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
        from tfgraph.framework.op_def import shape_from_tensor
        return [TensorSpec(shape_from_tensor(dims), value.dtype)]

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
        from tfgraph.framework.op_def import constant_value
        target = constant_value(shape)
        if target is None:
            from tfgraph.framework.op_def import shape_from_tensor
            return [TensorSpec(shape_from_tensor(shape), x.dtype)]
        target = [int(d) for d in np.ravel(target)]
        require(sum(1 for d in target if d == -1) <= 1, "only one input size may be -1, not both")
        n = x.shape.num_elements()
        known = int(np.prod([d for d in target if d != -1])) if target else 1
        if -1 in target:
            if n is not None:
                require(known > 0 and n % known == 0,
                        "Cannot reshape a tensor with %d elements to shape %s" % (n, target))
                target = [n // known if d == -1 else d for d in target]
            else:
                target = [None if d == -1 else d for d in target]
        elif n is not None:
            require(n == known, "Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                    % (n, target, known))
        return [TensorSpec(target, x.dtype)]

    def compute(self, x, shape):
        return np.reshape(x, tuple(int(d) for d in shape))

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


__all__ = [
    "constant",
    "placeholder",
    "placeholder_with_default",
    "identity",
    "stop_gradient",
    "stack",
    "shape",
    "strided_slice",
    "fill",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "reshape",
    "expand_dims",
    "newaxis",
]
