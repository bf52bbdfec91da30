"""keras.backend (`from keras import backend as K`): Keras 2's backend API on tfgraph graphs.

core.py: config, sessions, the learning phase, variable values, K.function; tensor_math.py:
shapes, reductions, element-wise math, convolution; nn.py: activations, losses, switch, rnn.
"""
from tfgraph_keras.backend.core import *  # noqa: F401,F403
from tfgraph_keras.backend.core import _LOCK, _graph_learning_phase  # noqa: F401 - the trainer's
from tfgraph_keras.backend.tensor_math import *  # noqa: F401,F403
from tfgraph_keras.backend.nn import *  # noqa: F401,F403
