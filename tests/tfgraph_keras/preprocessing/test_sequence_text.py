"""keras.preprocessing.sequence / text and keras.utils against tf_keras 2.21's recorded outputs
(tests/reference/make_keras_backend_cases.py -> tests/data/keras_backend_cases.json)."""
import json
import os
import warnings

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras.preprocessing import sequence, text
from tfgraph_keras.utils import normalize, to_categorical

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "keras_backend_cases.json")
with open(DATA) as _f:
    REF = json.load(_f)


def _arr(v):
    return np.asarray(v["array"], dtype=v["dtype"])


@pytest.mark.parametrize("case", REF["pad_sequences"], ids=lambda c: json.dumps(c["kwargs"]))
def test_pad_sequences(case):
    if "error" in case:
        with pytest.raises(ValueError, match="broadcast"):
            sequence.pad_sequences(case["sequences"], **case["kwargs"])
        return
    got = sequence.pad_sequences(case["sequences"], **case["kwargs"])
    want = _arr(case["out"])
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_pad_sequences_errors_and_aliases():
    for case in REF["pad_sequences_errors"]:
        with pytest.raises(ValueError) as info:
            sequence.pad_sequences([[1, 2, 3], [4, 5]], **case["kwargs"])
        assert str(info.value) == case["message"]
    with pytest.raises(ValueError, match="not compatible with `value`'s type"):
        sequence.pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="non-iterable: 3"):
        sequence.pad_sequences([[1], 3])
    with pytest.raises(ValueError, match="different from expected shape"):
        sequence.pad_sequences([[[1, 2]], [[1, 2, 3]]])
    assert keras.preprocessing.sequence.pad_sequences is sequence.pad_sequences
    assert keras.utils.pad_sequences is sequence.pad_sequences


@pytest.mark.parametrize("case", REF["tokenizer"], ids=lambda c: json.dumps(c["kwargs"]))
def test_tokenizer(case):
    texts = REF["tokenizer_texts"]
    tok = text.Tokenizer(**case["kwargs"])
    tok.fit_on_texts(texts)
    assert tok.word_index == case["word_index"]
    assert list(tok.word_counts.items()) == list(case["word_counts"].items())
    assert dict(tok.word_docs) == case["word_docs"]
    assert {str(k): v for k, v in tok.index_docs.items()} == case["index_docs"]
    assert tok.document_count == case["document_count"]
    new = ["the cat ate a bird", "unknown words only", ""]
    assert tok.texts_to_sequences(texts + new) == case["sequences"]
    assert tok.sequences_to_texts(tok.texts_to_sequences(new)) == case["texts"]
    for mode, want in case["matrix"].items():
        np.testing.assert_allclose(tok.texts_to_matrix(texts + new, mode=mode), want,
                                   rtol=1e-12)
    if "json" in case:
        mine = json.loads(tok.to_json())
        assert mine["class_name"] == case["json"]["class_name"]
        for key, value in case["json"]["config"].items():
            if isinstance(value, str) and value.startswith("{"):
                assert json.loads(mine["config"][key]) == json.loads(value), key
            else:
                assert mine["config"][key] == value, key
        # a Keras-written JSON rebuilds the same tokenizer
        again = text.tokenizer_from_json(json.dumps(case["json"]))
        assert again.texts_to_sequences(texts + new) == case["sequences"]
        np.testing.assert_allclose(again.texts_to_matrix(texts, mode="tfidf"),
                                   np.asarray(case["matrix"]["tfidf"])[:len(texts)], rtol=1e-12)


def test_tokenizer_fit_on_sequences_and_errors():
    ref = REF["fit_on_sequences"]
    tok = text.Tokenizer(num_words=6)
    tok.fit_on_sequences([[1, 2, 2, 3], [3, 5, 7]])
    assert tok.document_count == ref["document_count"]
    assert {str(k): v for k, v in tok.index_docs.items()} == ref["index_docs"]
    np.testing.assert_allclose(tok.sequences_to_matrix([[1, 2, 2, 3], [3, 5, 7]], mode="tfidf"),
                               ref["matrix"], rtol=1e-12)
    with pytest.raises(ValueError, match="Specify a dimension"):
        text.Tokenizer().texts_to_matrix(["a b"])
    with pytest.raises(ValueError, match="Fit the Tokenizer"):
        text.Tokenizer(num_words=3).texts_to_matrix(["a b"], mode="tfidf")
    with pytest.raises(ValueError, match="Unknown vectorization mode: 'bm25'"):
        tok.sequences_to_matrix([[1]], mode="bm25")
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        text.Tokenizer(num_word=3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert text.Tokenizer(nb_words=7).num_words == 7
    assert any(issubclass(x.category, DeprecationWarning) and "num_words" in str(x.message)
               for x in w)


def test_text_to_word_sequence_and_hashing():
    for case in REF["text_to_word_sequence"]:
        assert text.text_to_word_sequence(case["text"], **case["kwargs"]) == case["out"]
    for case in REF["hashing_trick_md5"]:
        assert text.hashing_trick(case["text"], case["n"], hash_function="md5") == case["out"]
    idx = text.one_hot("the cat the dog", 5)
    assert len(idx) == 4 and idx[0] == idx[2] and all(1 <= i < 5 for i in idx)


@pytest.mark.parametrize("case", REF["timeseries_generator"],
                         ids=lambda c: json.dumps(c["kwargs"]))
def test_timeseries_generator(case):
    data = np.arange(20, dtype="float32").reshape(10, 2)
    targets = np.arange(10, dtype="float32") * 10
    g = sequence.TimeseriesGenerator(data, targets, **case["kwargs"])
    assert isinstance(g, keras.utils.Sequence)
    assert len(g) == case["len"]
    for i, (xb, yb) in enumerate(case["batches"]):
        x, y = g[i]
        np.testing.assert_array_equal(x, _arr(xb))
        np.testing.assert_array_equal(y, _arr(yb))


def test_timeseries_generator_errors_and_shuffle():
    with pytest.raises(ValueError, match="Data length is 3 while target length is 2"):
        sequence.TimeseriesGenerator(np.zeros(3), np.zeros(2), length=1)
    with pytest.raises(ValueError, match=r"`start_index\+length=5 > end_index=3`"):
        sequence.TimeseriesGenerator(np.zeros(4), np.zeros(4), length=5)
    np.random.seed(0)
    g = sequence.TimeseriesGenerator(np.arange(10), np.arange(10), length=2, shuffle=True,
                                     batch_size=4)
    x, y = g[0]
    assert x.shape == (4, 2)
    np.testing.assert_array_equal(x[:, 1] + 1, y)  # each window ends just before its target


def test_to_categorical_and_normalize_match_keras():
    for case in REF["to_categorical"]:
        got = to_categorical(case["y"], case["num_classes"])
        want = _arr(case["out"])
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    for case in REF["normalize"]:
        np.testing.assert_allclose(normalize(np.asarray(case["x"]), **case["kwargs"]),
                                   _arr(case["out"]), rtol=1e-12)


@pytest.mark.parametrize("case", REF["skipgrams"]["cases"], ids=lambda c: json.dumps(c["kwargs"]))
def test_skipgrams_match_keras_under_python_random_seed(case):
    import random
    random.seed(0)
    couples, labels = sequence.skipgrams(REF["skipgrams"]["sequence"], 7, **case["kwargs"])
    assert couples == case["couples"] and labels == case["labels"]


def test_make_sampling_table():
    ref = REF["make_sampling_table"]
    np.testing.assert_allclose(sequence.make_sampling_table(ref["size"], 1e-2), ref["out"],
                               rtol=1e-12)
