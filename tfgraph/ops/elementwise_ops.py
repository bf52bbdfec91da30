"""Elementwise math ops: binary ops with numpy broadcasting (gradients through
broadcast_ops.unbroadcast), unary ops, Cast, ZerosLike/OnesLike and SelectV2."""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import (OpDef, TensorSpec, constant, convert_to_tensor)
from tfgraph.framework.tensor import Tensor
from tfgraph.ops.broadcast_ops import (_check_kind, array_ops_reshape, broadcast_to,  # noqa: F401
                                       reduce_sum, unbroadcast)


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


def _int_division(fn):
    """`fn` refusing an integer zero divisor, as TF's kernels do (numpy returns 0 and warns); the
    plan reports the ZeroDivisionError as InvalidArgumentError naming the op and its line."""
    def checked(x, y):
        y_arr = np.asarray(y)
        if y_arr.dtype.kind in "iu" and not y_arr.all():
            raise ZeroDivisionError("Integer division by zero")
        return fn(x, y)
    return checked


class FloorDiv(_Binary):
    """Python-style floor division."""
    type = "FloorDiv"
    fn = staticmethod(_int_division(np.floor_divide))

    def grad(self, op, dy):
        return [None, None]


class FloorMod(_Binary):
    """Python-style modulo (result has the sign of y)."""
    type = "FloorMod"
    fn = staticmethod(_int_division(np.mod))

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
        gx = dy * y * pow(x, y - constant(1, dtype=y.dtype))
        safe_log = select(x > constant(0, dtype=x.dtype), log(_where_pos(x)),
                         zeros_like_ops(x))
        gy = dy * z * safe_log
        return [unbroadcast(gx, x), unbroadcast(gy, y)]


def _where_pos(x):
    one = constant(1, dtype=x.dtype)
    return select(x > constant(0, dtype=x.dtype), x, one * ones_like_ops(x))


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


def compare_op(op_type, fn, allowed="any"):
    """One comparison or logical OpDef (bool output, no gradient) from a row of the table below."""
    return type(op_type, (_Compare,), {"type": op_type, "fn": staticmethod(fn), "allowed": allowed,
                                       "__module__": __name__})


Less = compare_op("Less", np.less)
LessEqual = compare_op("LessEqual", np.less_equal)
Greater = compare_op("Greater", np.greater)
GreaterEqual = compare_op("GreaterEqual", np.greater_equal)
Equal = compare_op("Equal", np.equal)
NotEqual = compare_op("NotEqual", np.not_equal)
LogicalAnd = compare_op("LogicalAnd", np.logical_and, allowed="bool")
LogicalOr = compare_op("LogicalOr", np.logical_or, allowed="bool")


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


def unary_op(op_type, fn, grad=None, scalar=None, allowed="numeric", doc=None):
    """One unary elementwise OpDef from a row of the table below (JAX's `standard_unop` idea).

    `fn` is the numpy reference and the kernel; `grad(op, dy)` returns [dx] (None: the op has no
    gradient); `scalar` is the element expression fused kernels inline (runtime/fusion.py);
    `allowed` the dtype kind the input must have.
    """
    attrs = {"type": op_type, "fn": staticmethod(fn), "scalar": scalar, "allowed": allowed,
             "__doc__": doc or "y = %s(x) elementwise." % op_type, "__module__": __name__}
    if grad is not None:
        attrs["grad"] = lambda self, op, dy: grad(op, dy)
    return type(op_type, (_Unary,), attrs)


def unary_function(op_class, doc):
    """The public function of a unary op: f(x, name=None)."""
    def function(x, name=None):
        return op_class.apply(x, name=name)
    function.__doc__ = doc
    return function


def _rsqrt(x):
    return 1 / np.sqrt(x)


def _sigmoid(x):
    # exp of -|x| never overflows; float32 stays float32.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _no_gradient_through_rounding(op, dy):
    return [None]


# op type, numpy function, gradient, fused-kernel expression, allowed dtypes
Neg = unary_op("Neg", np.negative, lambda op, dy: [negative(dy)], scalar="-{0}")
Abs = unary_op("Abs", np.abs, lambda op, dy: [dy * sign(op.inputs[0])])
Sign = unary_op("Sign", np.sign, lambda op, dy: [zeros_like_ops(op.inputs[0])])
Square = unary_op("Square", np.square, scalar="{0} * {0}", grad=lambda op, dy: [
    dy * (constant(2, dtype=op.inputs[0].dtype) * op.inputs[0])])
Sqrt = unary_op("Sqrt", np.sqrt, lambda op, dy: [dy * 0.5 / op.outputs[0]],
                scalar="np.sqrt({0})", allowed="float")
Rsqrt = unary_op("Rsqrt", _rsqrt, allowed="float", grad=lambda op, dy: [
    dy * -0.5 * op.outputs[0] * op.outputs[0] * op.outputs[0]])
Reciprocal = unary_op("Reciprocal", np.reciprocal, allowed="float", grad=lambda op, dy: [
    negative(dy) * op.outputs[0] * op.outputs[0]])
Exp = unary_op("Exp", np.exp, lambda op, dy: [dy * op.outputs[0]], scalar="np.exp({0})",
               allowed="float")
Log = unary_op("Log", np.log, lambda op, dy: [dy / op.inputs[0]], scalar="np.log({0})",
               allowed="float")
Log1p = unary_op("Log1p", np.log1p, lambda op, dy: [dy / (1.0 + op.inputs[0])], allowed="float")
Sin = unary_op("Sin", np.sin, lambda op, dy: [dy * cos(op.inputs[0])], allowed="float")
Cos = unary_op("Cos", np.cos, lambda op, dy: [negative(dy) * sin(op.inputs[0])], allowed="float")
Tanh = unary_op("Tanh", np.tanh, lambda op, dy: [dy * (1.0 - op.outputs[0] * op.outputs[0])],
                scalar="np.tanh({0})", allowed="float")
Sigmoid = unary_op(
    "Sigmoid", _sigmoid, lambda op, dy: [dy * op.outputs[0] * (1.0 - op.outputs[0])],
    scalar=("(T(1) / (T(1) + np.exp(-abs({0})))) if {0} >= 0 else "
            "(np.exp(-abs({0})) / (T(1) + np.exp(-abs({0}))))"),  # _sigmoid's overflow-free form
    allowed="float")
Round = unary_op("Round", np.round, _no_gradient_through_rounding,
                 doc="Rounds half to even, as TF does.")
Floor = unary_op("Floor", np.floor, _no_gradient_through_rounding, allowed="float")
Ceil = unary_op("Ceil", np.ceil, _no_gradient_through_rounding, allowed="float")
LogicalNot = unary_op("LogicalNot", np.logical_not, allowed="bool")  # no gradient, as TF

negative = unary_function(Neg, "tf.negative: -x.")
abs = unary_function(Abs, "tf.abs.")  # noqa: A001
sign = unary_function(Sign, "tf.sign.")
square = unary_function(Square, "tf.square.")
sqrt = unary_function(Sqrt, "tf.sqrt.")
rsqrt = unary_function(Rsqrt, "tf.rsqrt: 1 / sqrt(x).")
reciprocal = unary_function(Reciprocal, "tf.reciprocal: 1 / x.")
exp = unary_function(Exp, "tf.exp.")
log = unary_function(Log, "tf.log: the natural logarithm.")
log1p = unary_function(Log1p, "tf.log1p: log(1 + x).")
sin = unary_function(Sin, "tf.sin.")
cos = unary_function(Cos, "tf.cos.")
tanh = unary_function(Tanh, "tf.tanh.")
sigmoid = unary_function(Sigmoid, "tf.sigmoid: 1 / (1 + exp(-x)).")
round = unary_function(Round, "tf.round: half to even.")  # noqa: A001
floor = unary_function(Floor, "tf.floor.")
ceil = unary_function(Ceil, "tf.ceil.")
logical_not = unary_function(LogicalNot, "tf.logical_not.")


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
    """select(cond, x, y) with broadcasting."""

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
        return [None, unbroadcast(select(cond, dy, zeros), x), unbroadcast(select(cond, zeros, dy), y)]


def select(condition, x, y, name=None):
    """tf.where(condition, x, y): elementwise select with broadcasting (tf.where is indexing_ops')."""
    return SelectV2.apply(condition, x, y, name=name)


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
]
