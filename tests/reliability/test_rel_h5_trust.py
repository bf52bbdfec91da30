"""HDF5 weight files and .keras zips are not trusted: checksums of the weights tfgraph writes are
verified, external storage / external links are refused, zip bombs are refused before inflating."""
import os
import tracemalloc
import zipfile

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras

h5py = pytest.importorskip("h5py")  # the h5 extra (installed in the test environment)


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d")])


def _flip_a_bit_of(path, dataset):
    with h5py.File(path, "r") as f:
        offset = f[dataset].id.get_offset()
    with open(path, "r+b") as f:
        f.seek(offset + 5)
        b = f.read(1)
        f.seek(offset + 5)
        f.write(bytes([b[0] ^ 0x10]))


@pytest.mark.parametrize("filename, dataset", [
    ("w.weights.h5", "layers/dense/vars/0"),
    ("w.h5", "d/d/kernel:0"),
])
def test_a_bit_flip_in_a_weight_is_a_data_loss_error_naming_it(tmp_path, filename, dataset):
    path = str(tmp_path / filename)
    _model().save_weights(path)
    with h5py.File(path, "r") as f:
        if dataset not in f:  # the legacy layout's weight names: find the kernel
            dataset = [n for n in _names(f) if n.endswith("kernel:0") or "kernel" in n][0]
    _flip_a_bit_of(path, dataset)
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(tf.errors.DataLossError, match="checksum mismatch") as info:
        model.load_weights(path)
    assert dataset.split("/")[-1] in str(info.value) and filename in str(info.value)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)  # nothing half-loaded


def _names(f):
    out = []
    f.visit(out.append)
    return out


def test_files_without_checksums_still_load(tmp_path):
    """Keras writes no checksum attr: strip ours and the file loads as before."""
    path = str(tmp_path / "w.weights.h5")
    src = _model()
    src.save_weights(path)
    with h5py.File(path, "r+") as f:
        for name in _names(f):
            if "tfgraph_crc32" in f[name].attrs:
                del f[name].attrs["tfgraph_crc32"]
    model = _model()
    model.load_weights(path)
    for a, b in zip(model.get_weights(), src.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_external_storage_is_refused(tmp_path):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(12, dtype=np.float32).tobytes())
    path = str(tmp_path / "evil.weights.h5")
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(4, 3), dtype="float32",
                                              external=[(str(secret), 0, 48)])
    with pytest.raises(ValueError, match="external file"):
        _model().load_weights(path)


def test_external_links_are_refused(tmp_path):
    other = str(tmp_path / "other.h5")
    with h5py.File(other, "w") as f:
        f.create_dataset("k", data=np.ones((4, 3), np.float32))
    path = str(tmp_path / "link.weights.h5")
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(other, "/k")
    with pytest.raises(ValueError, match="external link"):
        _model().load_weights(path)


def test_a_keras_zip_bomb_is_refused_before_inflating(tmp_path):
    path = str(tmp_path / "bomb.keras")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", "{}")
        with zf.open("model.weights.h5", "w", force_zip64=True) as member:
            chunk = bytes(16 << 20)
            for _ in range(8):  # 128 MB of zeros, about 130 kB compressed
                member.write(chunk)
    assert os.path.getsize(path) < 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="zip bomb"):
            keras.models.load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, peak
