"""input_data.read_data_sets / DataSet: TF1's split, scaling, dtypes and batch order.

TensorFlow 2.21 no longer ships tensorflow.examples.tutorials.mnist, so these tests check the
behaviour stated by TF1's module (contrib/learn/datasets/mnist.py): numpy's global RNG seeded with
the op seed in each DataSet, arange+shuffle before the first epoch and at each epoch end, a batch
that crosses the end made of the old epoch's rest then the new epoch's start.
"""
import gzip
import os
import struct

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.examples.tutorials.mnist import input_data

N_TRAIN, N_TEST, ROWS, COLS = 24, 7, 4, 3


def _arrays():
    rng = np.random.RandomState(0)
    return (rng.randint(0, 256, (N_TRAIN, ROWS, COLS)).astype(np.uint8),
            rng.randint(0, 10, N_TRAIN).astype(np.uint8),
            rng.randint(0, 256, (N_TEST, ROWS, COLS)).astype(np.uint8),
            rng.randint(0, 10, N_TEST).astype(np.uint8))


def _write_idx(folder, arrays):
    x_train, y_train, x_test, y_test = arrays
    for name, arr in ((input_data.TRAIN_IMAGES, x_train), (input_data.TRAIN_LABELS, y_train),
                      (input_data.TEST_IMAGES, x_test), (input_data.TEST_LABELS, y_test)):
        header = (struct.pack(">IIII", 2051, *arr.shape) if arr.ndim == 3
                  else struct.pack(">II", 2049, arr.shape[0]))
        with gzip.open(os.path.join(folder, name), "wb") as f:
            f.write(header + arr.tobytes())


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.delenv("TFGRAPH_DATASETS_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.keras/datasets/mnist.npz either
    arrays = _arrays()
    idx, npz = tmp_path / "idx", tmp_path / "npz"
    idx.mkdir()
    npz.mkdir()
    _write_idx(str(idx), arrays)
    np.savez(str(npz / "mnist.npz"), x_train=arrays[0], y_train=arrays[1], x_test=arrays[2],
             y_test=arrays[3])
    return arrays, str(idx), str(npz)


def test_split_scaling_and_dtypes(folders):
    (x_train, y_train, x_test, y_test), idx, _ = folders
    d = input_data.read_data_sets(idx, one_hot=True, validation_size=6, seed=3)
    assert (d.train.num_examples, d.validation.num_examples, d.test.num_examples) == (18, 6, 7)
    assert d.validation.images.dtype == np.float32 and d.validation.images.shape == (6, 12)
    expected = x_train[:6].reshape(6, 12).astype(np.float32) * np.float32(1.0 / 255.0)
    np.testing.assert_array_equal(d.validation.images, expected)
    assert d.validation.labels.dtype == np.float64  # TF1's one-hot rows are float64
    np.testing.assert_array_equal(d.validation.labels, np.eye(10)[y_train[:6]])
    np.testing.assert_array_equal(d.test.images, x_test.reshape(7, 12) * np.float32(1 / 255.0))
    raw = input_data.read_data_sets(idx, dtype=tf.uint8, reshape=False, validation_size=0)
    assert raw.train.images.dtype == np.uint8 and raw.train.images.shape == (24, ROWS, COLS, 1)
    np.testing.assert_array_equal(raw.train.images[..., 0], x_train)
    np.testing.assert_array_equal(raw.test.labels, y_test)


def test_both_layouts_give_the_same_datasets(folders):
    _, idx, npz = folders
    # Each read re-seeds numpy's global RNG (as TF1), so each one's batches are drawn right after.
    got = []
    for folder in (idx, npz):
        d = input_data.read_data_sets(folder, one_hot=True, validation_size=5, seed=7)
        got.append([(s.images, s.labels) for s in d] + [d.train.next_batch(7) for _ in range(5)])
    for (xa, ya), (xb, yb) in zip(*got):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


def test_next_batch_order_across_epochs(folders):
    (x_train, y_train, _, _), idx, _ = folders
    d = input_data.read_data_sets(idx, validation_size=4, seed=11)  # 20 train examples
    base = x_train[4:].reshape(20, 12).astype(np.float32) * np.float32(1 / 255.0)
    labels = y_train[4:]
    # TF1: every DataSet constructor re-seeds numpy with the op seed; the test split is built
    # last, so the stream the train split draws from starts at seed(11).
    rng = np.random.RandomState(11)  # the same stream as np.random.seed(11), left untouched
    perm0 = np.arange(20)
    rng.shuffle(perm0)
    perm1 = np.arange(20)
    rng.shuffle(perm1)
    epoch0, epoch1 = perm0, perm0[perm1]
    want = [epoch0[0:8], epoch0[8:16], np.concatenate([epoch0[16:20], epoch1[0:4]]), epoch1[4:12]]
    for i, order in enumerate(want):
        xs, ys = d.train.next_batch(8)
        np.testing.assert_array_equal(xs, base[order])
        np.testing.assert_array_equal(ys, labels[order])
        assert d.train.epochs_completed == (0 if i < 2 else 1)
    # shuffle=False: the stored order, wrapping without a reshuffle.
    e = input_data.read_data_sets(idx, validation_size=4, seed=11).train
    batches = [e.next_batch(8, shuffle=False)[1] for _ in range(3)]
    np.testing.assert_array_equal(np.concatenate(batches), np.concatenate([labels, labels[:4]]))


def test_graph_seed_drives_the_shuffle(folders):
    _, idx, _ = folders
    with tf.Graph().as_default():
        tf.set_random_seed(5)
        a = input_data.read_data_sets(idx, validation_size=4).train.next_batch(20)[1]
    perm = np.arange(20)
    np.random.RandomState(5).shuffle(perm)
    np.testing.assert_array_equal(a, _arrays()[1][4:][perm])


def test_fake_data_and_errors(folders, tmp_path):
    _, idx, _ = folders
    fake = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    xs, ys = fake.train.next_batch(3, fake_data=True)
    assert len(xs) == 3 and xs[0] == [1] * 784 and ys[0] == [1] + [0] * 9
    assert fake.train.num_examples == 10000
    with pytest.raises(ValueError, match="Validation size should be between 0 and 24. "
                                         "Received: 25."):
        input_data.read_data_sets(idx, validation_size=25)
    with pytest.raises(TypeError, match="Invalid image dtype"):
        input_data.read_data_sets(idx, dtype=tf.int32, validation_size=0)
    with pytest.raises(FileNotFoundError, match="does not download"):
        input_data.read_data_sets(str(tmp_path / "empty"))
    with gzip.open(os.path.join(idx, input_data.TRAIN_IMAGES), "wb") as f:
        f.write(struct.pack(">IIII", 1234, 1, 1, 1) + b"\0")
    with pytest.raises(ValueError, match="Invalid magic number 1234 in MNIST image file"):
        input_data.read_data_sets(idx)
