"""imdb, reuters, boston_housing, cifar100 (and cifar10) read Keras's own file layouts offline and
return what tf_keras 2.21 returns for the same small files (tests/data/keras_datasets, written and
recorded by tests/reference/make_keras_backend_cases.py). Deliberate difference: tf_keras fails
(numpy broadcast error) for imdb start_char=None, index_from=0; tfgraph returns the sequences."""
import json
import os
import pickle
import shutil
import tarfile

import numpy as np
import pytest

from tfgraph_keras import backend as K
from tfgraph_keras.datasets import _files, boston_housing, cifar10, cifar100, imdb, reuters
from tfgraph_keras.utils import get_file

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
FILES = os.path.join(DATA, "keras_datasets")
with open(os.path.join(DATA, "keras_backend_cases.json")) as _f:
    REF = json.load(_f)["datasets"]


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """Datasets dir = the small Keras-layout files; downloading fails loudly."""
    monkeypatch.setenv("TFGRAPH_DATASETS_DIR", FILES)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))

    def no_network(url, filename):
        raise AssertionError("tried to download %s" % url)
    monkeypatch.setattr(_files.urllib.request, "urlretrieve", no_network)
    return tmp_path


def _check(result, want):
    for (x, y), (wx, wy) in zip(result, want):
        if isinstance(wx, dict):
            assert x.dtype == np.dtype(wx["dtype"])
            np.testing.assert_array_equal(x, np.asarray(wx["array"], wx["dtype"]))
        else:
            assert x.dtype == object and [list(s) for s in x] == wx
        assert y.dtype == np.dtype(wy["dtype"])
        np.testing.assert_array_equal(y, np.asarray(wy["array"], wy["dtype"]))


@pytest.mark.parametrize("name", ["imdb", "reuters", "boston_housing", "cifar100"])
def test_loaders_match_tf_keras(offline, name):
    module = {"imdb": imdb, "reuters": reuters, "boston_housing": boston_housing,
              "cifar100": cifar100}[name]
    for case in REF[name]:
        _check(module.load_data(**case["kwargs"]), case["out"])


def test_imdb_options_errors_and_word_index(offline):
    with pytest.raises(ValueError) as info:
        imdb.load_data(maxlen=2)
    assert str(info.value) == REF["imdb_maxlen_error"]
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        imdb.load_data(num_word=5)
    with pytest.warns(DeprecationWarning, match="num_words"):
        _check(imdb.load_data(nb_words=10), REF["imdb"][1]["out"])
    assert imdb.get_word_index() == REF["imdb_word_index"]
    assert reuters.get_word_index()["the"] == 1 and len(reuters.get_label_names()) == 46
    (x, _), _ = imdb.load_data(start_char=None, index_from=0, num_words=1000)
    raw = _files.load_npz(os.path.join(FILES, "imdb.npz"))["x_train"]
    assert sorted(map(tuple, x)) == sorted(map(tuple, raw))


def test_cifar100_from_tarball_in_cache_and_channels_first(offline):
    cache = offline / "home" / "datasets"
    cache.mkdir(parents=True)
    with tarfile.open(cache / "cifar-100-python.tar.gz", "w:gz") as tar:
        tar.add(os.path.join(FILES, "cifar-100-python"), arcname="cifar-100-python")
    os.environ["TFGRAPH_DATASETS_DIR"] = str(offline / "empty")
    _check(cifar100.load_data("coarse"), REF["cifar100"][1]["out"])
    K.set_image_data_format("channels_first")
    try:
        (x, _), _ = cifar100.load_data()
    finally:
        K.set_image_data_format("channels_last")
    want = np.asarray(REF["cifar100"][0]["out"][0][0]["array"], np.uint8)
    np.testing.assert_array_equal(x, want.transpose(0, 3, 1, 2))
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data("medium")


def test_cifar10_reads_keras_extracted_directory(offline):
    d = offline / "cifar-10-batches-py"
    d.mkdir()
    rng = np.random.RandomState(0)
    want_x, want_y = [], []
    for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]:
        data = rng.randint(0, 256, (2, 3072)).astype(np.uint8)
        labels = [int(v) for v in rng.randint(0, 10, 2)]
        with open(d / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": labels}, f, protocol=2)
        want_x.append(data.reshape(2, 3, 32, 32).transpose(0, 2, 3, 1))
        want_y.append(labels)
    os.environ["TFGRAPH_DATASETS_DIR"] = str(offline)
    (x, y), (xt, yt) = cifar10.load_data()
    np.testing.assert_array_equal(x, np.concatenate(want_x[:5]))
    assert y.dtype == np.uint8 and y.shape == (10, 1)
    np.testing.assert_array_equal(yt.ravel(), want_y[5])
    assert xt.shape == (2, 32, 32, 3)


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_pickled_layouts_cannot_run_code(offline, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = np.empty(2, dtype=object)
    bad[0], bad[1] = [1, 2], _Exploit()
    evil = tmp_path / "evil"
    evil.mkdir()
    np.savez(evil / "imdb.npz", x_train=bad, y_train=np.zeros(2), x_test=bad, y_test=np.zeros(2))
    os.environ["TFGRAPH_DATASETS_DIR"] = str(evil)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load posix.system|refusing"):
        imdb.load_data()
    (evil / "cifar-100-python").mkdir()
    for split in ("train", "test"):
        with open(evil / "cifar-100-python" / split, "wb") as f:
            pickle.dump({b"data": _Exploit()}, f)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        cifar100.load_data()
    assert not os.path.exists(tmp_path / "pwned")


def test_get_file_is_offline_first(offline):
    path = get_file("imdb.npz", origin="https://example.invalid/imdb.npz",
                    file_hash="0" * 64)
    assert path == os.path.join(FILES, "imdb.npz")
    cache = offline / "mycache" / "models"
    cache.mkdir(parents=True)
    (cache / "weights.h5").write_bytes(b"x")
    os.environ["TFGRAPH_DATASETS_DIR"] = str(offline / "empty")
    got = get_file("weights.h5", origin="https://example.invalid/w.h5",
                   cache_subdir="models", cache_dir=str(offline / "mycache"))
    assert got == str(cache / "weights.h5")
    shutil.copytree(os.path.join(FILES, "cifar-100-python"),
                    offline / "home" / "datasets" / "cifar-100-python")
    assert get_file("cifar-100-python", origin="https://example.invalid/c.tar.gz",
                    untar=True).endswith("cifar-100-python")
    with pytest.raises(OSError, match="tried to download"):
        get_file("missing.npz", origin="https://example.invalid/missing.npz")


def test_get_file_download_checks_md5_and_extracts(tmp_path, monkeypatch):
    monkeypatch.delenv("TFGRAPH_DATASETS_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("hello")
    with tarfile.open(tmp_path / "pack.tar.gz", "w:gz") as tar:
        tar.add(src / "a.txt", arcname="pack/a.txt")
    payload = (tmp_path / "pack.tar.gz").read_bytes()

    def fake(url, filename):
        with open(filename, "wb") as f:
            f.write(payload)
    monkeypatch.setattr(_files.urllib.request, "urlretrieve", fake)
    import hashlib
    md5 = hashlib.md5(payload).hexdigest()
    path = get_file("pack.tar.gz", origin="https://example.invalid/pack.tar.gz", md5_hash=md5,
                    extract=True)
    assert (tmp_path / "home" / "datasets" / "pack" / "a.txt").read_text() == "hello"
    assert path.endswith("pack.tar.gz")
    with pytest.raises(OSError, match="expected"):
        get_file("other.tar.gz", origin="https://example.invalid/o", file_hash="f" * 32)
