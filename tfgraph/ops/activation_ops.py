"""Elementwise activations (relu, relu6, elu, selu, leaky_relu, softplus, softsign) and their
backward ops, each with a fused-kernel expression and a Numba fast path."""

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import (
    OpDef,
    TensorSpec,
    require,
    require_float,
)
from tfgraph.kernels import elementwise as _elementwise
from tfgraph.ops import array_ops, math_ops

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


# -- elementwise activations and their backward ops ------------------------------------------------
class _Activation(OpDef):
    """y = f(x) elementwise for floats; same shape and dtype."""

    ints_ok = False

    def infer(self, x, **attrs):
        if not (self.ints_ok and x.dtype.is_numeric):
            require_float(x, self.type)
        return [TensorSpec(x.shape, x.dtype)]


class _ActivationGrad(OpDef):
    """dx = f'(...) * dy from (dy, x or y): same shape as dy."""

    same_dtype = (0, 1)

    def infer(self, dy, x, **attrs):
        require(dy.shape.is_compatible_with(x.shape),
                "Incompatible shapes: %s vs. %s" % (dy.shape, x.shape))
        return [TensorSpec(dy.shape.merge_with(x.shape), dy.dtype)]


def _zeros(x):
    return math_ops.zeros_like_ops(x)


_FAST_FLOATS = (dtypes.float32, dtypes.float64)   # the dtypes the Numba kernels are compiled for


def _flat(a):
    """A flat C-contiguous view of `a` (a copy only when `a` is not contiguous)."""
    return np.ascontiguousarray(a).reshape(-1)


def _unary_kernel(fast):
    def kernel(x):
        out = np.empty(x.shape, x.dtype)
        fast(_flat(x), out.reshape(-1))
        return out
    return kernel


class Relu(_Activation):
    """max(x, 0)."""
    type = "Relu"
    scalar = "{0} if not {0} < 0 else T(0)"  # NaN stays NaN, as np.maximum(x, 0)
    ints_ok = True

    def compute(self, x):
        return np.maximum(x, x.dtype.type(0))

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in _FAST_FLOATS:
            return self.compute
        return _unary_kernel(_elementwise.relu)

    def grad(self, op, dy):
        return [ReluGrad.apply(dy, op.outputs[0])]


class ReluGrad(_ActivationGrad):
    """dy where y > 0 (y: the Relu output), else 0."""
    type = "ReluGrad"
    scalar = "{0} * T({1} > 0)"  # dy * (y > 0): NaN/inf in dy propagate as numpy

    def compute(self, dy, y):
        return dy * (y > 0)

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in _FAST_FLOATS:
            return self.compute
        compute = self.compute

        def kernel(dy, y):
            if dy.shape != y.shape:
                return compute(dy, y)   # broadcasting or the shape error: the reference's
            out = np.empty(dy.shape, dy.dtype)
            _elementwise.relu_grad(_flat(dy), _flat(y), out.reshape(-1))
            return out
        return kernel

    def grad(self, op, ddx):
        return [ReluGrad.apply(ddx, op.inputs[1]), _zeros(op.inputs[1])]


class Relu6(_Activation):
    """min(max(x, 0), 6)."""
    type = "Relu6"
    ints_ok = True

    def compute(self, x):
        return np.clip(x, x.dtype.type(0), x.dtype.type(6))

    def grad(self, op, dy):
        return [Relu6Grad.apply(dy, op.inputs[0])]


class Relu6Grad(_ActivationGrad):
    """dy where 0 < x < 6, else 0."""
    type = "Relu6Grad"

    def compute(self, dy, x):
        return dy * ((x > 0) & (x < 6))

    def grad(self, op, ddx):
        return [Relu6Grad.apply(ddx, op.inputs[1]), _zeros(op.inputs[1])]


class Elu(_Activation):
    """x for x >= 0, exp(x) - 1 below."""
    type = "Elu"

    def compute(self, x):
        with np.errstate(over="ignore"):   # exp(x) - 1, not expm1: TF's kernel's rounding
            return np.where(x < 0, np.exp(x) - x.dtype.type(1), x)

    def grad(self, op, dy):
        return [EluGrad.apply(dy, op.outputs[0])]


class EluGrad(_ActivationGrad):
    """dy * (y + 1) where y < 0 (y: the Elu output), else dy."""
    type = "EluGrad"

    def compute(self, dy, y):
        return np.where(y < 0, dy * (y + y.dtype.type(1)), dy)

    def grad(self, op, ddx):
        dy, y = op.inputs
        neg = math_ops.less(y, array_ops.constant(0, dtype=y.dtype))
        return [EluGrad.apply(ddx, y), math_ops.where(neg, ddx * dy, _zeros(dy))]


class Selu(_Activation):
    """scale * x for x >= 0, scale * alpha * (exp(x) - 1) below (self-normalizing constants)."""
    type = "Selu"

    def compute(self, x):
        t = x.dtype.type
        with np.errstate(over="ignore"):
            return np.where(x < 0, t(_SELU_SCALE * _SELU_ALPHA) * (np.exp(x) - t(1)),
                            t(_SELU_SCALE) * x)

    def grad(self, op, dy):
        return [SeluGrad.apply(dy, op.outputs[0])]


class SeluGrad(_ActivationGrad):
    """dy * (y + scale * alpha) where y < 0 (y: the Selu output), else dy * scale."""
    type = "SeluGrad"

    def compute(self, dy, y):
        t = y.dtype.type
        return np.where(y < 0, dy * (y + t(_SELU_SCALE * _SELU_ALPHA)), dy * t(_SELU_SCALE))

    def grad(self, op, ddx):
        dy, y = op.inputs
        neg = math_ops.less(y, array_ops.constant(0, dtype=y.dtype))
        return [SeluGrad.apply(ddx, y), math_ops.where(neg, ddx * dy, _zeros(dy))]


class LeakyRelu(_Activation):
    """x where x > 0, alpha * x elsewhere."""
    type = "LeakyRelu"
    attrs = {"alpha": 0.2}

    def compute(self, x, *, alpha):
        return np.where(x > 0, x, x * x.dtype.type(alpha))

    def grad(self, op, dy):
        return [LeakyReluGrad.apply(dy, op.inputs[0], alpha=op.attrs["alpha"])]


class LeakyReluGrad(_ActivationGrad):
    """dy where x > 0, alpha * dy elsewhere."""
    type = "LeakyReluGrad"
    attrs = {"alpha": 0.2}

    def compute(self, dy, x, *, alpha):
        return np.where(x > 0, dy, dy * dy.dtype.type(alpha))

    def grad(self, op, ddx):
        x = op.inputs[1]
        return [LeakyReluGrad.apply(ddx, x, alpha=op.attrs["alpha"]), _zeros(x)]


class Softplus(_Activation):
    """log(1 + exp(x)), with TF's thresholds (x itself above, exp(x) below) for stability."""
    type = "Softplus"

    def compute(self, x):
        threshold = np.log(np.finfo(x.dtype).eps) + 2
        with np.errstate(over="ignore"):
            e = np.exp(x)
            return np.where(x > -threshold, x, np.where(x < threshold, e, np.log1p(e)))

    def grad(self, op, dy):
        return [SoftplusGrad.apply(dy, op.inputs[0])]


class SoftplusGrad(_ActivationGrad):
    """dy * sigmoid(x) = dy / (1 + exp(-x))."""
    type = "SoftplusGrad"

    def compute(self, dy, x):
        with np.errstate(over="ignore"):
            return dy / (np.exp(-x) + x.dtype.type(1))

    def grad(self, op, ddx):
        dy, x = op.inputs
        two = array_ops.constant(2, dtype=x.dtype)
        d2x = ddx * dy / (math_ops.exp(math_ops.negative(x)) + two + math_ops.exp(x))
        return [SoftplusGrad.apply(ddx, x), d2x]


class Softsign(_Activation):
    """x / (1 + |x|)."""
    type = "Softsign"

    def compute(self, x):
        return x / (np.abs(x) + x.dtype.type(1))

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy / math_ops.square(math_ops.abs(x) + array_ops.constant(1, dtype=x.dtype))]


def relu(features, name=None):
    """tf.nn.relu: max(features, 0)."""
    return Relu.apply(features, name=name)


def relu6(features, name=None):
    """tf.nn.relu6: min(max(features, 0), 6)."""
    return Relu6.apply(features, name=name)


def elu(features, name=None):
    """tf.nn.elu: features if > 0 else exp(features) - 1."""
    return Elu.apply(features, name=name)


def selu(features, name=None):
    """tf.nn.selu: scale * elu-like with alpha = 1.6733, scale = 1.0507."""
    return Selu.apply(features, name=name)


def leaky_relu(features, alpha=0.2, name=None):
    """tf.nn.leaky_relu: max(features, alpha * features) (for alpha <= 1)."""
    return LeakyRelu.apply(features, alpha=float(alpha), name=name)


def softplus(features, name=None):
    """tf.nn.softplus: log(exp(features) + 1)."""
    return Softplus.apply(features, name=name)


def softsign(features, name=None):
    """tf.nn.softsign: features / (abs(features) + 1)."""
    return Softsign.apply(features, name=name)


__all__ = [
    "elu",
    "leaky_relu",
    "relu",
    "relu6",
    "selu",
    "softplus",
    "softsign",
]
