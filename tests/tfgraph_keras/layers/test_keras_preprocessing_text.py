"""TextVectorization, StringLookup, IntegerLookup, Hashing and Discretization against Keras 3.15
(fixtures from tests/reference/make_keras_preprocessing.py)."""
import json
import os

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph.data import Dataset

L = keras.layers
REF = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                                  "keras_preprocessing.json"), encoding="utf-8"))
TV = REF["text_vectorization"]
LK = REF["lookups"]


def _strings(result):
    return [v.decode() if isinstance(v, bytes) else v for v in np.asarray(result).reshape(-1)]


def _kwargs(kw):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}


@pytest.mark.parametrize("key", [k for k in TV if "kwargs" in TV[k] and k != "tf_idf_dataset"])
def test_text_vectorization_adapt_and_call(key):
    case = TV[key]
    layer = L.TextVectorization(**_kwargs(case["kwargs"]))
    layer.adapt(REF["corpus"])
    assert layer.get_vocabulary() == case["vocab"]
    np.testing.assert_allclose(layer(np.array(REF["queries"])), case["output"], rtol=1e-6)


def test_text_vectorization_adapt_on_batched_dataset():
    case = TV["tf_idf_dataset"]
    layer = L.TextVectorization(output_mode="tf_idf")
    layer.adapt(Dataset.from_tensor_slices(np.array(REF["corpus"], dtype=object)).batch(3))
    assert layer.get_vocabulary() == case["vocab"]
    np.testing.assert_allclose(layer(np.array(REF["queries"])), case["output"], rtol=1e-6)


def test_text_vectorization_set_vocabulary():
    layer = L.TextVectorization(output_sequence_length=5)
    layer.set_vocabulary(["cat", "dog", "the"])
    assert layer.get_vocabulary() == TV["set_vocabulary"]["vocab"]
    np.testing.assert_array_equal(layer(np.array(REF["queries"])),
                                  TV["set_vocabulary"]["output"])
    tfidf = L.TextVectorization(output_mode="tf_idf")
    tfidf.set_vocabulary(["cat", "dog", "the"], idf_weights=[0.5, 0.25, 2.0])
    np.testing.assert_allclose(tfidf(np.array(REF["queries"])),
                               TV["set_vocabulary_tf_idf"]["output"], rtol=1e-6)


def test_text_vectorization_vocabulary_set_after_the_graph_is_built():
    inputs = keras.Input(shape=(1,), dtype="string")
    layer = L.TextVectorization(output_sequence_length=3)
    model = keras.Model(inputs, layer(inputs))
    assert model.output.shape.as_list() == [None, 3]
    layer.set_vocabulary(["b", "a"])
    np.testing.assert_array_equal(model.predict(np.array([["a b c"]]), verbose=0), [[3, 2, 1]])
    layer.adapt(["c c c", "b"])
    np.testing.assert_array_equal(model.predict(np.array([["a b c"]]), verbose=0), [[1, 3, 2]])


def test_text_vectorization_callable_standardize():
    import tfgraph as tf

    def no_html(x):
        return tf.strings.regex_replace(tf.strings.lower(x), "<br />", " ")
    layer = L.TextVectorization(standardize=no_html, vocabulary=["good<", "film", "great"])
    np.testing.assert_array_equal(layer(np.array(["Good<br />FILM"])), [[1, 3]])


@pytest.mark.parametrize("key,make", [
    ("seq_len_multi_hot", lambda: L.TextVectorization(output_mode="multi_hot",
                                                      output_sequence_length=3)),
    ("bad_mode", lambda: L.TextVectorization(output_mode="bogus")),
    ("bad_ngrams", lambda: L.TextVectorization(ngrams="2")),
    ("max_tokens_1", lambda: L.TextVectorization(max_tokens=1)),
    ("repeated", lambda: L.TextVectorization(vocabulary=["a", "b", "a"])),
    ("too_big", lambda: L.TextVectorization(max_tokens=3, vocabulary=["a", "b", "c"])),
    ("tf_idf_no_weights", lambda: L.TextVectorization(output_mode="tf_idf", vocabulary=["a"])),
])
def test_text_vectorization_errors(key, make):
    kind, message = TV["errors"][key]
    with pytest.raises(ValueError) as e:
        make()
    assert kind == "ValueError"
    assert str(e.value).split("[")[0] == message.split("[")[0]


@pytest.mark.parametrize("key", [k for k in LK if k.startswith("string_") and "kwargs" in LK[k]])
def test_string_lookup(key):
    case = LK[key]
    layer = L.StringLookup(**case["kwargs"])
    layer.adapt(np.array([["a", "b", "c"], ["c", "c", "d"], ["d", "e", "a"], ["a", "a", "a"]]))
    assert layer.get_vocabulary() == case["vocab"]
    np.testing.assert_allclose(layer(np.array(case["query"])), case["output"], rtol=1e-6)


def test_string_lookup_invert_and_oov0_error():
    inv = L.StringLookup(vocabulary=["a", "b", "c"], invert=True, mask_token="")
    assert inv.get_vocabulary() == LK["string_invert"]["vocab"]
    got = inv(np.array([[0, 1, 2], [3, 4, 9]]))
    assert _strings(got) == LK["string_invert"]["output"][0]
    oov0 = L.StringLookup(vocabulary=["a"], num_oov_indices=0)
    import tfgraph as tf
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_oov_indices=0"):
        oov0(np.array(["b"]))
    assert "When `num_oov_indices=0` all inputs should be in vocabulary" in \
        LK["string_oov0_error"][1]


@pytest.mark.parametrize("key", [k for k in LK if k.startswith("integer_") and "kwargs" in LK[k]])
def test_integer_lookup(key):
    case = LK[key]
    layer = L.IntegerLookup(**case["kwargs"])
    layer.adapt(np.array([[3, 3, 5], [7, 7, 7], [9, 3, 12]]))
    assert layer.get_vocabulary() == case["vocab"]
    np.testing.assert_array_equal(layer(np.array([[3, 4], [0, 12], [100, 7]])), case["output"])


def test_integer_lookup_invert_and_vector_multi_hot():
    inv = L.IntegerLookup(vocabulary=[12, 36, 1138], invert=True)
    np.testing.assert_array_equal(inv(np.array([[0, 1], [3, 5]])),
                                  LK["integer_invert"]["output"])
    vec = L.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")(np.array(["a", "q"]))
    np.testing.assert_array_equal(vec, LK["vector_multi_hot"])


def test_lookup_vocabulary_size_is_frozen_after_call_in_count_modes():
    layer = L.StringLookup(vocabulary=["a", "b"], output_mode="count")
    layer(np.array([["a"]]))
    with pytest.raises(RuntimeError, match="vocabulary size cannot be changed"):
        layer.set_vocabulary(["a", "b", "c"])


HASH = REF["hashing"]


@pytest.mark.parametrize("key,make,data", [
    ("words_3", lambda: L.Hashing(num_bins=3), "words"),
    ("words_mask", lambda: L.Hashing(num_bins=3, mask_value="A"), "words"),
    ("words_salt", lambda: L.Hashing(num_bins=5, salt=133), "words"),
    ("words_salt_pair", lambda: L.Hashing(num_bins=5, salt=(1, 2)), "words"),
    ("ints_7", lambda: L.Hashing(num_bins=7), "ints"),
    ("ints_mask", lambda: L.Hashing(num_bins=7, mask_value=0), "ints"),
    ("floats_4", lambda: L.Hashing(num_bins=4), "floats"),
    ("words_one_hot", lambda: L.Hashing(num_bins=3, output_mode="one_hot"), "words"),
    ("ints_multi_hot", lambda: L.Hashing(num_bins=6, output_mode="multi_hot"), "ints"),
    ("ints_count", lambda: L.Hashing(num_bins=6, output_mode="count"), "ints"),
])
def test_hashing_layer(key, make, data):
    inputs = {"words": np.array([["A"], ["B"], ["C"], ["D"], ["E"]]),
              "ints": np.array([[1, 20], [300, -4], [5, 0]]),
              "floats": np.array([[1.7, -2.2], [0.0, 3.9]], np.float32)}[data]
    np.testing.assert_array_equal(make()(inputs), HASH["layers"][key])


def test_hashing_errors():
    for key, make in (("bins0", lambda: L.Hashing(num_bins=0)),
                      ("salt", lambda: L.Hashing(num_bins=2, salt="x"))):
        with pytest.raises(ValueError) as e:
            make()
        assert str(e.value) == HASH["errors"][key][1]


DISC = REF["discretization"]


def test_discretization_fixed_boundaries():
    x = np.array(DISC["x"], np.float32)
    np.testing.assert_array_equal(L.Discretization(bin_boundaries=[-0.5, 0.0, 0.5])(x),
                                  DISC["fixed"])
    np.testing.assert_array_equal(L.Discretization(bin_boundaries=[0.0, 1.0],
                                                   output_mode="one_hot")(x.reshape(-1, 1)),
                                  DISC["fixed_one_hot"])
    np.testing.assert_array_equal(L.Discretization(bin_boundaries=[0.0, 1.0],
                                                   output_mode="count")(x), DISC["fixed_count"])


@pytest.mark.parametrize("num_bins", [2, 4, 7])
def test_discretization_adapt(num_bins):
    layer = L.Discretization(num_bins=num_bins)
    layer.adapt(np.array(DISC["data"], np.float32).reshape(-1, 1))
    case = DISC["adapt_%d" % num_bins]
    np.testing.assert_allclose(layer.bin_boundaries, case["boundaries"], rtol=1e-6)
    np.testing.assert_array_equal(layer(np.array(DISC["x"], np.float32)), case["output"])


def test_discretization_adapt_batches_and_errors():
    layer = L.Discretization(num_bins=5, epsilon=0.05)
    data = np.array(DISC["data"], np.float32).reshape(-1, 1)
    layer.adapt(Dataset.from_tensor_slices(data).batch(64))
    np.testing.assert_allclose(layer.bin_boundaries, DISC["adapt_dataset_5"]["boundaries"],
                               rtol=1e-5)
    for key, kw in (("both", dict(num_bins=3, bin_boundaries=[1.0])), ("none", {})):
        with pytest.raises(ValueError) as e:
            L.Discretization(**kw)
        assert str(e.value) == DISC["errors"][key][1]


@pytest.mark.parametrize("mode", ["int", "tf_idf", "count"])
def test_adapted_vocabulary_is_saved_as_a_keras_asset(tmp_path, mode):
    import zipfile
    inputs = keras.Input(shape=(1,), dtype="string")
    layer = L.TextVectorization(output_mode=mode)
    layer.adapt(REF["corpus"])
    model = keras.Model(inputs, layer(inputs))
    path = str(tmp_path / "tv.keras")
    model.save(path)
    assert "assets/layers/text_vectorization/vocabulary.txt" in zipfile.ZipFile(path).namelist()
    loaded = keras.saving.load_model(path)
    x = np.array([[q] for q in REF["queries"]])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[1].get_vocabulary() == layer.get_vocabulary()


def test_python_lists_are_one_input():
    np.testing.assert_array_equal(L.TextVectorization(vocabulary=["a", "b"])(["a b c", "b"]),
                                  [[2, 3, 1], [3, 0, 0]])
    np.testing.assert_array_equal(L.IntegerLookup(vocabulary=[5, 6])([[5, 7]]), [[1, 0]])
    np.testing.assert_array_equal(L.Discretization(bin_boundaries=[0.0])([[-1.0, 1.0]]),
                                  [[0, 1]])
    np.testing.assert_array_equal(L.Hashing(3)(["A", "B"]),
                                  np.array(HASH["layers"]["words_3"][:2]).reshape(-1))


def test_keras3_file_with_an_adapted_vocabulary_loads_and_saves_both_ways(tmp_path):
    import zipfile
    data = os.path.join(os.path.dirname(__file__), "..", "..", "data")
    ref = json.load(open(os.path.join(data, "keras3_text_vectorization.json")))
    model = keras.saving.load_model(os.path.join(data, "keras3_text_vectorization.keras"))
    assert model.layers[1].get_vocabulary() == ref["vocabulary"]
    np.testing.assert_allclose(model.predict(np.array(ref["queries"]), verbose=0),
                               ref["predictions"], rtol=1e-5, atol=1e-7)
    path = str(tmp_path / "again.keras")
    model.save(path)   # Keras's asset layout: the layer's and its _lookup_layer's vocabulary
    names = zipfile.ZipFile(path).namelist()
    assert {"assets/layers/text_vectorization/vocabulary.txt",
            "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt"} <= set(names)
    np.testing.assert_allclose(keras.saving.load_model(path).predict(
        np.array(ref["queries"]), verbose=0), ref["predictions"], rtol=1e-5, atol=1e-7)
