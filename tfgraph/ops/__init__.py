"""The TF1 op library, one module per op family; importing it gives Tensor its operators."""
from tfgraph.ops import tensor_operators  # noqa: F401 - installs x + y, x[i], ... on Tensor
