"""Math ops: elementwise unary/binary ops with numpy broadcasting, matmul, reductions, cast.

Every binary gradient reduces back to its input's shape through one helper, `unbroadcast`.
"""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor, require
from tfgraph.framework.tensor import Tensor
from tfgraph.kernels import blas
from tfgraph.ops import array_ops


# -- shared helpers ---------------------------------------------------------------------------------
class BroadcastGradientSum(OpDef):
    """Sums `dy` over the axes along which a tensor of runtime shape `shape` was broadcast."""

    type = "BroadcastGradientSum"
    input_dtypes = {1: dtypes.int32}

    def infer(self, dy, shape):
        from tfgraph.framework.op_def import shape_from_tensor
        return [TensorSpec(shape_from_tensor(shape), dy.dtype)]

    def compute(self, dy, shape):
        return sum_to_shape(dy, tuple(shape))

    def grad(self, op, g):
        return [broadcast_to(g, array_ops.shape(op.inputs[0])), None]


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
    return BroadcastGradientSum.apply(dy, array_ops.shape(x))


def array_ops_reshape(x, shape):
    from tfgraph.ops.array_ops import reshape
    return reshape(x, shape)


# -- binary elementwise -----------------------------------------------------------------------------
class _Binary(OpDef):
    """x (op) y with numpy broadcasting; both inputs share one dtype."""

    same_dtype = (0, 1)
    fn = None
    bool_output = False
    allowed = "numeric"  # 'numeric', 'float', 'int', 'bool', 'any'

    def infer(self, x, y):
        _check_kind(self, x.dtype, self.allowed)
        out = tensor_shape.broadcast_shapes(x.shape, y.shape)
        return [TensorSpec(out, dtypes.bool if self.bool_output else x.dtype)]

    def compute(self, x, y):
        return self.fn(x, y)

    def make_kernel(self, op, rt):
        return self.fn


def _check_kind(opdef, dtype, allowed):
    ok = {"numeric": dtype.is_numeric, "float": dtype.is_floating,
          "int": dtype.is_integer, "bool": dtype.is_bool, "any": True,
          "intfloat": dtype.is_numeric}[allowed]
    if not ok:
        raise TypeError("Value passed to op %s has DataType %s not in list of allowed values (%s)"
                        % (opdef.type, dtype.name, allowed))


class Add(_Binary):
    """x + y."""
    type = "Add"
    scalar = "{0} + {1}"
    fn = staticmethod(np.add)

    def grad(self, op, dy):
        x, y = op.inputs
        return [unbroadcast(dy, x), unbroadcast(dy, y)]


class AddV2(Add):
    type = "AddV2"


class Sub(_Binary):
    """x - y."""
    type = "Sub"
    scalar = "{0} - {1}"
    fn = staticmethod(np.subtract)

    def grad(self, op, dy):
        x, y = op.inputs
        return [unbroadcast(dy, x), unbroadcast(negative(dy), y)]


class Mul(_Binary):
    """x * y."""
    type = "Mul"
    scalar = "{0} * {1}"
    fn = staticmethod(np.multiply)

    def grad(self, op, dy):
        x, y = op.inputs
        return [unbroadcast(dy * y, x), unbroadcast(x * dy, y)]


class RealDiv(_Binary):
    """x / y for floats."""
    type = "RealDiv"
    scalar = "{0} / {1}"
    fn = staticmethod(np.true_divide)
    allowed = "float"

    def grad(self, op, dy):
        x, y = op.inputs
        return [unbroadcast(dy / y, x), unbroadcast(negative(dy) * x / square(y), y)]


class FloorDiv(_Binary):
    """Python-style floor division."""
    type = "FloorDiv"
    fn = staticmethod(np.floor_divide)

    def grad(self, op, dy):
        return [None, None]


class FloorMod(_Binary):
    """Python-style modulo (result has the sign of y)."""
    type = "FloorMod"
    fn = staticmethod(np.mod)

    def grad(self, op, dy):
        x, y = op.inputs
        return [unbroadcast(dy, x), unbroadcast(negative(dy) * floor(x / y), y)]


class Pow(_Binary):
    """x ** y."""
    type = "Pow"
    fn = staticmethod(np.power)

    def grad(self, op, dy):
        x, y = op.inputs
        z = op.outputs[0]
        gx = dy * y * pow(x, y - array_ops.constant(1, dtype=y.dtype))
        safe_log = where(x > array_ops.constant(0, dtype=x.dtype), log(_where_pos(x)),
                         zeros_like_ops(x))
        gy = dy * z * safe_log
        return [unbroadcast(gx, x), unbroadcast(gy, y)]


def _where_pos(x):
    one = array_ops.constant(1, dtype=x.dtype)
    return where(x > array_ops.constant(0, dtype=x.dtype), x, one * ones_like_ops(x))


class Maximum(_Binary):
    """max(x, y) elementwise; the gradient goes to x where x >= y."""
    type = "Maximum"
    scalar = "{0} if ({0} >= {1} or {0} != {0}) else {1}"  # NaN in either wins, as np.maximum
    fn = staticmethod(np.maximum)

    def grad(self, op, dy):
        x, y = op.inputs
        mask = cast(greater_equal(x, y), dy.dtype)
        return [unbroadcast(dy * mask, x), unbroadcast(dy * (1.0 - mask), y)]


class Minimum(_Binary):
    """min(x, y) elementwise; the gradient goes to x where x <= y."""
    type = "Minimum"
    scalar = "{0} if ({0} <= {1} or {0} != {0}) else {1}"
    fn = staticmethod(np.minimum)

    def grad(self, op, dy):
        x, y = op.inputs
        mask = cast(less_equal(x, y), dy.dtype)
        return [unbroadcast(dy * mask, x), unbroadcast(dy * (1.0 - mask), y)]


class SquaredDifference(_Binary):
    """(x - y)^2."""
    type = "SquaredDifference"

    @staticmethod
    def fn(x, y):
        d = np.subtract(x, y)
        return np.multiply(d, d, out=d) if isinstance(d, np.ndarray) and d.ndim else d * d

    def grad(self, op, dy):
        x, y = op.inputs
        g = dy * 2.0 * (x - y) if x.dtype.is_floating else dy * 2 * (x - y)
        return [unbroadcast(g, x), unbroadcast(negative(g), y)]


class _Compare(_Binary):
    bool_output = True
    allowed = "any"

    def grad(self, op, dy):
        return [None, None]


class Less(_Compare):
    type = "Less"
    fn = staticmethod(np.less)


class LessEqual(_Compare):
    type = "LessEqual"
    fn = staticmethod(np.less_equal)


class Greater(_Compare):
    type = "Greater"
    fn = staticmethod(np.greater)


class GreaterEqual(_Compare):
    type = "GreaterEqual"
    fn = staticmethod(np.greater_equal)


class Equal(_Compare):
    type = "Equal"
    fn = staticmethod(np.equal)


class NotEqual(_Compare):
    type = "NotEqual"
    fn = staticmethod(np.not_equal)


class LogicalAnd(_Compare):
    type = "LogicalAnd"
    fn = staticmethod(np.logical_and)
    allowed = "bool"


class LogicalOr(_Compare):
    type = "LogicalOr"
    fn = staticmethod(np.logical_or)
    allowed = "bool"


def _binary(op_class, x, y, name):
    return op_class.apply(x, y, name=name)


def add(x, y, name=None, _v2=False):
    """tf.add: x + y with broadcasting (`x + y` on tensors builds 'AddV2' named 'add')."""
    if not _v2 and _is_string(x, y):
        raise TypeError("tfgraph does not support string tensors in add")
    return _binary(AddV2 if _v2 else Add, x, y, name)


def _is_string(*xs):
    return any(isinstance(v, Tensor) and v.dtype is dtypes.string for v in xs)


def subtract(x, y, name=None):
    """tf.subtract: x - y."""
    return _binary(Sub, x, y, name)


def multiply(x, y, name=None):
    """tf.multiply: x * y."""
    return _binary(Mul, x, y, name)


def _float_for_div(x, y):
    known = x if isinstance(x, Tensor) else y if isinstance(y, Tensor) else None
    dtype = known.dtype if known is not None else None
    if dtype is not None and dtype.is_integer:
        target = dtypes.float32 if dtype.size <= 2 else dtypes.float64
        x, y = cast(convert_to_tensor(x, dtype), target), cast(convert_to_tensor(y, dtype), target)
    return x, y


def truediv(x, y, name=None):
    """tf.truediv / tf.divide / `x / y`: integers are cast to float first, as TF1 does."""
    x = convert_to_tensor(x) if hasattr(x, "_to_tensor") else x
    y = convert_to_tensor(y) if hasattr(y, "_to_tensor") else y
    x, y = _float_for_div(x, y)
    return _binary(RealDiv, x, y, name)


def divide(x, y, name=None):
    """tf.divide."""
    return truediv(x, y, name=name or "truediv")


def div(x, y, name=None):
    """tf.div: floor division for integers, true division for floats (Python 2 semantics)."""
    xt = x if isinstance(x, Tensor) else convert_to_tensor(x) if hasattr(x, "_to_tensor") else None
    dt = xt.dtype if xt is not None else (y.dtype if isinstance(y, Tensor) else None)
    if dt is not None and dt.is_integer:
        return _binary(FloorDiv, x, y, name)
    return _binary(RealDiv, x, y, name)


def realdiv(x, y, name=None):
    return _binary(RealDiv, x, y, name)


def floordiv(x, y, name=None):
    """tf.floordiv / `x // y`."""
    return _binary(FloorDiv, x, y, name)


floor_div = floordiv


def mod(x, y, name=None):
    """tf.mod / tf.floormod / `x % y`."""
    return _binary(FloorMod, x, y, name)


floormod = mod


def pow(x, y, name=None):  # noqa: A001 - TF's name
    """tf.pow: x ** y."""
    return _binary(Pow, x, y, name)


def maximum(x, y, name=None):
    """tf.maximum."""
    return _binary(Maximum, x, y, name)


def minimum(x, y, name=None):
    """tf.minimum."""
    return _binary(Minimum, x, y, name)


def squared_difference(x, y, name=None):
    """tf.squared_difference: (x - y)^2."""
    return _binary(SquaredDifference, x, y, name)


def less(x, y, name=None):
    return _binary(Less, x, y, name)


def less_equal(x, y, name=None):
    return _binary(LessEqual, x, y, name)


def greater(x, y, name=None):
    return _binary(Greater, x, y, name)


def greater_equal(x, y, name=None):
    return _binary(GreaterEqual, x, y, name)


def equal(x, y, name=None):
    """tf.equal: elementwise x == y (Tensor `==` is identity, as in TF1)."""
    return _binary(Equal, x, y, name)


def not_equal(x, y, name=None):
    return _binary(NotEqual, x, y, name)


def logical_and(x, y, name=None):
    return _binary(LogicalAnd, x, y, name)


def logical_or(x, y, name=None):
    return _binary(LogicalOr, x, y, name)


def logical_xor(x, y, name="LogicalXor"):
    """tf.logical_xor: (x | y) & ~(x & y)."""
    g = get_default_graph()
    with g.name_scope(name):
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


# -- unary elementwise --------------------------------------------------------------------------------
class _Unary(OpDef):
    """y = f(x) elementwise, same shape and dtype."""

    fn = None
    ufunc = None  # the ufunc whose reduce `fn` is, for the kernel's fast path
    allowed = "numeric"

    def infer(self, x):
        _check_kind(self, x.dtype, self.allowed)
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x):
        return self.fn(x)

    def make_kernel(self, op, rt):
        return self.fn


def _unary(op_class, x, name):
    return op_class.apply(x, name=name)


class Neg(_Unary):
    type = "Neg"
    scalar = "-{0}"
    fn = staticmethod(np.negative)

    def grad(self, op, dy):
        return [negative(dy)]


class Abs(_Unary):
    type = "Abs"
    fn = staticmethod(np.abs)

    def grad(self, op, dy):
        return [dy * sign(op.inputs[0])]


class Sign(_Unary):
    type = "Sign"
    fn = staticmethod(np.sign)

    def grad(self, op, dy):
        return [zeros_like_ops(op.inputs[0])]


class Square(_Unary):
    type = "Square"
    scalar = "{0} * {0}"
    fn = staticmethod(np.square)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy * (array_ops.constant(2, dtype=x.dtype) * x)]


class Sqrt(_Unary):
    type = "Sqrt"
    scalar = "np.sqrt({0})"
    fn = staticmethod(np.sqrt)
    allowed = "float"

    def grad(self, op, dy):
        return [dy * 0.5 / op.outputs[0]]


class Rsqrt(_Unary):
    type = "Rsqrt"
    allowed = "float"

    @staticmethod
    def fn(x):
        return 1 / np.sqrt(x)

    def grad(self, op, dy):
        y = op.outputs[0]
        return [dy * -0.5 * y * y * y]


class Reciprocal(_Unary):
    type = "Reciprocal"
    allowed = "float"

    @staticmethod
    def fn(x):
        return np.reciprocal(x)

    def grad(self, op, dy):
        y = op.outputs[0]
        return [negative(dy) * y * y]


class Exp(_Unary):
    type = "Exp"
    scalar = "np.exp({0})"
    fn = staticmethod(np.exp)
    allowed = "float"

    def grad(self, op, dy):
        return [dy * op.outputs[0]]


class Log(_Unary):
    type = "Log"
    scalar = "np.log({0})"
    fn = staticmethod(np.log)
    allowed = "float"

    def grad(self, op, dy):
        return [dy / op.inputs[0]]


class Log1p(_Unary):
    type = "Log1p"
    fn = staticmethod(np.log1p)
    allowed = "float"

    def grad(self, op, dy):
        return [dy / (1.0 + op.inputs[0])]


class Sin(_Unary):
    type = "Sin"
    fn = staticmethod(np.sin)
    allowed = "float"

    def grad(self, op, dy):
        return [dy * cos(op.inputs[0])]


class Cos(_Unary):
    type = "Cos"
    fn = staticmethod(np.cos)
    allowed = "float"

    def grad(self, op, dy):
        return [negative(dy) * sin(op.inputs[0])]


class Tanh(_Unary):
    type = "Tanh"
    scalar = "np.tanh({0})"
    fn = staticmethod(np.tanh)
    allowed = "float"

    def grad(self, op, dy):
        y = op.outputs[0]
        return [dy * (1.0 - y * y)]


class Sigmoid(_Unary):
    type = "Sigmoid"
    scalar = ("(T(1) / (T(1) + np.exp(-abs({0})))) if {0} >= 0 else "
              "(np.exp(-abs({0})) / (T(1) + np.exp(-abs({0}))))")  # fn's overflow-free form
    allowed = "float"

    @staticmethod
    def fn(x):
        # exp of -|x| never overflows; float32 stays float32.
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def grad(self, op, dy):
        y = op.outputs[0]
        return [dy * y * (1.0 - y)]


class Round(_Unary):
    """Rounds half to even, as TF does."""
    type = "Round"
    fn = staticmethod(np.round)

    def grad(self, op, dy):
        return [None]


class Floor(_Unary):
    type = "Floor"
    fn = staticmethod(np.floor)
    allowed = "float"

    def grad(self, op, dy):
        return [None]


class Ceil(_Unary):
    type = "Ceil"
    fn = staticmethod(np.ceil)
    allowed = "float"

    def grad(self, op, dy):
        return [None]


class LogicalNot(_Unary):
    type = "LogicalNot"
    fn = staticmethod(np.logical_not)
    allowed = "bool"


def negative(x, name=None):
    """tf.negative: -x."""
    return _unary(Neg, x, name)


def abs(x, name=None):  # noqa: A001
    """tf.abs."""
    return _unary(Abs, x, name)


def sign(x, name=None):
    return _unary(Sign, x, name)


def square(x, name=None):
    return _unary(Square, x, name)


def sqrt(x, name=None):
    return _unary(Sqrt, x, name)


def rsqrt(x, name=None):
    return _unary(Rsqrt, x, name)


def reciprocal(x, name=None):
    return _unary(Reciprocal, x, name)


def exp(x, name=None):
    return _unary(Exp, x, name)


def log(x, name=None):
    return _unary(Log, x, name)


def log1p(x, name=None):
    return _unary(Log1p, x, name)


def sin(x, name=None):
    return _unary(Sin, x, name)


def cos(x, name=None):
    return _unary(Cos, x, name)


def tanh(x, name=None):
    return _unary(Tanh, x, name)


def sigmoid(x, name=None):
    """tf.sigmoid: 1 / (1 + exp(-x))."""
    return _unary(Sigmoid, x, name)


def round(x, name=None):  # noqa: A001
    """tf.round: half to even."""
    return _unary(Round, x, name)


def floor(x, name=None):
    return _unary(Floor, x, name)


def ceil(x, name=None):
    return _unary(Ceil, x, name)


def logical_not(x, name=None):
    return _unary(LogicalNot, x, name)


# -- Cast ---------------------------------------------------------------------------------------------
class Cast(OpDef):
    """Converts to dtype `DstT` (float -> int truncates toward zero, as TF does)."""

    type = "Cast"
    attrs = {"DstT": None}

    def infer(self, x, *, DstT):
        return [TensorSpec(x.shape, DstT)]

    def make_kernel(self, op, rt):
        np_dtype = op.attrs["DstT"].np
        return lambda x: x.astype(np_dtype, copy=False)

    def compute(self, x, *, DstT):
        return x.astype(DstT.np, copy=False)

    def grad(self, op, dy):
        src = op.inputs[0].dtype
        if src.is_floating and dy.dtype.is_floating:
            return [cast(dy, src)]
        return [None]


def cast(x, dtype, name=None):
    """tf.cast."""
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    return Cast.apply(x, DstT=dtype, name=name or "Cast")


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


# -- zeros_like / ones_like (used by gradients; public versions live in array_ops) -------------------
class ZerosLike(OpDef):
    type = "ZerosLike"

    def infer(self, x):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x):
        return np.zeros_like(x)

    def grad(self, op, dy):
        return [None]


class OnesLike(OpDef):
    type = "OnesLike"

    def infer(self, x):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x):
        return np.ones_like(x)

    def grad(self, op, dy):
        return [None]


def zeros_like_ops(x, name=None):
    return ZerosLike.apply(x, name=name)


def ones_like_ops(x, name=None):
    return OnesLike.apply(x, name=name)


# -- where (select) -----------------------------------------------------------------------------------
class SelectV2(OpDef):
    """where(cond, x, y) with broadcasting."""

    type = "SelectV2"
    same_dtype = (1, 2)

    def infer(self, cond, x, y):
        if not cond.dtype.is_bool:
            raise TypeError("where: condition must be bool, got %s" % cond.dtype.name)
        shape = tensor_shape.broadcast_shapes(tensor_shape.broadcast_shapes(cond.shape, x.shape),
                                              y.shape)
        return [TensorSpec(shape, x.dtype)]

    def compute(self, cond, x, y):
        if cond.ndim == 0:  # a scalar condition (Keras's learning phase) picks one input whole
            chosen = x if cond else y
            if np.shape(x) == np.shape(y):
                # Keras's dropout picks its noise shape and rate so every step: a copy, without
                # np.broadcast_shapes (~30 us a call, four calls per W2 step)
                return np.array(chosen)
            return np.array(np.broadcast_to(chosen, np.broadcast_shapes(x.shape, y.shape)))
        return np.where(cond, x, y)

    def grad(self, op, dy):
        cond, x, y = op.inputs
        zeros = zeros_like_ops(dy)
        return [None, unbroadcast(where(cond, dy, zeros), x), unbroadcast(where(cond, zeros, dy), y)]


def where(condition, x=None, y=None, name=None):
    """tf.where: elementwise select; with only `condition`, the indices of true elements."""
    if x is None and y is None:
        from tfgraph.ops.array_ops import where_indices
        return where_indices(condition, name=name)
    return SelectV2.apply(condition, x, y, name=name)


# -- MatMul -------------------------------------------------------------------------------------------
class MatMul(OpDef):
    """Matrix product of two rank-2 tensors, optionally transposing either (BLAS sgemm/dgemm)."""

    type = "MatMul"
    attrs = {"transpose_a": False, "transpose_b": False}
    same_dtype = (0, 1)

    def infer(self, a, b, *, transpose_a, transpose_b):
        _check_kind(self, a.dtype, "numeric")
        a.shape.assert_has_rank(2) if a.shape.ndims is not None else None
        require(a.shape.ndims in (None, 2) and b.shape.ndims in (None, 2),
                "Shape must be rank 2 but is rank %s" % (a.shape.ndims if a.shape.ndims != 2
                                                         else b.shape.ndims))
        ad = a.shape.as_tuple() or (None, None)
        bd = b.shape.as_tuple() or (None, None)
        m, k = (ad[1], ad[0]) if transpose_a else ad
        k2, n = (bd[1], bd[0]) if transpose_b else bd
        require(k is None or k2 is None or k == k2,
                "Dimensions must be equal, but are %s and %s" % (k, k2))
        return [TensorSpec([m, n], a.dtype)]

    def make_kernel(self, op, rt):
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return blas.matmul
        return lambda a, b: blas.matmul(a.T if ta else a, b.T if tb else b)

    def compute(self, a, b, *, transpose_a, transpose_b):
        return np.matmul(a.T if transpose_a else a, b.T if transpose_b else b)

    def grad(self, op, dy):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return [matmul(dy, b, transpose_b=True), matmul(a, dy, transpose_a=True)]
        if not ta and tb:
            return [matmul(dy, b), matmul(dy, a, transpose_a=True)]
        if ta and not tb:
            return [matmul(b, dy, transpose_b=True), matmul(a, dy)]
        return [matmul(b, dy, transpose_a=True, transpose_b=True),
                matmul(dy, a, transpose_a=True, transpose_b=True)]


class BatchMatMulV2(OpDef):
    """Batched matmul over leading (broadcast) dims, with adjoint (transpose) flags."""

    type = "BatchMatMulV2"
    attrs = {"adj_x": False, "adj_y": False}
    same_dtype = (0, 1)

    def infer(self, x, y, *, adj_x, adj_y):
        if x.shape.ndims is None or y.shape.ndims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), x.dtype)]
        require(x.shape.ndims >= 2 and y.shape.ndims >= 2, "BatchMatMul needs rank >= 2 inputs")
        xd, yd = x.shape.as_tuple(), y.shape.as_tuple()
        m, k = (xd[-1], xd[-2]) if adj_x else xd[-2:]
        k2, n = (yd[-1], yd[-2]) if adj_y else yd[-2:]
        require(k is None or k2 is None or k == k2,
                "Dimensions must be equal, but are %s and %s" % (k, k2))
        batch = tensor_shape.broadcast_shapes(xd[:-2], yd[:-2])
        return [TensorSpec(batch.concatenate([m, n]), x.dtype)]

    def compute(self, x, y, *, adj_x, adj_y):
        return np.matmul(np.swapaxes(x, -1, -2) if adj_x else x,
                         np.swapaxes(y, -1, -2) if adj_y else y)

    def grad(self, op, dy):
        x, y = op.inputs
        ax, ay = op.attrs["adj_x"], op.attrs["adj_y"]
        if not ax:
            gx = matmul(dy, y, adjoint_b=not ay) if not ay else matmul(dy, y)
        else:
            gx = matmul(y, dy, adjoint_a=ay, adjoint_b=True)
        if not ay:
            gy = matmul(x, dy, adjoint_a=not ax) if not ax else matmul(x, dy)
        else:
            gy = matmul(dy, x, adjoint_a=True, adjoint_b=ax)
        return [unbroadcast(gx, x), unbroadcast(gy, y)]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """tf.matmul: rank-2 -> 'MatMul'; higher ranks -> 'BatchMatMulV2' with broadcast batch dims."""
    a, b = convert_to_tensor(a) if isinstance(a, Tensor) or hasattr(a, "_to_tensor") else a, \
        convert_to_tensor(b) if isinstance(b, Tensor) or hasattr(b, "_to_tensor") else b
    ta, tb = transpose_a or adjoint_a, transpose_b or adjoint_b
    ra = a.shape.ndims if isinstance(a, Tensor) else np.ndim(a)
    rb = b.shape.ndims if isinstance(b, Tensor) else np.ndim(b)
    if ra == 2 and rb == 2:
        return MatMul.apply(a, b, transpose_a=ta, transpose_b=tb, name=name)
    return BatchMatMulV2.apply(a, b, adj_x=ta, adj_y=tb, name=name or "MatMul")


# -- reductions ---------------------------------------------------------------------------------------
def _norm_axes(axis, ndims):
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        from tfgraph.framework.op_def import constant_value
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
        return [array_ops_reshape(g, array_ops.shape(op.inputs[0])), None]


def _expand_reduced(op, dy):
    axis, x = op.attrs["axis"], op.inputs[0]
    if not op.attrs["keep_dims"] and x.shape.ndims is None and axis is not None:
        return ExpandReduced.apply(dy, array_ops.shape(x), axis=tuple(axis))
    keep_shape = _reduced_grad_shape(op)
    if keep_shape is None:
        return dy  # keep_dims, or a scalar from a full reduction: broadcasts as it is
    if None in keep_shape:
        from tfgraph.ops.array_ops import expand_dims
        for a in (axis or range(x.shape.ndims)):
            dy = expand_dims(dy, a)
        return dy
    return array_ops_reshape(dy, keep_shape)


class Sum(_Reduce):
    type = "Sum"
    fn = staticmethod(np.sum)
    ufunc = np.add

    def grad(self, op, dy):
        x = op.inputs[0]
        return [broadcast_to(_expand_reduced(op, dy), array_ops.shape(x))]


class Mean(_Reduce):
    type = "Mean"
    fn = staticmethod(np.mean)

    def make_kernel(self, op, rt):
        x_dtype = op.inputs[0].dtype.np
        if x_dtype not in (np.float32, np.float64):  # np.mean sums float16 in float32
            return super().make_kernel(op, rt)
        axis, keep, add = op.attrs["axis"], op.attrs["keep_dims"], np.add.reduce

        # np.mean's own steps (sum, then divide by the count) without its ~25 us of Python on a
        # small array; the quotient rounds to the float dtype as np.mean's does.
        def kernel(x):
            count = x.size if axis is None else _count(x.shape, axis)
            s = add(x, axis=axis, keepdims=keep)
            if s.__class__ is np.ndarray:
                return np.true_divide(s, count, out=s, casting="unsafe")
            return np.asarray(s / count, dtype=x_dtype)
        return kernel

    def grad(self, op, dy):
        x = op.inputs[0]
        g = broadcast_to(_expand_reduced(op, dy), array_ops.shape(x))
        return [g / reduction_count(x, op.outputs[0])]


def reduction_count(x, out):
    """Elements of `x` per element of its reduction `out`: a python float when both shapes are
    static, else a scalar tensor of x's dtype (Size(x) / out's size, or Size(x) alone when the
    reduction is total, as in a loss averaged over a batch of unknown size)."""
    in_n, out_n = x.shape.num_elements(), out.shape.num_elements()
    if in_n is not None and out_n is not None:
        return float(in_n // max(out_n, 1))
    if out_n is not None:
        count = cast(array_ops.size(x), x.dtype)
        return count if out_n <= 1 else count / float(out_n)
    return cast(reduce_prod(array_ops.shape(x)), x.dtype) / cast(
        maximum(reduce_prod(array_ops.shape(out)), 1), x.dtype)


class Prod(_Reduce):
    type = "Prod"
    fn = staticmethod(np.prod)
    ufunc = np.multiply

    def grad(self, op, dy):
        # d prod / dx_i = prod / x_i (valid for nonzero x, as the tests use)
        x = op.inputs[0]
        y = _expand_reduced(op, op.outputs[0])
        g = broadcast_to(_expand_reduced(op, dy), array_ops.shape(x))
        return [g * y / x]


class Max(_Reduce):
    type = "Max"
    fn = staticmethod(np.max)
    ufunc = np.maximum

    def grad(self, op, dy):
        return [_minmax_grad(op, dy)]


class Min(_Reduce):
    type = "Min"
    fn = staticmethod(np.min)
    ufunc = np.minimum

    def grad(self, op, dy):
        return [_minmax_grad(op, dy)]


def _minmax_grad(op, dy):
    # Ties share the gradient equally, as TF does.
    x = op.inputs[0]
    y = _expand_reduced(op, op.outputs[0])
    mask = cast(equal(x, y), dy.dtype)
    count = _expand_reduced(op, reduce_sum(mask, axis=op.attrs["axis"],
                                           keepdims=op.attrs["keep_dims"]))
    return mask / count * _expand_reduced(op, dy)


class Any(_Reduce):
    type = "Any"
    fn = staticmethod(np.any)
    allowed = "bool"


class All(_Reduce):
    type = "All"
    fn = staticmethod(np.all)
    allowed = "bool"


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


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """tf.reduce_mean."""
    return _reduce(Mean, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduce(Prod, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(Max, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(Min, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(Any, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce(All, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- BroadcastTo ----------------------------------------------------------------------------------------
class BroadcastTo(OpDef):
    """Broadcasts `x` to the runtime shape `shape`."""

    type = "BroadcastTo"
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, shape):
        from tfgraph.framework.op_def import shape_from_tensor
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
        from tfgraph.framework.op_def import constant_value
        if constant_value(shape) is not None and tuple(constant_value(shape)) == \
                x.shape.as_tuple():
            return x
    return BroadcastTo.apply(x, shape, name=name)


# -- add_n, clip_by_value, cumsum ----------------------------------------------------------------------
class AddN(OpDef):
    """Sums N tensors of one shape."""

    type = "AddN"

    def infer(self, *xs):
        shape = xs[0].shape
        for x in xs[1:]:
            if x.dtype is not xs[0].dtype:
                raise TypeError("AddN: inputs must share a dtype, got %s and %s"
                                % (xs[0].dtype.name, x.dtype.name))
            shape = tensor_shape.broadcast_shapes(shape, x.shape)
        return [TensorSpec(shape, xs[0].dtype)]

    def compute(self, *xs):
        # np.add of 0-d arrays returns a numpy scalar, which `out=` cannot take: keep an array
        out = np.asarray(np.add(xs[0], xs[1])) if len(xs) > 1 else np.array(xs[0], copy=True)
        for x in xs[2:]:
            if out.shape == np.broadcast_shapes(out.shape, x.shape):
                np.add(out, x, out=out)  # `out` is our own fresh array
            else:
                out = out + x
        return out

    def grad(self, op, dy):
        return [unbroadcast(dy, x) for x in op.inputs]


def add_n(inputs, name=None):
    """tf.add_n: the sum of a list of tensors."""
    inputs = [convert_to_tensor(x) for x in inputs]
    if len(inputs) == 1:
        return inputs[0]
    return AddN.apply(*inputs, name=name)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """tf.clip_by_value: min(max(t, lo), hi)."""
    g = get_default_graph()
    with g.name_scope(name or "clip_by_value") as scope:
        t = convert_to_tensor(t)
        return maximum(minimum(t, clip_value_max, name="Minimum"), clip_value_min, name=scope)


class Cumsum(OpDef):
    """Cumulative sum along `axis`, optionally exclusive and/or reversed."""

    type = "Cumsum"
    attrs = {"axis": 0, "exclusive": False, "reverse": False}

    def infer(self, x, *, axis, exclusive, reverse):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, *, axis, exclusive, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = np.cumsum(x, axis=axis, dtype=x.dtype)
        if exclusive:
            out = np.concatenate([np.zeros_like(np.take(out, [0], axis=axis)),
                                  np.take(out, range(out.shape[axis] - 1), axis=axis)], axis=axis)
        return np.flip(out, axis) if reverse else out

    def grad(self, op, dy):
        a = op.attrs
        return [cumsum(dy, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """tf.cumsum."""
    return Cumsum.apply(x, axis=int(axis), exclusive=exclusive, reverse=reverse, name=name)



__all__ = [
    "add",
    "subtract",
    "multiply",
    "truediv",
    "divide",
    "div",
    "realdiv",
    "floordiv",
    "floor_div",
    "mod",
    "floormod",
    "pow",
    "maximum",
    "minimum",
    "squared_difference",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "equal",
    "not_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "negative",
    "abs",
    "sign",
    "square",
    "sqrt",
    "rsqrt",
    "reciprocal",
    "exp",
    "log",
    "log1p",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "round",
    "floor",
    "ceil",
    "logical_not",
    "cast",
    "to_float",
    "to_int32",
    "to_int64",
    "where",
    "matmul",
    "reduce_sum",
    "reduce_mean",
    "reduce_prod",
    "reduce_max",
    "reduce_min",
    "reduce_any",
    "reduce_all",
    "broadcast_to",
    "add_n",
    "clip_by_value",
    "cumsum",
]
