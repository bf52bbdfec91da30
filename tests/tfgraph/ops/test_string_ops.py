"""String ops: the hashes against TensorFlow's recorded to_hash_bucket_fast/strong values
(tests/reference/make_keras_preprocessing.py), the text ops against plain Python, and the
lookup table op."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import string_ops
from tfgraph.ops.lookup_ops import StaticHashTable
from tfgraph.ops.string_hash import fingerprint64, siphash

HASH = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                                   "keras_preprocessing.json"), encoding="utf-8"))["hashing"]


def test_fingerprint64_and_siphash_match_tensorflow():
    # lengths 0..138 cross every FarmHash branch (0-3, 4-7, 8-16, 17-32, 33-64, > 64)
    for s, fast, strong in zip(HASH["strings"], HASH["fast"], HASH["strong"]):
        assert fingerprint64(s.encode()) % (2 ** 63 - 1) == fast, s
        assert siphash(12345, 678, s.encode()) % (2 ** 63 - 1) == strong, s


def test_hash_bucket_ops():
    x = tf.placeholder(tf.string, [None])
    fast = tf.strings.to_hash_bucket_fast(x, 2 ** 63 - 1)
    strong = tf.strings.to_hash_bucket_strong(x, 2 ** 63 - 1, key=[12345, 678])
    with tf.Session() as sess:
        got = sess.run([fast, strong], {x: HASH["strings"]})
    np.testing.assert_array_equal(got[0], HASH["fast"])
    np.testing.assert_array_equal(got[1], HASH["strong"])
    assert got[0].dtype == np.int64


def test_lower_regex_replace_as_string():
    x = tf.constant([["Hello, World!", "ÉCOLE"], ["a.b", ""]])
    with tf.Session() as sess:
        low, low_utf8, rep, first, num = sess.run([
            tf.strings.lower(x), tf.strings.lower(x, encoding="utf-8"),
            tf.strings.regex_replace(x, r"[,.!]", ""),
            tf.strings.regex_replace(x, r"l", "L", replace_global=False),
            tf.strings.as_string(tf.constant([3, -12], tf.int64))])
    assert low.tolist() == [[b"hello, world!", "École".encode()], [b"a.b", b""]]  # ASCII only
    assert low_utf8[0, 1] == "école".encode()
    assert rep.tolist() == [[b"Hello World", "ÉCOLE".encode()], [b"ab", b""]]
    assert first[0, 0] == b"HeLlo, World!"
    assert num.tolist() == [b"3", b"-12"]
    with pytest.raises(TypeError, match="string tensor"):
        tf.strings.lower(tf.constant([1.0]))
    with pytest.raises(ValueError, match="invalid pattern"):
        tf.strings.regex_replace(x, "(", "")


def test_split_and_ngrams_padded():
    x = tf.placeholder(tf.string, [None])
    tokens, lengths = string_ops.split_padded(x)
    chars, nchars = string_ops.unicode_split_padded(x)
    grams, ngrams = string_ops.ngrams_padded(tokens, lengths, (1, 2))
    texts = ["  a  bc\td ", "é", ""]
    with tf.Session() as sess:
        t, n, c, nc, g, ng = sess.run([tokens, lengths, chars, nchars, grams, ngrams],
                                      {x: texts})
    for row, k, text in zip(t, n, texts):    # the reference: str.split on whitespace
        assert [v.decode() for v in row[:k]] == text.split() and all(v == b"" for v in row[k:])
    assert t.shape == (3, 3) and tokens.shape.as_list() == [None, None]
    assert [v.decode() for v in c[1][:nc[1]]] == ["é"] and nc.tolist() == [10, 1, 0]
    assert [v.decode() for v in g[0][:ng[0]]] == ["a", "bc", "d", "a bc", "bc d"]
    assert ng.tolist() == [5, 1, 0]


def test_lookup_table_reads_its_current_content():
    table = StaticHashTable(["a", "b"], [5, 6], tf.string, tf.int64, -1)
    x = tf.placeholder(tf.string, [None])
    found = table.lookup(x)
    with tf.Session() as sess:
        assert sess.run(found, {x: ["b", "z", "a"]}).tolist() == [6, -1, 5]
        table.set(["z"], [1])
        assert sess.run(found, {x: [b"b", b"z"]}).tolist() == [-1, 1]
    with pytest.raises(TypeError, match="string keys"):
        table.lookup(tf.constant([1.0]))
