"""The word-index sequence datasets (imdb, reuters): Keras's shuffling and index remapping."""
import numpy as np

from tfgraph_keras.datasets._files import get_file, load_npz

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def read_npz(path, origin, file_hash):
    return load_npz(get_file(path, origin=origin, file_hash=file_hash))


def shuffled(rng, *arrays):
    idx = np.arange(len(arrays[0]))
    rng.shuffle(idx)
    return [a[idx] for a in arrays]


def remap(xs, start_char, index_from):
    """Word i becomes i + index_from; start_char (when not None) starts every sequence."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return [list(x) for x in xs]


def drop_long(maxlen, xs, labels):
    """Keeps the sequences shorter than maxlen (strictly, as Keras)."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Words outside [skip_top, num_words) become oov_char (or are dropped when it is None)."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if xs else 0
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def legacy_num_words(num_words, kwargs, fn):
    if "nb_words" in kwargs:
        from tfgraph_keras import _legacy
        num_words = _legacy.renamed_kwarg(kwargs, "nb_words", "num_words", fn)
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: %s." % (kwargs,))
    return num_words
