"""Dataset loaders: TFGRAPH_DATASETS_DIR first, then the user cache, then a verified download."""
import os

import numpy as np
import pytest

from tfgraph_keras.datasets import _files, mnist
from tfgraph_keras.utils import normalize, to_categorical


def _write_mnist(directory):
    rng = np.random.RandomState(0)
    arrays = {"x_train": rng.randint(0, 255, (5, 28, 28)).astype(np.uint8),
              "y_train": np.arange(5, dtype=np.uint8),
              "x_test": rng.randint(0, 255, (2, 28, 28)).astype(np.uint8),
              "y_test": np.arange(2, dtype=np.uint8)}
    np.savez(os.path.join(directory, "mnist.npz"), **arrays)
    return arrays


def test_mnist_reads_the_env_directory_first(tmp_path, monkeypatch):
    arrays = _write_mnist(tmp_path)
    monkeypatch.setenv("TFGRAPH_DATASETS_DIR", str(tmp_path))
    (x, y), (xt, yt) = mnist.load_data()
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])
    assert x.dtype == np.uint8 and x.shape == (5, 28, 28)


def test_user_cache_is_second(tmp_path, monkeypatch):
    cache = tmp_path / "home" / "datasets"
    cache.mkdir(parents=True)
    _write_mnist(cache)
    monkeypatch.setenv("TFGRAPH_DATASETS_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    (x, _), _ = mnist.load_data()
    assert x.shape == (5, 28, 28)


def test_offline_error_names_the_variable_and_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGRAPH_DATASETS_DIR", str(tmp_path / "nothing"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))

    def offline(url, filename):
        raise OSError("network is unreachable")
    monkeypatch.setattr(_files.urllib.request, "urlretrieve", offline)
    with pytest.raises(OSError) as info:
        mnist.load_data()
    msg = str(info.value)
    assert "TFGRAPH_DATASETS_DIR" in msg and str(tmp_path / "nothing" / "mnist.npz") in msg
    assert str(tmp_path / "home" / "datasets" / "mnist.npz") in msg


def test_download_checksum_is_verified(tmp_path, monkeypatch):
    monkeypatch.delenv("TFGRAPH_DATASETS_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def fake(url, filename):
        with open(filename, "wb") as f:
            f.write(b"not mnist")
    monkeypatch.setattr(_files.urllib.request, "urlretrieve", fake)
    with pytest.raises(OSError, match="expected"):
        mnist.load_data()
    assert not os.path.exists(tmp_path / "datasets" / "mnist.npz")


def test_to_categorical_and_normalize():
    np.testing.assert_array_equal(to_categorical([0, 2, 1], 3),
                                  [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical(np.array([[1], [3]])).shape == (2, 4)
    assert to_categorical([1]).dtype == np.float32
    n = normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(n, [[0.6, 0.8], [0.0, 0.0]])
