"""The tf.linalg namespace (the TF1 scripts' spellings): re-exports only."""
from tfgraph.ops.array_core_ops import matrix_transpose as transpose  # noqa: F401
from tfgraph.ops.band_ops import band_part  # noqa: F401
from tfgraph.ops.einsum_ops import einsum  # noqa: F401
from tfgraph.ops.linalg_ops import matmul  # noqa: F401
