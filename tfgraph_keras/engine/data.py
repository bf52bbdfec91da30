"""Data handling for fit/evaluate/predict: numpy arrays, generators, keras.utils.Sequence and
tf.data Datasets (iterated afresh each epoch, in the model's session when it shares its graph).

Arrays are normalized to one list per model input/output, split for `validation_split` (the LAST
fraction, as Keras), and served in batches through an index array (shuffled per epoch when asked).
"""
import math

import numpy as np


class Sequence:
    """keras.utils.Sequence: `__len__` batches, `__getitem__(i)` -> (x, y[, sample_weight])."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        pass

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence


def to_list(x, names=None, what="input"):
    """A list of arrays (one per model input/output) from an array, list/tuple or dict by name."""
    if x is None:
        return None
    if isinstance(x, dict):
        if names is None:
            return [np.asarray(v) for v in x.values()]
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError("No data provided for %s \"%s\". Need data for each key in: %s"
                             % (what, missing[0], list(names)))
        return [np.asarray(x[n]) for n in names]
    if isinstance(x, (list, tuple)):
        if names is not None and len(names) == 1 and len(x) != 1:
            return [np.asarray(x)]
        return [np.asarray(e) for e in x]
    return [np.asarray(x)]


def num_samples(arrays):
    sizes = {len(a) for a in arrays if a is not None}
    if len(sizes) > 1:
        raise ValueError("Data cardinality is ambiguous: make sure all arrays contain the same "
                         "number"
                         " of samples. Sizes: %s" % sorted(sizes))
    return sizes.pop() if sizes else 0


def split_validation(arrays_list, validation_split):
    """Splits each list of arrays at floor(n * (1 - validation_split)): (train, validation)."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError("`validation_split` must be in (0, 1); received %r" % (validation_split,))
    n = num_samples([a for arrays in arrays_list if arrays for a in arrays])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError("Training data contains %d samples, which is not sufficient to split it "
                         "into a validation and training set as specified by `validation_split=%s`."
                         % (n, validation_split))
    train = [None if arrays is None else [a[:split_at] for a in arrays] for arrays in arrays_list]
    val = [None if arrays is None else [a[split_at:] for a in arrays] for arrays in arrays_list]
    return train, val


def batch_indices(n, batch_size, shuffle):
    """Per batch, a slice in order (its batches are views) or an index array when shuffled."""
    if not shuffle:
        return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
    index = np.random.permutation(n)
    return [index[i:i + batch_size] for i in range(0, n, batch_size)]


def take(arrays, idx):
    """One batch of each array: a view for a slice, a gathered copy for an index array."""
    if arrays is None:
        return None
    return [a[idx] for a in arrays]


def is_dataset(x):
    return hasattr(x, "as_numpy_iterator") and hasattr(x, "element_spec")


def is_generator_like(x):
    if isinstance(x, Sequence) or is_dataset(x):
        return True
    if isinstance(x, (np.ndarray, list, tuple, dict)) or x is None:
        return False
    return hasattr(x, "__next__") or (hasattr(x, "__iter__") and hasattr(x, "__len__")
                                      and hasattr(x, "__getitem__"))


def unpack(batch):
    """(x, y, sample_weight) from a generator/Sequence item."""
    if isinstance(batch, tuple):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch
    if isinstance(batch, list) and len(batch) in (2, 3):
        return tuple(batch) + ((None,) if len(batch) == 2 else ())
    return batch, None, None


class GeneratorFeeder:
    """Batches from a Python generator or a Sequence, `steps` per epoch."""

    def __init__(self, data, steps=None, shuffle=False):
        if is_dataset(data):
            data = _DatasetEpochs(data)
        self.data = data
        self.is_sequence = isinstance(data, Sequence) or (hasattr(data, "__getitem__")
                                                          and hasattr(data, "__len__"))
        self.shuffle = shuffle
        if steps is None:
            if not self.is_sequence:
                steps = None  # until exhausted
            else:
                steps = len(data)
        self.steps = steps
        self._iter = None

    def epoch(self):
        if self.is_sequence:
            order = np.random.permutation(len(self.data)) if self.shuffle else range(len(self.data))
            for k, i in enumerate(order):
                if self.steps is not None and k >= self.steps:
                    break
                yield unpack(self.data[int(i)])
            if hasattr(self.data, "on_epoch_end"):
                self.data.on_epoch_end()
            return
        if self._iter is None:
            self._iter = iter(self.data)
        k = 0
        while self.steps is None or k < self.steps:
            try:
                item = next(self._iter)
            except StopIteration:
                if self.steps is not None and k == 0:
                    raise
                self._iter = None
                return
            yield unpack(item)
            k += 1


class _DatasetEpochs:
    """A Dataset as an iterable of numpy batches: each `iter` starts a new pass (an epoch)."""

    def __init__(self, dataset):
        self.dataset = dataset
        self._state = {}   # shuffles go on from epoch to epoch (reshuffled), caches are kept

    def __iter__(self):
        from tfgraph_keras import backend  # the session Keras runs the dataset's graph in
        return self.dataset.as_numpy_iterator(backend.get_session(self.dataset._graph),
                                              _state=self._state)


def class_weights_to_sample_weights(y, class_weight):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        labels = np.argmax(y, axis=1)
    elif y.ndim == 2 and y.shape[1] == 1:
        labels = np.round(y[:, 0]).astype(np.int64)
    else:
        labels = np.round(y).astype(np.int64).reshape(len(y), -1)[:, 0]
    table = np.array([class_weight.get(int(c), 1.0) for c in range(int(labels.max()) + 1)],
                     np.float32) if len(labels) else np.ones(1, np.float32)
    return table[labels]
