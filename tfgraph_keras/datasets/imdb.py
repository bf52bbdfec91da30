"""keras.datasets.imdb: 25,000 training and 25,000 test movie reviews as word-index sequences,
labelled positive (1) / negative (0). Reads Keras's imdb.npz (x_train, y_train, x_test, y_test;
x are object arrays of index lists, ranked by word frequency, 1 = most frequent)."""
import json

import numpy as np

from tfgraph_keras.datasets import _sequences as seqs
from tfgraph_keras.datasets._files import get_file

SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    """((x_train, y_train), (x_test, y_test)) as Keras 2 returns them: each split shuffled with
    RandomState(seed); word i becomes i + index_from with start_char first; sequences of maxlen
    or more dropped; words outside [skip_top, num_words) become oov_char (dropped if None)."""
    num_words = seqs.legacy_num_words(num_words, kwargs, "imdb.load_data")
    f = seqs.read_npz(path, seqs.BASE + "imdb.npz", SHA256)
    rng = np.random.RandomState(seed)
    x_train, labels_train = seqs.shuffled(rng, f["x_train"], f["y_train"])
    x_test, labels_test = seqs.shuffled(rng, f["x_test"], f["y_test"])
    x_train = seqs.remap(x_train, start_char, index_from)
    x_test = seqs.remap(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = seqs.drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = seqs.drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError("After filtering for sequences shorter than maxlen=%s, no sequence "
                             "was kept. Increase maxlen." % (maxlen,))
    xs = seqs.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    n = len(x_train)
    return ((seqs.object_array(xs[:n]), labels[:n]), (seqs.object_array(xs[n:]), labels[n:]))


def get_word_index(path="imdb_word_index.json"):
    """{word: index} (before the index_from shift of load_data)."""
    with open(get_file(path, origin=seqs.BASE + "imdb_word_index.json",
                       file_hash=WORD_INDEX_MD5)) as f:
        return json.load(f)
