"""The tf.image namespace (TF1's resize functions): re-exports only."""
from tfgraph.ops.image_ops import *  # noqa: F401,F403
