"""The tf.nn.rnn_cell namespace (TF1): re-exports only."""
from tfgraph.rnn.rnn_cell_impl import *  # noqa: F401,F403
