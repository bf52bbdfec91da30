"""tfgraph_keras: the Keras API on tfgraph graphs (`import tfgraph_keras as keras`)."""
from tfgraph_keras import backend, initializers, regularizers  # noqa: F401
from tfgraph_keras.layers.input_layer import Input, InputLayer  # noqa: F401

__version__ = "0.1.0"
