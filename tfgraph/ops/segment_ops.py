"""Sorted segment reductions: tf.segment_sum / segment_mean / segment_max / segment_min.
`segment_ids` is a sorted 1-D vector as long as data's first dimension; output row k reduces the
rows with id k (rows k with no ids are 0), and there are segment_ids[-1] + 1 of them."""
import numpy as np

from tfgraph.framework import tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, require
from tfgraph.kernels import segment as segment_kernels
from tfgraph.ops import array_core_ops, elementwise_ops, gather_ops, shape_ops
from tfgraph.ops.shape_args import _check_index_dtype


def _segments(data, ids):
    """Checks the ids as TF's kernel does; returns the number of segments."""
    if ids.ndim != 1:
        raise ValueError("segment_ids should be a vector.")
    if ids.shape[0] != data.shape[0]:
        raise ValueError("segment_ids should be the same size as dimension 0 of input.")
    if ids.size == 0:
        return 0
    n = int(ids[-1]) + 1
    # TF's kernel walks the runs of equal ids in order and reports the first bad run
    runs = ids[np.concatenate([[True], ids[1:] != ids[:-1]])]
    following = np.append(runs[1:], n)
    bad = (following <= runs) | (runs < 0) | (runs >= n)
    if bad.any():
        k = int(np.argmax(bad))
        if following[k] <= runs[k]:
            raise ValueError("segment ids are not increasing")
        raise ValueError("Segment id %d out of range [0, %d), possibly because 'segment_ids' "
                         "input is not sorted." % (runs[k], n))
    return n


def _fold_runs(ufunc, data, ids, n):
    """Reduces each run of equal (sorted) ids with one ufunc.reduceat; empty segments are 0."""
    out = np.zeros((n,) + data.shape[1:], dtype=data.dtype)
    if ids.size:
        starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
        out[ids[starts]] = ufunc.reduceat(data, starts, axis=0)
    return out


class _SegmentReduction(OpDef):
    reduce = None   # numpy ufunc whose .at folds rows into their segment

    def infer(self, data, ids):
        _check_index_dtype(ids, "segment_ids")
        if not data.dtype.is_numeric:
            raise TypeError("%s does not support dtype %s" % (self.type, data.dtype.name))
        require(ids.shape.ndims in (None, 1), "Shape must be rank 1 but is rank %s for '%s' "
                "(segment_ids)" % (ids.shape.ndims, self.type))
        dims = data.shape.as_tuple()
        if dims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), data.dtype)]
        require(len(dims) >= 1, "Shape must be at least rank 1 but is rank 0 for '%s' (data)"
                % self.type)
        return [TensorSpec((None,) + dims[1:], data.dtype)]

    mode = segment_kernels.SUM

    def compute(self, data, ids):
        n = _segments(data, ids)
        return self.fold(data, ids, n)

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype.np not in (np.float32, np.float64):
            return self.compute
        mode, finish = self.mode, self.finish

        def kernel(data, ids):
            n = _segments(data, ids)
            return finish(segment_kernels.segment_fold(data, ids, n, mode), ids, n)
        return kernel

    @staticmethod
    def finish(out, ids, n):
        return out


class SegmentSum(_SegmentReduction):
    """out[k] = sum of data[i] over i with segment_ids[i] == k."""
    type = "SegmentSum"

    @staticmethod
    def fold(data, ids, n):
        return _fold_runs(np.add, data, ids, n)

    def grad(self, op, dy):
        return [gather_ops.gather(dy, op.inputs[1]), None]


class SegmentMean(_SegmentReduction):
    """out[k] = mean of data[i] over i with segment_ids[i] == k."""
    type = "SegmentMean"

    @staticmethod
    def fold(data, ids, n):
        return SegmentMean.finish(SegmentSum.fold(data, ids, n), ids, n)

    @staticmethod
    def finish(total, ids, n):
        counts = np.bincount(ids, minlength=n).reshape((n,) + (1,) * (total.ndim - 1))
        if total.dtype.kind in "iu":
            return (total // np.maximum(counts, 1)).astype(total.dtype)
        return (total / np.maximum(counts, 1)).astype(total.dtype)

    def grad(self, op, dy):
        data, ids = op.inputs
        ones = array_core_ops.ones_like(ids, dtype=dy.dtype)
        counts = SegmentSum.apply(ones, ids)
        rank = data.shape.ndims
        if rank is None:
            raise ValueError("the gradient of segment_mean needs the rank of data")
        counts = shape_ops.reshape(counts, [-1] + [1] * (rank - 1))
        scaled = dy / elementwise_ops.maximum(counts, array_core_ops.ones_like(counts))
        return [gather_ops.gather(scaled, ids), None]


class _SegmentExtreme(_SegmentReduction):
    ufunc = None

    def fold(self, data, ids, n):
        return _fold_runs(self.ufunc, data, ids, n)

    def compute(self, data, ids):
        return self.fold(data, ids, _segments(data, ids))

    def grad(self, op, dy):
        # the gradient goes to the rows that reached the extreme, split evenly between ties
        data, ids = op.inputs
        picked = gather_ops.gather(op.outputs[0], ids)
        selected = elementwise_ops.equal(data, picked)
        counts = SegmentSum.apply(elementwise_ops.cast(selected, dy.dtype), ids)
        # empty segments count 0 ties; no row gathers them, so 1 only avoids dividing by 0
        counts = elementwise_ops.maximum(counts, array_core_ops.ones_like(counts))
        rows = gather_ops.gather(dy / counts, ids)
        return [elementwise_ops.select(selected, rows, array_core_ops.zeros_like(rows)), None]




class SegmentMax(_SegmentExtreme):
    """out[k] = max of data[i] over i with segment_ids[i] == k (0 for empty segments)."""
    type = "SegmentMax"
    ufunc = np.maximum
    mode = segment_kernels.MAX


class SegmentMin(_SegmentExtreme):
    """out[k] = min of data[i] over i with segment_ids[i] == k (0 for empty segments)."""
    type = "SegmentMin"
    ufunc = np.minimum
    mode = segment_kernels.MIN


def _apply(op_class, data, segment_ids, name):
    return op_class.apply(data, segment_ids, name=name)


def segment_sum(data, segment_ids, name=None):
    """tf.segment_sum / tf.math.segment_sum: sums of rows sharing a (sorted) segment id."""
    return _apply(SegmentSum, data, segment_ids, name)


def segment_mean(data, segment_ids, name=None):
    """tf.segment_mean: means of rows sharing a (sorted) segment id."""
    return _apply(SegmentMean, data, segment_ids, name)


def segment_max(data, segment_ids, name=None):
    """tf.segment_max: maxima of rows sharing a (sorted) segment id (0 for empty segments)."""
    return _apply(SegmentMax, data, segment_ids, name)


def segment_min(data, segment_ids, name=None):
    """tf.segment_min: minima of rows sharing a (sorted) segment id (0 for empty segments)."""
    return _apply(SegmentMin, data, segment_ids, name)


__all__ = ["segment_max", "segment_mean", "segment_min", "segment_sum"]
