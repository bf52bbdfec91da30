"""TF1's `input_data.read_data_sets` for MNIST: DataSet objects with next_batch, offline only.

    from tfgraph.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets('/tmp/data', one_hot=True)
    xs, ys = mnist.train.next_batch(100)

Same split (the first `validation_size` training images are the validation set), same scaling
(float32 pixels * (1/255)), same shuffling (numpy's global RNG seeded per DataSet, a reshuffle at
each epoch boundary that completes the batch) as TF1's module. Data are read, never downloaded:
TF1's four idx .gz files in train_dir, else mnist.npz (Keras layout: x_train, y_train, x_test,
y_test) in train_dir, else mnist.npz in $TFGRAPH_DATASETS_DIR, else in ~/.keras/datasets
(where Keras's loader keeps it).
"""
import collections
import gzip
import os

import numpy

from tfgraph.framework import dtypes
from tfgraph.ops.random_ops import get_seed

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _read32(stream):
    return int(numpy.frombuffer(stream.read(4), dtype=">u4")[0])


def extract_images(f):
    """idx3 images from a gzip file object -> uint8 array [index, y, x, 1]."""
    print("Extracting", f.name)
    with gzip.GzipFile(fileobj=f) as stream:
        magic = _read32(stream)
        if magic != 2051:
            raise ValueError("Invalid magic number %d in MNIST image file: %s" % (magic, f.name))
        n, rows, cols = _read32(stream), _read32(stream), _read32(stream)
        data = numpy.frombuffer(stream.read(rows * cols * n), dtype=numpy.uint8)
        if data.size != rows * cols * n:
            raise ValueError("MNIST image file %s is truncated: %d of %d bytes"
                             % (f.name, data.size, rows * cols * n))
        return data.reshape(n, rows, cols, 1)


def dense_to_one_hot(labels_dense, num_classes):
    """Class indices -> one-hot rows (float64, as TF1's helper)."""
    n = labels_dense.shape[0]
    one_hot = numpy.zeros((n, num_classes))
    one_hot.flat[numpy.arange(n) * num_classes + labels_dense.ravel()] = 1
    return one_hot


def extract_labels(f, one_hot=False, num_classes=10):
    """idx1 labels from a gzip file object -> uint8 array [index] (or one-hot)."""
    print("Extracting", f.name)
    with gzip.GzipFile(fileobj=f) as stream:
        magic = _read32(stream)
        if magic != 2049:
            raise ValueError("Invalid magic number %d in MNIST label file: %s" % (magic, f.name))
        n = _read32(stream)
        labels = numpy.frombuffer(stream.read(n), dtype=numpy.uint8)
        if labels.size != n:
            raise ValueError("MNIST label file %s is truncated: %d of %d labels"
                             % (f.name, labels.size, n))
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


class DataSet:
    """One split: images, labels, and next_batch over shuffled epochs."""

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=dtypes.float32,
                 reshape=True, seed=None):
        seed1, seed2 = get_seed(seed)
        # TF1 seeds numpy's global RNG: the graph seed when no seed is given, else the op seed.
        numpy.random.seed(seed1 if seed is None else seed2)
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError("Invalid image dtype %r, expected uint8 or float32" % dtype)
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            if images.shape[0] != labels.shape[0]:
                raise ValueError("images.shape: %s labels.shape: %s" % (images.shape,
                                                                        labels.shape))
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError("reshape=True needs images of shape [n, rows, cols, 1], got "
                                     "%s" % (images.shape,))
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = numpy.multiply(images.astype(numpy.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` examples; a batch crossing an epoch end takes the old epoch's
        last examples followed by the first of the newly shuffled one."""
        if fake_data:
            image = [1] * 784
            label = [1] + [0] * 9 if self.one_hot else 0
            return [image] * batch_size, [label] * batch_size
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch += batch_size
            return self._images[start:self._index_in_epoch], self._labels[start:self._index_in_epoch]
        self._epochs_completed += 1
        rest_images = self._images[start:self._num_examples]
        rest_labels = self._labels[start:self._num_examples]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = end = batch_size - (self._num_examples - start)
        return (numpy.concatenate((rest_images, self._images[:end]), axis=0),
                numpy.concatenate((rest_labels, self._labels[:end]), axis=0))

    def _shuffle(self):
        perm = numpy.arange(self._num_examples)
        numpy.random.shuffle(perm)
        self._images = self._images[perm]
        self._labels = self._labels[perm]


def _load_arrays(train_dir, one_hot):
    """(train_images [n,28,28,1] uint8, train_labels, test_images, test_labels) from disk."""
    names = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
    idx = [os.path.join(train_dir, n) for n in names]
    if all(os.path.exists(p) for p in idx):
        out = []
        for path, extract in zip(idx, (extract_images, extract_labels) * 2):
            with open(path, "rb") as f:
                out.append(extract(f) if extract is extract_images else extract(f, one_hot))
        return tuple(out)
    tried = list(idx)
    candidates = [os.path.join(train_dir, "mnist.npz")]
    if os.environ.get("TFGRAPH_DATASETS_DIR"):
        candidates.append(os.path.join(os.environ["TFGRAPH_DATASETS_DIR"], "mnist.npz"))
    candidates.append(os.path.join(os.path.expanduser("~"), ".keras", "datasets", "mnist.npz"))
    for path in candidates:
        tried.append(path)
        if os.path.exists(path):
            with numpy.load(path, allow_pickle=False) as d:
                x_train, y_train, x_test, y_test = (d["x_train"], d["y_train"], d["x_test"],
                                                    d["y_test"])
            labels = [numpy.asarray(y, numpy.uint8) for y in (y_train, y_test)]
            if one_hot:
                labels = [dense_to_one_hot(y, 10) for y in labels]
            return x_train[..., None], labels[0], x_test[..., None], labels[1]
    raise FileNotFoundError(
        "read_data_sets: no MNIST data found (tfgraph reads it offline, it does not download). "
        "Tried: %s. Put TF's four .gz files or Keras's mnist.npz in train_dir, or set "
        "TFGRAPH_DATASETS_DIR to a folder holding mnist.npz." % ", ".join(tried))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=DEFAULT_SOURCE_URL):
    """Datasets(train, validation, test) of DataSet; `source_url` is accepted but never fetched."""
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())
    train_images, train_labels, test_images, test_labels = _load_arrays(train_dir, one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError("Validation size should be between 0 and {}. Received: {}."
                         .format(len(train_images), validation_size))
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **options)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir="MNIST-data"):
    return read_data_sets(train_dir)


__all__ = ["DataSet", "Datasets", "read_data_sets", "load_mnist", "extract_images",
           "extract_labels", "dense_to_one_hot", "DEFAULT_SOURCE_URL"]
