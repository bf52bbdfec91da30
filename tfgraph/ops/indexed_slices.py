"""IndexedSlices lives with gather, which makes it (gather_ops.py); this is its import path."""
from tfgraph.ops.gather_ops import IndexedSlices, aggregate_indexed_slices, to_dense  # noqa: F401
