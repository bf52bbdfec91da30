"""The tf.math namespace (TF 1.13+ spellings: tf.math.log, tf.math.reduce_sum, ...): re-exports."""
from tfgraph.ops.indexing_ops import argmax, argmin  # noqa: F401
from tfgraph.ops.math_ops import *  # noqa: F401,F403
from tfgraph.ops.nn_ops import in_top_k, log_softmax, softmax, softplus, top_k  # noqa: F401
from tfgraph.ops.special_math_ops import *  # noqa: F401,F403
from tfgraph.ops.special_fn_ops import erf  # noqa: F401
from tfgraph.ops.einsum_ops import einsum  # noqa: F401
from tfgraph.ops.truncate_ops import truncatediv, truncatemod  # noqa: F401
from tfgraph.ops.segment_ops import *  # noqa: F401,F403
