"""keras.config / keras.saving / keras.models entry points that a new user reaches for first.

Recorded with Keras 3.15 (tests/reference is not needed: these are behaviours, not numbers):
after keras.config.enable_unsafe_deserialization() a Lambda model loads from .keras and from JSON,
even with load_model(..., safe_mode=True); keras.models.save_model(model, path) exists; a garbage
'.h5' file fails in h5py with 'file signature not found'.
"""
import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import layers
from tfgraph_keras.saving import serialization


@pytest.fixture
def unsafe_switch(monkeypatch):
    monkeypatch.setitem(serialization._UNSAFE, "enabled", False)  # restored after the test


def _lambda_model():
    return keras.Sequential([keras.Input((3,)), layers.Lambda(lambda x: x * 2 + 1)])


def test_namespaces_reachable_after_plain_import():
    assert callable(keras.saving.load_model) and callable(keras.saving.save_model)
    assert keras.config.image_data_format() == "channels_last"
    assert keras.config.enable_unsafe_deserialization is keras.saving.enable_unsafe_deserialization
    assert keras.config.floatx() == "float32" and keras.config.epsilon() == 1e-7


def test_enable_unsafe_deserialization_lets_lambda_models_load(tmp_path, unsafe_switch):
    model = _lambda_model()
    path = tmp_path / "l.keras"
    model.save(path)
    text = model.to_json()
    with pytest.raises(keras.saving.SafeModeError):
        keras.models.load_model(path)
    with pytest.raises(keras.saving.SafeModeError):
        keras.models.model_from_json(text)
    keras.config.enable_unsafe_deserialization()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for loaded in (keras.models.load_model(path), keras.models.load_model(path, safe_mode=True),
                   keras.models.model_from_json(text)):
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), x * 2 + 1)


def test_model_from_json_safe_mode_false(unsafe_switch):
    x = np.ones((1, 3), np.float32)
    clone = keras.models.model_from_json(_lambda_model().to_json(), safe_mode=False)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), [[3, 3, 3]])


def test_models_save_model(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    keras.models.save_model(model, tmp_path / "m.keras")
    x = np.ones((2, 3), np.float32)
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_garbage_h5_says_not_hdf5(tmp_path):
    path = tmp_path / "g.h5"
    path.write_bytes(b"garbage data here")
    with pytest.raises(ValueError, match=r"g\.h5.*not an HDF5 file \(file signature not found") \
            as err:
        keras.models.load_model(path)
    assert "only supports" not in str(err.value)
