"""keras.datasets.reuters: 11,228 newswires as word-index sequences in 46 topics. Reads Keras's
reuters.npz (x: object array of index lists, y: topic ids)."""
import json

import numpy as np

from tfgraph_keras.datasets import _sequences as seqs
from tfgraph_keras.datasets._files import get_file

SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi",
    "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
    "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """((x_train, y_train), (x_test, y_test)) as Keras 2: shuffled with RandomState(seed), the
    last `test_split` of the shuffled wires held out; the index options as imdb.load_data."""
    num_words = seqs.legacy_num_words(num_words, kwargs, "reuters.load_data")
    f = seqs.read_npz(path, seqs.BASE + "reuters.npz", SHA256)
    xs, labels = seqs.shuffled(np.random.RandomState(seed), f["x"], f["y"])
    xs = seqs.remap(xs, start_char, index_from)
    if maxlen:
        xs, labels = seqs.drop_long(maxlen, xs, labels)
    xs = seqs.limit_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return ((seqs.object_array(xs[:idx]), np.array(labels[:idx])),
            (seqs.object_array(xs[idx:]), np.array(labels[idx:])))


def get_word_index(path="reuters_word_index.json"):
    """{word: index} (before the index_from shift of load_data)."""
    with open(get_file(path, origin=seqs.BASE + "reuters_word_index.json",
                       file_hash=WORD_INDEX_MD5)) as f:
        return json.load(f)


def get_label_names():
    return LABEL_NAMES
