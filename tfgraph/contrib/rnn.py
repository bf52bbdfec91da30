"""tf.contrib.rnn (TF1): the RNN cells (the same classes as tf.nn.rnn_cell)."""
from tfgraph.ops.rnn_cell_impl import *  # noqa: F401,F403
