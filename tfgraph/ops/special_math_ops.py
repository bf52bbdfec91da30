"""More math ops (split from math_ops to keep it small): trigonometric and hyperbolic functions,
expm1, atan2, float classification, and composite reductions (logsumexp, variance, std,
count_nonzero) plus div_no_nan and scalar_mul built from other ops."""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.math_ops import _Binary, _Unary, unbroadcast


def _one(x):
    return convert_to_tensor(1, x.dtype)


class Expm1(_Unary):
    """exp(x) - 1, accurate near 0."""
    type = "Expm1"
    fn = staticmethod(np.expm1)
    allowed = "float"

    def grad(self, op, dy):
        return [dy * math_ops.exp(op.inputs[0])]


class Tan(_Unary):
    type = "Tan"
    fn = staticmethod(np.tan)
    allowed = "float"

    def grad(self, op, dy):
        c = math_ops.cos(op.inputs[0])
        return [dy / (c * c)]


class Asin(_Unary):
    type = "Asin"
    fn = staticmethod(np.arcsin)
    allowed = "float"

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy * math_ops.rsqrt(_one(x) - x * x)]


class Acos(_Unary):
    type = "Acos"
    fn = staticmethod(np.arccos)
    allowed = "float"

    def grad(self, op, dy):
        x = op.inputs[0]
        return [math_ops.negative(dy) * math_ops.rsqrt(_one(x) - x * x)]


class Atan(_Unary):
    type = "Atan"
    fn = staticmethod(np.arctan)
    allowed = "float"

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy / (_one(x) + x * x)]


class Sinh(_Unary):
    type = "Sinh"
    fn = staticmethod(np.sinh)
    allowed = "float"

    def grad(self, op, dy):
        return [dy * cosh(op.inputs[0])]


class Cosh(_Unary):
    type = "Cosh"
    fn = staticmethod(np.cosh)
    allowed = "float"

    def grad(self, op, dy):
        return [dy * sinh(op.inputs[0])]


class Atan2(_Binary):
    """atan2(y, x): the angle of the point (x, y)."""
    type = "Atan2"
    fn = staticmethod(np.arctan2)
    allowed = "float"

    def grad(self, op, dz):
        y, x = op.inputs
        r2 = x * x + y * y
        return [unbroadcast(dz * x / r2, y), unbroadcast(math_ops.negative(dz) * y / r2, x)]


class _Classify(OpDef):
    """Elementwise float test with a bool result."""
    fn = None

    def infer(self, x):
        math_ops._check_kind(self, x.dtype, "float")
        return [TensorSpec(x.shape, dtypes.bool)]

    def compute(self, x):
        return self.fn(x)

    def grad(self, op, dy):
        return [None]


class IsNan(_Classify):
    type = "IsNan"
    fn = staticmethod(np.isnan)


class IsInf(_Classify):
    type = "IsInf"
    fn = staticmethod(np.isinf)


class IsFinite(_Classify):
    type = "IsFinite"
    fn = staticmethod(np.isfinite)


def expm1(x, name=None):
    """tf.expm1: exp(x) - 1."""
    return Expm1.apply(x, name=name)


def tan(x, name=None):
    return Tan.apply(x, name=name)


def asin(x, name=None):
    return Asin.apply(x, name=name)


def acos(x, name=None):
    return Acos.apply(x, name=name)


def atan(x, name=None):
    return Atan.apply(x, name=name)


def sinh(x, name=None):
    return Sinh.apply(x, name=name)


def cosh(x, name=None):
    return Cosh.apply(x, name=name)


def atan2(y, x, name=None):
    """tf.atan2(y, x)."""
    return Atan2.apply(y, x, name=name)


def is_nan(x, name=None):
    return IsNan.apply(x, name=name)


def is_inf(x, name=None):
    return IsInf.apply(x, name=name)


def is_finite(x, name=None):
    return IsFinite.apply(x, name=name)


def to_double(x, name="ToDouble"):
    """tf.to_double: cast to float64."""
    return math_ops.cast(x, dtypes.float64, name=name)


def scalar_mul(scalar, x, name=None):
    """tf.scalar_mul: scalar * x."""
    x = convert_to_tensor(x)
    return math_ops.multiply(convert_to_tensor(scalar, x.dtype), x, name=name or "mul")


def _axis_kw(axis, keepdims, reduction_indices, keep_dims):
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if keep_dims is not None:
        keepdims = keep_dims
    return axis, bool(keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None):
    """tf.reduce_logsumexp: log(sum(exp(x))), computed stably around the max."""
    axis, keep = _axis_kw(axis, keepdims, reduction_indices, keep_dims)
    with get_default_graph().name_scope(name or "ReduceLogSumExp"):
        x = convert_to_tensor(input_tensor)
        m = array_ops.stop_gradient(math_ops.reduce_max(x, axis=axis, keepdims=True))
        s = math_ops.reduce_sum(math_ops.exp(x - m), axis=axis, keepdims=True)
        out = math_ops.log(s) + m
        if not keep:
            out = math_ops.reduce_sum(out, axis=axis)  # drops the size-1 axes
        return out


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """tf.math.reduce_variance: mean of squared deviations."""
    with get_default_graph().name_scope(name or "reduce_variance"):
        x = convert_to_tensor(input_tensor)
        mean = math_ops.reduce_mean(x, axis=axis, keepdims=True)
        return math_ops.reduce_mean(math_ops.squared_difference(x, mean), axis=axis,
                                    keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """tf.math.reduce_std: sqrt of reduce_variance."""
    with get_default_graph().name_scope(name or "reduce_std"):
        return math_ops.sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    """tf.count_nonzero: the number of non-zero entries along `axis`."""
    axis, keep = _axis_kw(axis, keepdims, reduction_indices, keep_dims)
    with get_default_graph().name_scope(name or "count_nonzero"):
        x = convert_to_tensor(input_tensor)
        zero = np.zeros((), x.dtype.np) if not x.dtype.is_bool else np.bool_(False)
        nonzero = math_ops.cast(math_ops.not_equal(x, zero), dtypes.as_dtype(dtype))
        return math_ops.reduce_sum(nonzero, axis=axis, keepdims=keep)


def div_no_nan(x, y, name=None):
    """tf.div_no_nan: x / y, and 0 where y == 0."""
    with get_default_graph().name_scope(name or "div_no_nan"):
        y = convert_to_tensor(y)
        x = convert_to_tensor(x, y.dtype)
        zero = convert_to_tensor(0, y.dtype)
        is_zero = math_ops.equal(y, zero)
        safe_y = math_ops.where(is_zero, math_ops.ones_like_ops(y), y)
        return math_ops.where(is_zero, math_ops.zeros_like_ops(x / safe_y), x / safe_y)


__all__ = ["expm1", "tan", "asin", "acos", "atan", "sinh", "cosh", "atan2", "is_nan", "is_inf",
           "is_finite", "to_double", "scalar_mul", "reduce_logsumexp", "reduce_variance",
           "reduce_std", "count_nonzero", "div_no_nan"]
