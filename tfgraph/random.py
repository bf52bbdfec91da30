"""The tf.random namespace (tf.random.normal, tf.random.uniform, ...): re-exports of random_ops."""
from tfgraph.ops.random_ops import get_seed, set_random_seed  # noqa: F401
from tfgraph.ops.random_ops import random_normal as normal  # noqa: F401
from tfgraph.ops.random_ops import random_shuffle as shuffle  # noqa: F401
from tfgraph.ops.random_ops import random_uniform as uniform  # noqa: F401
from tfgraph.ops.random_ops import truncated_normal  # noqa: F401
from tfgraph.ops.sampling_ops import categorical, multinomial  # noqa: F401
