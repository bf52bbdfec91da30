"""IndexedSlices lives with the ops that make it (tfgraph/ops/indexed_slices.py); old import path."""
from tfgraph.ops.indexed_slices import IndexedSlices, aggregate_indexed_slices, to_dense  # noqa: F401
