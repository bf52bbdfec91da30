"""The tf.nn namespace: re-exports only (names are listed in each module's __all__)."""
from tfgraph.ops.math_ops import sigmoid, tanh  # noqa: F401
from tfgraph.ops.nn_ops import *  # noqa: F401,F403
from tfgraph.ops.nn_impl import *  # noqa: F401,F403
from tfgraph.ops.conv_ops import *  # noqa: F401,F403
from tfgraph.ops.conv3d_ops import *  # noqa: F401,F403
from tfgraph.ops import fused_conv_ops  # noqa: F401 - registers the conv layers' plan-time folds
from tfgraph.rnn import rnn_cell  # noqa: F401 - tf.nn.rnn_cell
from tfgraph.rnn.rnn import *  # noqa: F401,F403 - static_rnn, dynamic_rnn and bidirectional forms
from tfgraph.ops.sampled_loss_ops import nce_loss, sampled_softmax_loss  # noqa: F401
from tfgraph.ops.sampling_ops import log_uniform_candidate_sampler  # noqa: F401
from tfgraph.ops.depthwise_conv_ops import *  # noqa: F401,F403
