"""tf.unique / tf.unique_with_counts: the distinct values of a vector in order of first
appearance, with each element's index into them. Not differentiable, as in TensorFlow."""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, require


def _unique(x):
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True)
    order = np.argsort(first, kind="stable")       # sorted order -> first-appearance order
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return values[order], rank[inverse.reshape(-1)], counts[order]


class Unique(OpDef):
    """y: the distinct values of x in order of first appearance; idx: x[i] == y[idx[i]]."""
    type = "Unique"
    attrs = {"out_idx": dtypes.int32}

    def infer(self, x, *, out_idx):
        require(x.shape.ndims in (None, 1), "Shape must be rank 1 but is rank %d for '%s' "
                "(op: Unique) with input shapes: %s." % (x.shape.ndims or 0, self.type, x.shape))
        require(out_idx in (dtypes.int32, dtypes.int64), "Unique: out_idx must be int32 or "
                "int64, got %s" % dtypes.as_dtype(out_idx).name)
        return [TensorSpec(tensor_shape.TensorShape([None]), x.dtype),
                TensorSpec(x.shape, out_idx)]

    def compute(self, x, *, out_idx):
        y, idx, _ = _unique(x)
        return y.astype(x.dtype), idx.astype(out_idx.np)


class UniqueWithCounts(Unique):
    """Unique, with how often each distinct value occurs."""
    type = "UniqueWithCounts"

    def infer(self, x, *, out_idx):
        return Unique.infer(self, x, out_idx=out_idx) + [
            TensorSpec(tensor_shape.TensorShape([None]), out_idx)]

    def compute(self, x, *, out_idx):
        y, idx, counts = _unique(x)
        return y.astype(x.dtype), idx.astype(out_idx.np), counts.astype(out_idx.np)


def unique(x, out_idx=dtypes.int32, name=None):
    """tf.unique: (y, idx) with y the distinct values of the 1-D `x` in first-appearance order."""
    return Unique.apply(x, out_idx=dtypes.as_dtype(out_idx), name=name)


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """tf.unique_with_counts: (y, idx, count)."""
    return UniqueWithCounts.apply(x, out_idx=dtypes.as_dtype(out_idx), name=name)


__all__ = ["unique", "unique_with_counts"]
