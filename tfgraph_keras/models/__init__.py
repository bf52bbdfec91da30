"""keras.models: Model, Sequential, and the saving entry points (load_model, model_from_json)."""
from tfgraph_keras.models.functional import Model
from tfgraph_keras.models.sequential import Sequential
from tfgraph_keras.saving import builtin_objects

Functional = Model
builtin_objects.register_models(Model=Model, Functional=Model, Sequential=Sequential)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    from tfgraph_keras.saving import saving_api
    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """keras.models.save_model: the same as `model.save(filepath)`."""
    from tfgraph_keras.saving import saving_api
    return saving_api.save_model(model, filepath, overwrite=overwrite, **kwargs)


def model_from_json(json_string, custom_objects=None, safe_mode=None):
    """A model from `to_json()`'s string. Lambda code loads with safe_mode=False or after
    keras.config.enable_unsafe_deserialization() (Keras 3 has only the latter)."""
    from tfgraph_keras.saving import saving_api
    return saving_api.model_from_json(json_string, custom_objects=custom_objects,
                                      safe_mode=safe_mode)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights."""
    from tfgraph_keras.saving.serialization import deserialize_keras_object, serialize_keras_object
    return deserialize_keras_object(serialize_keras_object(model))


__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model", "model_from_json",
           "clone_model"]
