"""The tf.debugging namespace: re-exports only."""
from tfgraph.ops.check_ops import *  # noqa: F401,F403
from tfgraph.ops.logging_ops import Assert  # noqa: F401
from tfgraph.ops.numerics import check_numerics  # noqa: F401
