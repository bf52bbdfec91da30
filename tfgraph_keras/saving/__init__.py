"""keras.saving: the native .keras zip, HDF5 weight files, JSON configs, custom objects."""
from tfgraph_keras.saving.saving_api import (load_model, load_weights, model_from_config,
                                             model_from_json, model_to_json, save_model,
                                             save_weights)
from tfgraph_keras.saving.serialization import (CustomObjectScope, SafeModeError,
                                                custom_object_scope, deserialize_keras_object,
                                                enable_unsafe_deserialization,
                                                get_registered_name, get_registered_object,
                                                register_keras_serializable,
                                                serialize_keras_object)

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json",
           "model_from_json", "model_from_config", "serialize_keras_object",
           "deserialize_keras_object", "register_keras_serializable", "custom_object_scope",
           "CustomObjectScope", "get_registered_object", "get_registered_name",
           "enable_unsafe_deserialization", "SafeModeError"]
