"""Special functions: Erf (the error function, for keras.ops.erf and exact GELU)."""
import math

import numpy as np

from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.kernels.jit import njit
from tfgraph.ops import math_ops
from tfgraph.ops.math_ops import _Unary

_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def erf_reference(x):
    """numpy reference: math.erf on each element, in x's dtype."""
    return np.asarray(_erf_scalar(x), dtype=x.dtype) if x.size else x.copy()


@njit
def _erf_kernel(x):
    flat = x.ravel()
    out = np.empty_like(flat)
    for i in range(flat.size):
        out[i] = math.erf(flat[i])
    return out.reshape(x.shape)


class Erf(_Unary):
    """erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt."""
    type = "Erf"
    fn = staticmethod(erf_reference)
    allowed = "float"

    def make_kernel(self, op, rt):
        def kernel(x):
            return _erf_kernel(np.ascontiguousarray(x)) if x.dtype != np.float16 \
                else erf_reference(x)
        return kernel

    def grad(self, op, dy):
        x = op.inputs[0]
        scale = convert_to_tensor(2.0 / math.sqrt(math.pi), x.dtype)
        return [dy * scale * math_ops.exp(-math_ops.square(x))]


def erf(x, name=None):
    """tf.math.erf."""
    return Erf.apply(x, name=name)


__all__ = ["erf"]
