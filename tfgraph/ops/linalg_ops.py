"""Matrix products: MatMul and BatchMatMulV2 (tf.matmul)."""
import numpy as np

from tfgraph.framework import tensor_shape
from tfgraph.framework.op_def import (OpDef, TensorSpec, convert_to_tensor,
                                      require)
from tfgraph.framework.tensor import Tensor
from tfgraph.kernels import threads
from tfgraph.ops.elementwise_ops import *  # noqa: F401,F403
from tfgraph.ops.reduction_ops import *  # noqa: F401,F403
from tfgraph.ops.broadcast_ops import _check_kind, unbroadcast


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
            return threads.matmul
        return lambda a, b: threads.matmul(a.T if ta else a, b.T if tb else b)

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


__all__ = [
    "matmul",
]
