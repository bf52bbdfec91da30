"""Moments: tf.nn.moments' mean and (biased) variance as one op, batch normalization's statistics.

TF builds tf.nn.moments from Mean, SquaredDifference and Mean; for float32/float64 inputs tfgraph
makes it one op whose kernel reads x twice and allocates nothing of x's size
(tfgraph/kernels/moments.py) when the reduced axes lead (NHWC batch norm: all but channels; a
Dense batch norm: the batch). Other axes run the numpy reference. The gradient is built from
elementwise ops, which the execution plan fuses into one pass over x:

    dx = dmean / n + dvar * 2 (x - mean) / n        (n: elements per mean)
"""
import math

import numpy as np

from tfgraph.framework.op_def import OpDef, TensorSpec
from tfgraph.kernels import moments as _kernels
from tfgraph.ops import array_ops, math_ops

FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class Moments(OpDef):
    """(mean, variance) of x over `axis` (a sorted tuple); `keep_dims` keeps reduced dims as 1."""

    type = "Moments"
    attrs = {"axis": (), "keep_dims": False}

    def infer(self, x, *, axis, keep_dims):
        spec = math_ops.Mean().infer(x, axis=axis, keep_dims=keep_dims)[0]
        return [spec, TensorSpec(spec.shape, spec.dtype)]

    def compute(self, x, *, axis, keep_dims):
        mean = np.mean(x, axis=axis, keepdims=True)
        var = np.mean(np.square(x - mean), axis=axis, keepdims=keep_dims)
        return (mean if keep_dims else np.squeeze(mean, axis)), var

    def make_kernel(self, op, rt):
        axis, keep = op.attrs["axis"], op.attrs["keep_dims"]
        reference = lambda x: self.compute(x, axis=axis, keep_dims=keep)  # noqa: E731
        if op.inputs[0].dtype.np not in FAST_DTYPES or axis != tuple(range(len(axis))):
            return reference

        def kernel(x):
            if x.ndim <= len(axis) or x.size == 0:
                return reference(x)  # a full reduction, or empty: numpy's rules (nan, warnings)
            rows = math.prod(x.shape[:len(axis)])
            mean, var = _kernels.column_moments(np.ascontiguousarray(x).reshape(rows, -1))
            kept = x.shape[len(axis):]
            shape = (1,) * len(axis) + kept if keep else kept
            return mean.reshape(shape), var.reshape(shape)
        return kernel

    def grad(self, op, dmean, dvar):
        x = op.inputs[0]
        n = math_ops.reduction_count(x, op.outputs[0])
        g = None
        if dvar is not None:
            mean = math_ops._expand_reduced(op, op.outputs[0])
            g = (x - mean) * (math_ops._expand_reduced(op, dvar) * (2 / n))
        if dmean is not None:
            gm = math_ops._expand_reduced(op, dmean) / n
            g = math_ops.broadcast_to(gm, array_ops.shape(x)) if g is None else g + gm
        return [g]


def moments(x, axes, keep_dims=False):
    """(mean, variance) of float x over `axes` as one Moments op (see tf.nn.moments), returned
    through Identity ops named "mean" and "variance", the names TF's composite gives its ops (the
    plan drops identities, so they cost nothing)."""
    axes = math_ops._norm_axes(axes, x.shape.ndims)
    mean, variance = Moments.apply(x, axis=axes, keep_dims=bool(keep_dims))
    return array_ops.identity(mean, name="mean"), array_ops.identity(variance, name="variance")
