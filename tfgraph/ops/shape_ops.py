"""Shape ops: tf.shape / size / rank, reshape, expand_dims, squeeze, stack / unstack.

The bottom of the array family: math ops' gradients need them, and they need no math.
"""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, _flatten, _to_array, constant,
                                      convert_to_tensor, is_tensor_like,
                                      register_tensor_conversion_function, require)
from tfgraph.framework.tensor import Tensor
from tfgraph.ops.shape_args import (_Dim, _consts, _dims, _int_arg, _norm_axis, _partial,  # noqa: F401
                                    _partial_value, _plain, _pyrange, _shape_arg, _shape_str,
                                    _with_shape)


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
        # each value converts as tf.constant would (Python ints are int32, floats float32)
        return constant(np.stack([_to_array(v, None) for v in values], axis=axis), name=name)
    dtype = next(convert_to_tensor(v).dtype for v in values
                 if isinstance(v, Tensor) or hasattr(v, "_to_tensor"))
    return Pack.apply(*[convert_to_tensor(v, dtype) for v in values], axis=axis, name=name)


def _autopacking(value, dtype, name):
    """convert_to_tensor of a (nested) list holding tensors: their Pack, as TF's autopacking. With
    no dtype asked for, the tensors' dtype decides and Python numbers follow it ([x_int64, 2])."""
    if not any(is_tensor_like(v) for v in _flatten(value)):
        return NotImplemented
    if dtype is None:
        items = [convert_to_tensor(v) if isinstance(v, (list, tuple)) else v for v in value]
        return stack(items, name=name or "packed")
    return stack([convert_to_tensor(v, dtype) for v in value], name=name or "packed")


register_tensor_conversion_function((list, tuple), _autopacking, priority=99)


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


# -- Size / Rank --------------------------------------------------------------------------
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


__all__ = [
    "stack",
    "unstack",
    "shape",
    "size",
    "rank",
    "reshape",
    "expand_dims",
    "squeeze",
]
