"""keras.config (Keras 3): the global settings that Keras 2 kept in keras.backend."""
from tfgraph_keras.backend import (epsilon, floatx, image_data_format, set_epsilon,  # noqa: F401
                                   set_floatx, set_image_data_format)
from tfgraph_keras.saving.serialization import enable_unsafe_deserialization  # noqa: F401


def backend():
    """The backend's name: 'tfgraph' (Keras 3 says 'tensorflow', 'jax', ...)."""
    return "tfgraph"


__all__ = ["backend", "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format",
           "set_epsilon", "set_floatx", "set_image_data_format"]
