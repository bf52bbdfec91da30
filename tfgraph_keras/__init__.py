"""tfgraph_keras: the Keras API on tfgraph graphs (`import tfgraph_keras as keras`).

    import tfgraph_keras as keras
    from tfgraph_keras import layers
    model = keras.Sequential([keras.Input((784,)), layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2)
"""
import tfgraph
from tfgraph_keras import (activations, backend, callbacks, datasets, initializers, losses,  # noqa
                           metrics, optimizers, preprocessing, regularizers, utils)
from tfgraph_keras import layers, models  # noqa: F401
from tfgraph_keras import ops, random  # noqa: F401 - keras.ops, keras.random (Keras 3)
from tfgraph_keras import applications, config, saving  # noqa: F401 - Keras 3 modules
from tfgraph_keras.layers.input_layer import Input, InputLayer  # noqa: F401
from tfgraph_keras.models import Model, Sequential  # noqa: F401

__version__ = tfgraph.__version__  # one distribution ships both packages

__all__ = ["Input", "InputLayer", "Model", "Sequential", "activations", "applications",
           "backend", "callbacks", "config", "datasets", "initializers", "layers", "losses",
           "metrics", "models", "ops", "optimizers", "preprocessing", "random", "regularizers",
           "saving", "utils"]
