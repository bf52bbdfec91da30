"""Array ops other than shapes (shape_ops.py) and indexing (indexing_ops.py): placeholders,
identity, fill / zeros / ones, transpose, concat, split, tile, reverse, range, sequence_mask,
broadcast shape helpers."""
import builtins

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant, constant_value,  # noqa: F401
                                      convert_to_tensor, require)
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import broadcast_ops, elementwise_ops, reduction_ops
from tfgraph.ops.shape_args import (_check_index_dtype, _consts, _dims, _int_arg,  # noqa: F401
                                    _norm_axis, _partial_value, _pyrange, _pyslice, _shape_arg,
                                    _shape_str, _with_shape, strided_slice_index)
from tfgraph.ops.shape_ops import *  # noqa: F401,F403 - the shape ops these gradients use


# -- Placeholder ----------------------------------------------------------------------------------
class Placeholder(OpDef):
    """A value that must be fed at run time."""

    type = "Placeholder"
    must_be_fed = True
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




def placeholder(dtype, shape=None, name=None):
    """tf.placeholder: a tensor fed through `feed_dict`; its shape and dtype are checked on feed."""
    return Placeholder.apply(dtype=dtypes.as_dtype(dtype), shape=tensor_shape.as_shape(shape),
                             name=name)


class PlaceholderWithDefault(OpDef):
    """Passes `input` through unless the tensor is fed."""

    type = "PlaceholderWithDefault"
    passes_input_through = True
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
    passes_input_through = True
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
    passes_input_through = True
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


# -- Fill / zeros / ones --------------------------------------------------------------------------
class Fill(OpDef):
    """A tensor of runtime shape `dims` filled with the scalar `value`."""

    type = "Fill"
    input_dtypes = {0: dtypes.int32}

    def infer(self, dims, value):
        require(value.shape.ndims in (None, 0),
                "value must be a scalar, got shape %s" % value.shape)
        known = _partial_value(dims)
        if isinstance(known, list):
            require(all(d is None or d >= 0 for d in known),
                    "Fill dimensions must be >= 0; received dims %s" % (known,))
        return [TensorSpec(_shape_arg(dims), value.dtype)]

    def compute(self, dims, value):
        shape = tuple(int(d) for d in dims)
        if any(d < 0 for d in shape):
            raise ValueError("dims must be non-negative; received %s" % (list(shape),))
        if int(np.prod(shape, dtype=object)) * value.dtype.itemsize >= 2 ** 63:
            # numpy says "array is too big" (a ValueError): it is an allocation failure
            raise MemoryError("Unable to allocate a tensor of shape %s and type %s"
                              % (list(shape), value.dtype))
        return np.full(shape, value, dtype=value.dtype)

    def grad(self, op, dy):
        return [None, broadcast_ops.reduce_sum(dy)]


def fill(dims, value, name=None):
    """tf.fill. A list of dims holding int64 tensors packs to int64, as TF converts `dims` without
    asking for int32 (Python ints alone still give int32)."""
    if isinstance(dims, (list, tuple)) and any(isinstance(d, Tensor) for d in dims):
        dims = convert_to_tensor(dims)
    return Fill.apply(dims, value, name=name)


# As TF: a static shape under this many elements gives a Const; a bigger one a Fill op, whose
# array exists only at run time (not in the graph, its GraphDef or every saved .meta).
_SMALL_CONSTANT = 1000


def _filled(shape, dtype, value, name, what):
    dtype = dtypes.as_dtype(dtype)
    if isinstance(shape, (list, tuple)) and any(isinstance(d, Tensor) for d in shape):
        shape = stack([d if isinstance(d, Tensor) else np.int32(d) for d in shape])
    if isinstance(shape, Tensor):
        return fill(shape, np.asarray(value, dtype=dtype.np), name=name)
    dims = _static_dims(shape, what)
    if int(np.prod(dims, dtype=object)) < _SMALL_CONSTANT:
        return constant(np.full(dims, value, dtype=dtype.np), dtype=dtype, name=name)
    with name_scope(name) as scope:
        big = builtins.max(dims) >= 2 ** 31
        dims_t = constant(np.asarray(dims, np.int64 if big else np.int32), name="shape_as_tensor")
        return fill(dims_t, constant(np.asarray(value, dtype=dtype.np), name="Const"), name=scope)


def _static_dims(shape, what):
    """The dims of a static `shape` argument as ints, or a ValueError naming the call's line."""
    if isinstance(shape, tensor_shape.TensorShape):
        shape = shape.as_list() if shape.ndims is not None else None
    elif isinstance(shape, (int, np.integer)):
        shape = [shape]
    elif isinstance(shape, np.ndarray):
        shape = shape.tolist() if shape.ndim <= 1 else None
    if isinstance(shape, (list, tuple)):  # TF1 Dimension objects (x.shape[0]) hold .value
        shape = [getattr(d, "value", d) for d in shape]
    ok = isinstance(shape, (list, tuple)) and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0 for d in shape)
    if not ok:
        from tfgraph.framework.operation import user_location
        raise ValueError("%s: `shape` must be a list of non-negative integers (or a shape tensor); "
                         "received %r. Called at %s." % (what, shape, user_location()))
    return [int(d) for d in shape]


def zeros(shape, dtype=dtypes.float32, name=None):
    """tf.zeros."""
    return _filled(shape, dtype, 0, name or "zeros", "tf.zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """tf.ones."""
    return _filled(shape, dtype, 1, name or "ones", "tf.ones")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """tf.zeros_like."""
    t = convert_to_tensor(tensor)
    out = elementwise_ops.ZerosLike.apply(t, name=name or "zeros_like")
    return elementwise_ops.cast(out, dtype) if dtype is not None else out


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """tf.ones_like."""
    t = convert_to_tensor(tensor)
    out = elementwise_ops.OnesLike.apply(t, name=name or "ones_like")
    return elementwise_ops.cast(out, dtype) if dtype is not None else out


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
        dy = convert_to_tensor(dy)  # an IndexedSlices (a gather of the concat) densifies here
        a = _partial_value(axis)
        n = dy.shape.ndims
        if isinstance(a, int) and n is not None:
            a = a % n
            sizes = [_dims(v)[a] if v.shape.ndims is not None else None for v in values]
        else:
            sizes = [None]
        if None in sizes:
            sizes = stack([shape(v)[axis] for v in values])  # x[i]: tensor_operators.py
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
                elementwise_ops.cast(multiples, dtypes.int32)
            split_shape = reshape(transpose(stack([m32, shape(x)])), [-1])
        g = broadcast_ops.reduce_sum(reshape(dy, split_shape), axis=list(_pyrange(0, 2 * n, 2)))
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


# -- Range ----------------------------------------------------------------------------------------
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
    args = [a if not isinstance(a, Tensor) else a if a.dtype is dtype else elementwise_ops.cast(a, dtype)
            for a in args]
    args = [a if isinstance(a, Tensor) else convert_to_tensor(np.asarray(a).astype(dtype.np))
            for a in args]
    return Range.apply(*args, name=name)


# -- sequence_mask --------------------------------------------------------------------------------
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """tf.sequence_mask: mask[..., j] = j < lengths[...]; maxlen defaults to max(lengths)."""
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = elementwise_ops.maximum(reduction_ops.reduce_max(lengths), 0)
        maxlen = convert_to_tensor(maxlen, lengths.dtype) if not isinstance(maxlen, Tensor) \
            else elementwise_ops.cast(maxlen, lengths.dtype)
        mask = elementwise_ops.less(range(0, maxlen, 1, dtype=lengths.dtype),
                                    expand_dims(lengths, -1))
        return mask if dtypes.as_dtype(dtype) is dtypes.bool else elementwise_ops.cast(mask, dtype)


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


__all__ = [
    "placeholder",
    "placeholder_with_default",
    "identity",
    "stop_gradient",
    "fill",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "transpose",
    "matrix_transpose",
    "invert_permutation",
    "concat",
    "split",
    "tile",
    "reverse",
    "reverse_v2",
    "range",
    "sequence_mask",
    "broadcast_dynamic_shape",
    "broadcast_static_shape",
]
