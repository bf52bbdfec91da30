import json

import numpy as np
import pytest

from tfgraph_keras import backend, layers
from tfgraph_keras.saving import serialization as ser
from tfgraph_keras.saving.h5 import container_keys, snake_case


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def test_snake_case_keys_match_keras():
    assert [snake_case(n) for n in ("Conv2D", "BatchNormalization", "MaxPooling2D", "GRU",
                                    "InputLayer", "GlobalAveragePooling2D", "PReLU")] == [
        "conv2d", "batch_normalization", "max_pooling2d", "gru", "input_layer",
        "global_average_pooling2d", "p_re_lu"]
    objs = [layers.Dense(1), layers.Dropout(0.1), layers.Dense(2), layers.Dense(3),
            layers.Conv2D(1, 1)]
    assert container_keys(objs) == ["dense", "dropout", "dense_1", "dense_2", "conv2d"]


def test_layer_round_trip_through_json():
    layer = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                          kernel_initializer="he_normal", kernel_regularizer="l2")
    entry = json.loads(json.dumps(ser.serialize_keras_object(layer)))
    assert entry["class_name"] == "Conv2D" and entry["module"] == "keras.layers"
    clone = ser.deserialize_keras_object(entry)
    assert type(clone) is layers.Conv2D and clone.get_config() == layer.get_config()


def test_keras3_layer_config_is_accepted():
    """A Dense config as Keras 3.15 writes it (dtype policy dict, lora/quantization keys)."""
    config = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
              "config": {"name": "hidden", "trainable": True,
                         "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                   "config": {"name": "float32"}, "registered_name": None},
                         "units": 5, "activation": "relu", "use_bias": True,
                         "kernel_initializer": {"module": "keras.initializers",
                                                "class_name": "GlorotUniform",
                                                "config": {"seed": None}, "registered_name": None},
                         "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                              "config": {}, "registered_name": None},
                         "kernel_regularizer": None, "bias_regularizer": None,
                         "kernel_constraint": None, "bias_constraint": None,
                         "lora_rank": None, "quantization_config": None},
              "build_config": {"input_shape": [None, 3]}}
    layer = ser.deserialize_keras_object(config)
    assert (layer.name, layer.units, layer.dtype) == ("hidden", 5, "float32")
    assert layer.activation.__name__ == "relu"


def test_unknown_class_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown layer: 'Mystery'"):
        ser.deserialize_keras_object({"class_name": "Mystery", "config": {}})


def test_custom_objects_and_registration():
    class Scale(layers.Layer):
        def __init__(self, k=2.0, **kwargs):
            super().__init__(**kwargs)
            self.k = k

        def call(self, x):
            return x * self.k

        def get_config(self):
            return {**super().get_config(), "k": self.k}

    entry = ser.serialize_keras_object(Scale(3.0))
    with pytest.raises(ValueError, match="Unknown layer"):
        ser.deserialize_keras_object(entry)
    assert ser.deserialize_keras_object(entry, custom_objects={"Scale": Scale}).k == 3.0
    with ser.custom_object_scope({"Scale": Scale}):
        assert ser.deserialize_keras_object(entry).k == 3.0
    Registered = ser.register_keras_serializable("tests")(Scale)
    entry = ser.serialize_keras_object(Registered(4.0))
    assert entry["registered_name"] == "tests>Scale"
    assert ser.deserialize_keras_object(entry).k == 4.0


def test_lambda_with_code_needs_safe_mode_false():
    entry = json.loads(json.dumps(ser.serialize_keras_object(
        layers.Lambda(lambda x: x * 3.0 + 1.0, name="triple"))))
    assert entry["config"]["function"]["class_name"] == "__lambda__"
    with pytest.raises(ser.SafeModeError, match="safe_mode=False"):
        ser.deserialize_keras_object(entry)
    with pytest.raises(ValueError, match="arbitrary code execution"):
        ser.deserialize_keras_object(entry, safe_mode=True)
    layer = ser.deserialize_keras_object(entry, safe_mode=False)
    x = np.arange(4, dtype=np.float32).reshape(2, 2)
    np.testing.assert_allclose(layer(x), x * 3 + 1)


def double(x):
    return x * 2.0


def test_lambda_named_function_loads_from_custom_objects_only():
    entry = ser.serialize_keras_object(layers.Lambda(double))
    with pytest.raises(ser.SafeModeError, match="custom_objects"):
        ser.deserialize_keras_object(entry)
    assert entry["config"]["function"]["config"] == "double"
    layer = ser.deserialize_keras_object(entry, custom_objects={"double": double})
    assert layer.function is double
    assert ser.deserialize_keras_object(entry, safe_mode=False).function is double  # by module


def test_keras2_lambda_config_is_refused_in_safe_mode():
    config = {"class_name": "Lambda", "config": {
        "name": "lambda", "trainable": True, "dtype": "float32",
        "function": ["4wEAAAAAAAAA", None, None], "function_type": "lambda",
        "module": "__main__", "output_shape": None, "output_shape_type": "raw", "arguments": {}}}
    with pytest.raises(ser.SafeModeError):
        ser.deserialize_keras_object(config)
