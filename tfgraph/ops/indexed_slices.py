"""IndexedSlices: sparse-row gradients (of gather, embedding_lookup), densified only when needed."""
from tfgraph.framework.op_def import convert_to_tensor


class IndexedSlices:
    """A gradient that is nonzero only in some rows: `values[i]` belongs at row `indices[i]`.

    `dense_shape` is the shape of the full tensor. Optimizers apply these row by row, as TF1 does.
    """

    def __init__(self, values, indices, dense_shape=None):
        self.values = values
        self.indices = indices
        self.dense_shape = dense_shape

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def graph(self):
        return self.values.graph

    @property
    def name(self):
        return self.values.name

    @property
    def op(self):
        return self.values.op

    def _to_tensor(self):
        return to_dense(self)

    def __repr__(self):
        return "IndexedSlices(indices=%s, values=%s, dense_shape=%s)" % (
            self.indices, self.values, self.dense_shape)


def to_dense(slices):
    """The dense tensor of an IndexedSlices (unsorted_segment_sum of the rows)."""
    from tfgraph.framework.op_def import constant_value
    from tfgraph.ops import array_ops
    known = constant_value(slices.dense_shape) if slices.dense_shape is not None else None
    if known is not None:
        num = int(known[0])
    elif slices.dense_shape is not None:
        num = array_ops.gather(slices.dense_shape, 0)
    else:
        raise ValueError("Cannot densify IndexedSlices %r without a dense_shape" % (slices,))
    dense = array_ops.unsorted_segment_sum(slices.values, slices.indices, num)
    if known is not None and dense.shape.is_compatible_with([int(d) for d in known]):
        dense.set_shape([int(d) for d in known])
    return dense


def aggregate_indexed_slices(contribs):
    """Sum of gradients some of which are IndexedSlices: rows concatenated when all are sparse."""
    from tfgraph.ops import array_ops, math_ops
    if all(isinstance(g, IndexedSlices) for g in contribs):
        indices = [g.indices for g in contribs]
        if len({i.dtype for i in indices}) > 1:  # int32 and int64 ids from different gathers
            indices = [math_ops.cast(i, "int64") for i in indices]
        return IndexedSlices(array_ops.concat([g.values for g in contribs], 0),
                             array_ops.concat(indices, 0), contribs[0].dense_shape)
    return math_ops.add_n([convert_to_tensor(g) for g in contribs])
