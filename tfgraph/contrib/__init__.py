"""tf.contrib (TF1): the parts of it that tfgraph offers."""
from tfgraph.contrib import rnn  # noqa: F401
