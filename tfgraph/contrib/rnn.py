"""tf.contrib.rnn (TF1): the RNN cells (the same classes as tf.nn.rnn_cell), and static_rnn /
static_bidirectional_rnn, which TF1 scripts often took from here."""
from tfgraph.rnn.rnn import static_bidirectional_rnn, static_rnn  # noqa: F401
from tfgraph.rnn.rnn_cell_impl import *  # noqa: F401,F403
