"""Records Keras 3.15 (TensorFlow backend) preprocessing-layer behaviour for
tests/tfgraph_keras/layers/test_keras_preprocessing_text.py: vocabularies, outputs and error
messages of TextVectorization, StringLookup, IntegerLookup, Hashing and Discretization, and the
raw string hashes (to_hash_bucket_fast/strong).

Run with the TensorFlow virtualenv:  /root/venvs/tf/bin/python tests/reference/make_keras_preprocessing.py
Writes tests/data/keras_preprocessing.json.
"""
import json
import os

import numpy as np
import tensorflow as tf
import keras

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                   "keras_preprocessing.json")
L = keras.layers

CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "cat, cat & dog?",
          "Émile's CAFÉ: the best (coffee) in town", "a b c d e f g", "dog ate cat",
          "  spaces\tand\nnew lines  ", ""]
QUERIES = ["the cat", "a dog ate the big mat", "zebra", "", "Cat... CAT!"]


def out(x):
    a = np.asarray(x)
    if a.dtype.kind in "OSU":
        return [v.decode() if isinstance(v, bytes) else str(v) for v in a.reshape(-1).tolist()], \
            list(a.shape)
    return a.tolist()


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (the message is what is recorded)
        return [type(e).__name__, str(e)]
    return None


def text_vectorization():
    cases = {}
    specs = {
        "int": dict(),
        "int_len4": dict(output_sequence_length=4),
        "int_len12_max8": dict(max_tokens=8, output_sequence_length=12),
        "multi_hot": dict(output_mode="multi_hot"),
        "count_pad": dict(output_mode="count", max_tokens=12, pad_to_max_tokens=True),
        "tf_idf_ngrams2": dict(output_mode="tf_idf", ngrams=2),
        "tf_idf_max6": dict(output_mode="tf_idf", max_tokens=6),
        "char_none": dict(split="character", standardize=None),
        "lower_ngrams13": dict(standardize="lower", ngrams=(1, 3)),
        "strip_only": dict(standardize="strip_punctuation", output_sequence_length=6),
        "split_none_onehot": dict(split=None, output_mode="one_hot"),
    }
    for key, kw in specs.items():
        layer = L.TextVectorization(**kw)
        layer.adapt(CORPUS)
        cases[key] = {"kwargs": kw, "vocab": layer.get_vocabulary(),
                      "output": out(layer(np.array(QUERIES)))}
    # adapt on a batched dataset: each string one document, batches merged
    layer = L.TextVectorization(output_mode="tf_idf")
    layer.adapt(tf.data.Dataset.from_tensor_slices(CORPUS).batch(3))
    cases["tf_idf_dataset"] = {"kwargs": {"output_mode": "tf_idf"}, "batch": 3,
                               "vocab": layer.get_vocabulary(),
                               "output": out(layer(np.array(QUERIES)))}
    layer = L.TextVectorization(output_sequence_length=5)
    layer.set_vocabulary(["cat", "dog", "the"])
    cases["set_vocabulary"] = {"vocab": layer.get_vocabulary(),
                               "output": out(layer(np.array(QUERIES)))}
    layer = L.TextVectorization(output_mode="tf_idf")
    layer.set_vocabulary(["cat", "dog", "the"], idf_weights=[0.5, 0.25, 2.0])
    cases["set_vocabulary_tf_idf"] = {"vocab": layer.get_vocabulary(),
                                      "output": out(layer(np.array(QUERIES)))}
    cases["errors"] = {
        "seq_len_multi_hot": error(lambda: L.TextVectorization(output_mode="multi_hot",
                                                                output_sequence_length=3)),
        "bad_mode": error(lambda: L.TextVectorization(output_mode="bogus")),
        "bad_ngrams": error(lambda: L.TextVectorization(ngrams="2")),
        "max_tokens_1": error(lambda: L.TextVectorization(max_tokens=1)),
        "repeated": error(lambda: L.TextVectorization(vocabulary=["a", "b", "a"])),
        "too_big": error(lambda: L.TextVectorization(max_tokens=3, vocabulary=["a", "b", "c"])),
        "tf_idf_no_weights": error(lambda: L.TextVectorization(output_mode="tf_idf",
                                                                vocabulary=["a"])),
    }
    return cases


def lookups():
    cases = {}
    data = np.array([["a", "b", "c"], ["c", "c", "d"], ["d", "e", "a"], ["a", "a", "a"]])
    query = np.array([["a", "z"], ["e", "c"]])
    for key, kw in {"default": {}, "oov2_mask": dict(num_oov_indices=2, mask_token="[M]"),
                    "max3": dict(max_tokens=3), "one_hot": dict(output_mode="one_hot"),
                    "multi_hot": dict(output_mode="multi_hot"),
                    "count_pad": dict(output_mode="count", max_tokens=8,
                                      pad_to_max_tokens=True),
                    "tf_idf": dict(output_mode="tf_idf"),
                    "oov3_salt": dict(num_oov_indices=3, salt=7),
                    "oov0": dict(num_oov_indices=0)}.items():
        layer = L.StringLookup(**kw)
        layer.adapt(data)
        q = query if key != "oov0" else np.array([["a", "e"], ["c", "d"]])
        q = np.array([["a", "z"], ["e", "[M]"]]) if key == "oov2_mask" else q
        cases["string_" + key] = {"kwargs": kw, "vocab": layer.get_vocabulary(),
                                  "query": q.tolist(), "output": out(layer(q))}
    inv = L.StringLookup(vocabulary=["a", "b", "c"], invert=True, mask_token="")
    cases["string_invert"] = {"vocab": inv.get_vocabulary(),
                              "output": out(inv(np.array([[0, 1, 2], [3, 4, 9]])))}
    oov0 = L.StringLookup(vocabulary=["a"], num_oov_indices=0)
    cases["string_oov0_error"] = error(lambda: oov0(np.array(["b"])))
    idata = np.array([[3, 3, 5], [7, 7, 7], [9, 3, 12]])
    for key, kw in {"default": {}, "mask0": dict(mask_token=0),
                    "oov2": dict(num_oov_indices=2),
                    "multi_hot": dict(output_mode="multi_hot"),
                    "oov2_farmhash": dict(num_oov_indices=2, oov_method="farmhash")}.items():
        layer = L.IntegerLookup(**kw)
        layer.adapt(idata)
        q = np.array([[3, 4], [0, 12], [100, 7]])
        cases["integer_" + key] = {"kwargs": kw, "vocab": [int(v) for v in
                                                            layer.get_vocabulary()],
                                   "output": out(layer(q))}
    inv = L.IntegerLookup(vocabulary=[12, 36, 1138], invert=True)
    cases["integer_invert"] = {"output": out(inv(np.array([[0, 1], [3, 5]])))}
    cases["vector_multi_hot"] = out(L.StringLookup(vocabulary=["a", "b"],
                                                   output_mode="multi_hot")(np.array(["a", "q"])))
    return cases


def hashing():
    strs = [("abcdefghijklmnopqrstuvwxyz0123456789" * 6)[:n] for n in range(0, 140, 3)]
    strs += ["é日本", "[UNK]", "hello world"]
    cases = {"strings": strs,
             "fast": tf.strings.to_hash_bucket_fast(strs, 2 ** 63 - 1).numpy().tolist(),
             "strong": tf.strings.to_hash_bucket_strong(strs, 2 ** 63 - 1,
                                                       key=[12345, 678]).numpy().tolist()}
    words = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])
    ints = np.array([[1, 20], [300, -4], [5, 0]])
    floats = np.array([[1.7, -2.2], [0.0, 3.9]], np.float32)
    cases["layers"] = {
        "words_3": out(L.Hashing(num_bins=3)(words)),
        "words_mask": out(L.Hashing(num_bins=3, mask_value="A")(words)),
        "words_salt": out(L.Hashing(num_bins=5, salt=133)(words)),
        "words_salt_pair": out(L.Hashing(num_bins=5, salt=(1, 2))(words)),
        "ints_7": out(L.Hashing(num_bins=7)(ints)),
        "ints_mask": out(L.Hashing(num_bins=7, mask_value=0)(ints)),
        "floats_4": out(L.Hashing(num_bins=4)(floats)),
        "words_one_hot": out(L.Hashing(num_bins=3, output_mode="one_hot")(words)),
        "ints_multi_hot": out(L.Hashing(num_bins=6, output_mode="multi_hot")(ints)),
        "ints_count": out(L.Hashing(num_bins=6, output_mode="count")(ints)),
    }
    cases["errors"] = {"bins0": error(lambda: L.Hashing(num_bins=0)),
                       "salt": error(lambda: L.Hashing(num_bins=2, salt="x"))}
    return cases


def discretization():
    rng = np.random.RandomState(0)
    data = rng.normal(size=(500, 1)).astype(np.float32)
    x = np.array([[-1.5, -0.2, 0.0, 0.3, 1.7, 9.0]], np.float32)
    cases = {}
    d = L.Discretization(bin_boundaries=[-0.5, 0.0, 0.5])
    cases["fixed"] = out(d(x))
    cases["fixed_one_hot"] = out(L.Discretization(bin_boundaries=[0.0, 1.0],
                                                  output_mode="one_hot")(x.reshape(-1, 1)))
    cases["fixed_count"] = out(L.Discretization(bin_boundaries=[0.0, 1.0],
                                                output_mode="count")(x))
    for nb in (2, 4, 7):
        d = L.Discretization(num_bins=nb)
        d.adapt(data)
        cases["adapt_%d" % nb] = {"boundaries": d.bin_boundaries, "output": out(d(x))}
    d = L.Discretization(num_bins=5, epsilon=0.05)
    d.adapt(tf.data.Dataset.from_tensor_slices(data).batch(64))
    cases["adapt_dataset_5"] = {"boundaries": d.bin_boundaries}
    cases["data"] = data.reshape(-1).tolist()
    cases["x"] = x.tolist()
    cases["errors"] = {"both": error(lambda: L.Discretization(num_bins=3, bin_boundaries=[1.0])),
                       "none": error(lambda: L.Discretization())}
    return cases


def main():
    result = {"keras": keras.__version__, "corpus": CORPUS, "queries": QUERIES,
              "text_vectorization": text_vectorization(), "lookups": lookups(),
              "hashing": hashing(), "discretization": discretization()}
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
