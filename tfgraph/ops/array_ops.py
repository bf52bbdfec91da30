"""Array ops: constants, placeholders, shapes, reshaping, joining/splitting, tiling, ranges.

The indexing half of the family (strided slices, slice, pad, gather, one_hot, where, boolean_mask,
argmax) is in tfgraph/ops/indexing_ops.py; its public names are re-exported here.

Shape arguments (perm, multiples, paddings, begin/size, axis) are graph inputs as in TF; their
values are folded at graph-construction time where known (`_partial_value`), so static shapes stay
exact, including unknown batch dims. Index/shape tensors here are int32 by default, int64 accepted.
"""
import builtins

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (Const, OpDef, TensorSpec, constant,  # noqa: F401 - tf.constant
                                      _flatten, constant_value, convert_to_tensor, is_tensor_like,
                                      register_tensor_conversion_function, require)
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor

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


def _autopacking(value, dtype, name):
    """convert_to_tensor of a (nested) list holding tensors: their Pack, as TF's autopacking."""
    if not any(is_tensor_like(v) for v in _flatten(value)):
        return NotImplemented
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


# -- strided-slice index specs (StridedSlice itself lives in indexing_ops) ---------------------
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
    if isinstance(shape, (list, tuple)) and any(isinstance(d, Tensor) for d in shape):
        shape = stack([d if isinstance(d, Tensor) else np.int32(d) for d in shape])
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


# -- sequence_mask --------------------------------------------------------------------------------
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """tf.sequence_mask: mask[..., j] = j < lengths[...]; maxlen defaults to max(lengths)."""
    m = _math()
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = m.maximum(m.reduce_max(lengths), 0)
        maxlen = convert_to_tensor(maxlen, lengths.dtype) if not isinstance(maxlen, Tensor) \
            else m.cast(maxlen, lengths.dtype)
        mask = m.less(range(0, maxlen, 1, dtype=lengths.dtype), expand_dims(lengths, -1))
        return mask if dtypes.as_dtype(dtype) is dtypes.bool else m.cast(mask, dtype)


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


# The indexing half of the family; imported last because it builds on the ops above.
from tfgraph.ops.indexing_ops import (  # noqa: E402,F401
    ArgMax,
    ArgMin,
    GatherNd,
    GatherV2,
    MirrorPad,
    MirrorPadGrad,
    OneHot,
    Pad,
    PadV2,
    ReverseSequence,
    ScatterNd,
    Slice,
    StridedSlice,
    StridedSliceGrad,
    UnsortedSegmentSum,
    Where,
    _slice_helper,
    argmax,
    argmin,
    boolean_mask,
    gather,
    gather_nd,
    newaxis,
    one_hot,
    pad,
    reverse_sequence,
    scatter_nd,
    slice,
    strided_slice,
    strided_slice_grad,
    unsorted_segment_sum,
    where_indices,
)

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
    "gather_nd",
    "scatter_nd",
    "unsorted_segment_sum",
    "one_hot",
    "tile",
    "pad",
    "reverse",
    "reverse_v2",
    "reverse_sequence",
    "range",
    "boolean_mask",
    "sequence_mask",
    "argmax",
    "argmin",
    "broadcast_dynamic_shape",
    "broadcast_static_shape",
    "newaxis",
]
