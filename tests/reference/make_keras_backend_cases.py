"""Writes tests/data/keras_backend_cases.json from Keras 2 (tf_keras) in the TF virtualenv:
    /root/venvs/tf/bin/pip install --no-deps tf_keras
    /root/venvs/tf/bin/python tests/reference/make_keras_backend_cases.py

Records what `keras.backend` functions, keras.preprocessing (pad_sequences, TimeseriesGenerator,
Tokenizer, text_to_word_sequence, hashing_trick) and keras.utils (to_categorical, normalize)
return for fixed inputs, and the errors they raise. Tensor arguments are written as
{"tensor": values, "dtype": name}; the tests rebuild them with K.constant.
"""
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
import tf_keras
from tf_keras import backend as K
from tf_keras.preprocessing import sequence, text
from tf_keras.utils import normalize, to_categorical

RNG = np.random.RandomState(0)


class T:
    """A tensor argument."""

    def __init__(self, value, dtype="float32"):
        self.value = np.asarray(value, dtype=dtype)


def rand(*shape):
    return T(RNG.uniform(-2, 2, size=shape).round(3))


def probs(*shape):
    p = RNG.uniform(0.05, 1, size=shape)
    return T(p / p.sum(-1, keepdims=True))


def enc(v):
    if isinstance(v, T):
        return {"tensor": v.value.tolist(), "dtype": str(v.value.dtype)}
    if isinstance(v, np.ndarray):
        return {"array": v.tolist(), "dtype": str(v.dtype)}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    if isinstance(v, (np.integer, np.floating)):
        return v.item()
    return v


def dec(v):
    if isinstance(v, T):
        return K.constant(v.value, dtype=str(v.value.dtype))
    if isinstance(v, list):
        return [dec(x) for x in v]
    if isinstance(v, dict):
        return {k: dec(x) for k, x in v.items()}
    return v


def backend_cases():
    a, b = rand(2, 3, 4), rand(2, 3, 4)
    m = rand(3, 4)
    labels = T([[0, 1, 0], [1, 0, 0]])
    cases = [
        ("sum", [a], {}), ("sum", [a, 1], {}), ("sum", [a, -1], {"keepdims": True}),
        ("sum", [a, [0, 2]], {}), ("mean", [a, 1], {}), ("mean", [T([True, False, True], "bool")],
                                                         {}),
        ("max", [a, 2], {}), ("min", [a, 0], {"keepdims": True}), ("prod", [m, 1], {}),
        ("std", [a, 1], {}), ("std", [a], {}), ("var", [a, -1], {"keepdims": True}),
        ("var", [T([True, False, False, True], "bool")], {}),
        ("any", [T([[0, 1], [0, 0]]), 1], {}), ("all", [T([[1, 1], [0, 1]]), 1], {}),
        ("argmax", [a], {}), ("argmin", [a, 1], {}),
        ("square", [m], {}), ("sqrt", [T([-1.0, 0.0, 4.0, 2.0])], {}), ("exp", [m], {}),
        ("log", [T([0.5, 1.0, 3.0])], {}), ("abs", [m], {}), ("pow", [T([1.5, 2.0, 3.0]), 3], {}),
        ("pow", [T([1.5, 2.0, 3.0]), 0.5], {}), ("clip", [m, -0.5, 0.7], {}),
        ("clip", [m, 0.5, -0.7], {}), ("clip", [m, None, 0.2], {}), ("clip", [m, -0.2, None], {}),
        ("maximum", [a, b], {}), ("minimum", [a, b], {}), ("round", [m], {}), ("sign", [m], {}),
        ("l2_normalize", [a, -1], {}), ("l2_normalize", [a], {}), ("l2_normalize", [m, 0], {}),
        ("l2_normalize", [T([[0.0, 0.0], [3.0, 4.0]]), 1], {}),
        ("shape", [a], {}), ("int_shape", [a], {}), ("ndim", [a], {}), ("dtype", [a], {}),
        ("dtype", [T([1, 2], "int32")], {}),
        ("reshape", [a, (4, 6)], {}), ("reshape", [a, (-1, 2)], {}),
        ("concatenate", [[a, b]], {}), ("concatenate", [[a, b], 1], {}),
        ("concatenate", [[a, b], 0], {}), ("stack", [[m, m]], {}), ("stack", [[m, m], 1], {}),
        ("expand_dims", [m], {}), ("expand_dims", [m, 0], {}),
        ("squeeze", [rand(2, 1, 3), 1], {}),
        ("permute_dimensions", [a, (2, 0, 1)], {}), ("repeat_elements", [a, 2, 1], {}),
        ("repeat_elements", [m, 3, -1], {}), ("repeat_elements", [m, 2, 0], {}),
        ("tile", [m, (2, 3)], {}), ("tile", [T([1.0, 2.0]), 3], {}), ("flatten", [a], {}),
        ("batch_flatten", [a], {}), ("batch_flatten", [rand(2, 2, 2, 3)], {}),
        ("transpose", [a], {}), ("transpose", [m], {}), ("repeat", [m, 2], {}),
        ("reverse", [a, 1], {}), ("reverse", [a, [0, 2]], {}),
        ("dot", [m, rand(4, 2)], {}), ("dot", [a, rand(4, 5)], {}),
        ("dot", [a, rand(3, 4, 5)], {}), ("dot", [rand(2, 3), rand(2, 3, 2)], {}),
        ("batch_dot", [rand(2, 3), rand(2, 3)], {}),
        ("batch_dot", [rand(2, 3), rand(2, 3)], {"axes": 1}),
        ("batch_dot", [a, rand(2, 4, 5)], {}), ("batch_dot", [a, b], {"axes": [2, 2]}),
        ("batch_dot", [a, b], {"axes": (1, 1)}), ("batch_dot", [a, rand(2, 4)], {}),
        ("batch_dot", [rand(2, 4), a], {"axes": [1, 2]}),
        ("batch_dot", [rand(2, 3, 4, 5), rand(2, 5, 2)], {}),
        ("batch_dot", [rand(2, 3, 4), rand(2, 4, 2, 3)], {"axes": [2, 1]}),
        ("batch_dot", [rand(2, 3, 4, 5), rand(2, 3, 6, 5)], {"axes": [1, 1]}),
        ("batch_dot", [a, b], {"axes": [0, 0]}), ("batch_dot", [a, rand(3, 4, 5)], {}),
        ("batch_dot", [a, b], {}), ("batch_dot", [T([1.0, 2.0]), m], {}),
        ("softmax", [m], {}), ("softmax", [a, 1], {}), ("softmax", [T([1.0, 2.0])], {}),
        ("relu", [m], {}), ("relu", [m], {"alpha": 0.1}), ("relu", [m], {"max_value": 0.5}),
        ("relu", [m], {"threshold": 0.3}), ("relu", [m], {"alpha": 0.2, "max_value": 1.0,
                                                            "threshold": 0.1}),
        ("relu", [m], {"max_value": 6.0}), ("sigmoid", [m], {}), ("tanh", [m], {}),
        ("hard_sigmoid", [T([-3.0, -1.0, 0.0, 1.0, 3.0])], {}), ("softplus", [m], {}),
        ("softsign", [m], {}), ("elu", [m], {}), ("elu", [m, 0.5], {}),
        ("categorical_crossentropy", [labels, probs(2, 3)], {}),
        ("categorical_crossentropy", [labels, T([[0.2, 0.6, 0.4], [1.0, 0.0, 0.0]])], {}),
        ("categorical_crossentropy", [labels, rand(2, 3)], {"from_logits": True}),
        ("categorical_crossentropy", [T([[0, 1], [1, 0], [1, 0]]), T(probs(2, 3).value.T.copy())],
         {"axis": 0}),
        ("sparse_categorical_crossentropy", [T([1, 0], "int32"), probs(2, 3)], {}),
        ("sparse_categorical_crossentropy", [T([2, 0], "int64"), rand(2, 3)],
         {"from_logits": True}),
        ("sparse_categorical_crossentropy", [T([[1, 0], [2, 2]], "int32"), probs(2, 2, 3)], {}),
        ("sparse_categorical_crossentropy", [T([[1], [0]], "float32"), probs(2, 3)], {}),
        ("sparse_categorical_crossentropy", [T([1, 0], "int32"), T(probs(2, 3).value.T.copy())],
         {"axis": 0}),
        ("binary_crossentropy", [T([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]]),
                                 T([[0.1, 0.9, 0.4], [1.0, 0.0, 0.5]])], {}),
        ("binary_crossentropy", [T([[0.0, 1.0, 1.0]]), T([[-2.0, 3.0, 0.1]])],
         {"from_logits": True}),
        ("cast", [m, "int32"], {}), ("cast", [T([0.0, 2.0]), "bool"], {}),
        ("one_hot", [T([0, 2, 1], "int32"), 4], {}), ("gather", [m, T([2, 0], "int32")], {}),
        ("arange", [5], {}), ("arange", [1, 7, 2], {}), ("arange", [0, 1, 0.25],
                                                          {"dtype": "float32"}),
        ("cumsum", [m, 1], {}), ("zeros_like", [m], {}), ("ones_like", [T([1, 2], "int32")], {}),
        ("equal", [T([1.0, 2.0]), T([1.0, 3.0])], {}), ("greater", [m, 0.0], {}),
        ("less_equal", [m, 0.5], {}), ("not_equal", [T([1, 2], "int32"), T([1, 3], "int32")], {}),
        ("zeros", [(2, 3)], {}), ("ones", [(3,)], {"dtype": "int32"}), ("eye", [3], {}),
        ("eye", [(2, 3)], {}), ("constant", [[[1, 2], [3, 4]]], {}),
        ("constant", [1.5], {"shape": (2, 2)}), ("variable", [[[1, 2], [3, 4]]], {}),
        ("variable", [[1, 2]], {"dtype": "int32"}),
        ("switch", [T([True, False, True], "bool"), rand(3, 2), rand(3, 2)], {}),
        ("switch", [T([1.0, 0.0]), rand(2, 2, 2), rand(2, 2, 2)], {}),
        ("switch", [T(True, "bool"), m, rand(3, 4)], {}),
        ("switch", [T(0.0), m, rand(3, 4)], {}),
        ("switch", [T([[True]], "bool"), T([1.0]), T([2.0])], {}),
        ("in_train_phase", [m, rand(3, 4)], {"training": 1}),
        ("in_train_phase", [m, rand(3, 4)], {"training": False}),
        ("in_train_phase", [m, rand(3, 4)], {"training": T(True, "bool")}),
        ("in_top_k", [T([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]]), T([2, 0], "int32"), 1], {}),
        ("in_top_k", [T([[0.1, 0.5, 0.4], [0.3, 0.2, 0.4]]), T([2, 0], "int32"), 2], {}),
        ("bias_add", [a, T([1.0, 2.0, 3.0, 4.0])], {}),
        ("bias_add", [a, T([1.0, 2.0])], {"data_format": "channels_first"}),
        ("bias_add", [a, rand(3, 4)], {}), ("bias_add", [a, rand(4, 3)],
                                             {"data_format": "channels_first"}),
        ("bias_add", [a, rand(2, 2, 2)], {}),
        ("batch_normalization", [a, rand(4), T(RNG.uniform(0.5, 2, 4)), rand(4), rand(4)], {}),
        ("batch_normalization", [a, rand(4), T(RNG.uniform(0.5, 2, 4)), rand(4), rand(4)],
         {"epsilon": 0.1}),
        ("conv1d", [rand(2, 7, 3), rand(3, 3, 4)], {}),
        ("conv1d", [rand(2, 7, 3), rand(3, 3, 4)], {"padding": "causal", "dilation_rate": 2}),
        ("conv1d", [rand(2, 7, 3), rand(2, 3, 4)], {"strides": 2, "padding": "same"}),
        ("conv1d", [rand(2, 3, 7), rand(3, 3, 4)], {"data_format": "channels_first"}),
        ("conv2d", [rand(2, 6, 5, 3), rand(3, 2, 3, 4)], {}),
        ("conv2d", [rand(2, 6, 5, 3), rand(3, 3, 3, 2)], {"strides": (2, 1), "padding": "same"}),
        ("conv2d", [rand(2, 6, 5, 3), rand(2, 2, 3, 2)], {"dilation_rate": (2, 2)}),
        ("conv2d", [rand(2, 3, 6, 5), rand(3, 3, 3, 2)], {"data_format": "channels_first",
                                                           "padding": "same"}),
        ("pool2d", [rand(2, 6, 5, 3), (2, 2)], {"strides": (2, 2)}),
        ("pool2d", [rand(2, 6, 5, 3), (3, 2)], {"strides": (2, 1), "padding": "same",
                                                "pool_mode": "avg"}),
        ("pool2d", [rand(2, 3, 6, 5), (2, 2)], {"data_format": "channels_first",
                                                "pool_mode": "avg"}),
        ("pool2d", [rand(2, 6, 5, 3), (2, 2)], {"pool_mode": "min"}),
        ("cos", [m], {}), ("sin", [m], {}), ("temporal_padding", [a], {}),
        ("temporal_padding", [a, (2, 0)], {}), ("spatial_2d_padding", [rand(2, 3, 3, 2)], {}),
        ("spatial_2d_padding", [rand(2, 2, 3, 3), ((0, 1), (2, 0))],
         {"data_format": "channels_first"}),
        ("resize_images", [rand(2, 2, 3, 2), 2, 3, "channels_last"], {}),
        ("resize_images", [rand(2, 2, 2, 3), 3, 1, "channels_first"], {}),
        ("normalize_batch_in_training", [rand(2, 3, 4), rand(4), rand(4), [0, 1]], {}),
        ("normalize_batch_in_training", [rand(3, 2, 2, 4), rand(4), rand(4), [0, 1, 2]], {}),
        ("normalize_batch_in_training", [rand(3, 4, 2, 2), rand(4), rand(4), [0, 2, 3]],
         {"epsilon": 0.01}),
    ]
    out = []
    for fn, args, kwargs in cases:
        rec = {"fn": fn, "args": enc(args), "kwargs": enc(kwargs)}
        try:
            res = getattr(K, fn)(*dec(args), **dec(kwargs))
        except Exception as e:  # noqa: BLE001 - recorded: the test expects the same error
            rec["error"] = {"type": type(e).__name__, "message": str(e)}
        else:
            rec["is_variable"] = isinstance(res, tf.Variable)
            if fn in ("int_shape", "ndim", "dtype"):
                rec["out"] = enc(list(res) if isinstance(res, tuple) else res)
            elif isinstance(res, (tuple, list)):
                rec["out"] = [enc(np.asarray(K.eval(r))) for r in res]
            else:
                rec["out"] = enc(np.asarray(K.eval(res)))
        out.append(rec)
    return out


def preprocessing_cases():
    seqs = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], []]
    pad = []
    for kwargs in [{}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"},
                   {"maxlen": 3, "truncating": "post"},
                   {"maxlen": 4, "padding": "post", "truncating": "post", "value": -1},
                   {"dtype": "float32", "value": 0.5}, {"maxlen": 0}, {"dtype": "str", "value": "x"}]:
        s = [[str(v) for v in q] for q in seqs] if kwargs.get("dtype") == "str" else seqs
        rec = {"sequences": s, "kwargs": kwargs}
        try:
            rec["out"] = enc(sequence.pad_sequences(s, **kwargs))
        except ValueError as e:
            rec["error"] = str(e)
        pad.append(rec)
    pad.append({"sequences": [[[1, 2], [3, 4]], [[5, 6]]], "kwargs": {"maxlen": 3},
                "out": enc(sequence.pad_sequences([[[1, 2], [3, 4]], [[5, 6]]], maxlen=3))})
    pad_errors = []
    for kwargs in [{"padding": "middle"}, {"truncating": "both", "maxlen": 2}]:
        try:
            sequence.pad_sequences(seqs, **kwargs)
        except ValueError as e:
            pad_errors.append({"kwargs": kwargs, "message": str(e)})

    texts = ["The cat sat on the mat.", "The dog ate my homework!", "Cat, dog; cat & DOG?",
             "a b\tc\nd", "the THE The"]
    tok_cases = []
    for kwargs in [{}, {"num_words": 4}, {"num_words": 5, "oov_token": "<OOV>"},
                   {"lower": False}, {"char_level": True}, {"filters": "", "split": " "},
                   {"split": ","}, {"oov_token": "UNK"}]:
        tok = text.Tokenizer(**kwargs)
        tok.fit_on_texts(texts)
        new = ["the cat ate a bird", "unknown words only", ""]
        rec = {"kwargs": kwargs, "word_index": tok.word_index,
               "word_counts": dict(tok.word_counts), "word_docs": dict(tok.word_docs),
               "index_docs": {str(k): v for k, v in tok.index_docs.items()},
               "document_count": tok.document_count,
               "sequences": tok.texts_to_sequences(texts + new),
               "texts": tok.sequences_to_texts(tok.texts_to_sequences(new)),
               "matrix": {mode: tok.texts_to_matrix(texts + new, mode=mode).tolist()
                          for mode in ("binary", "count", "tfidf", "freq")}}
        if kwargs == {"num_words": 5, "oov_token": "<OOV>"}:
            rec["json"] = json.loads(tok.to_json())
        tok_cases.append(rec)
    seq_tok = text.Tokenizer(num_words=6)
    seq_tok.fit_on_sequences([[1, 2, 2, 3], [3, 5, 7]])
    fit_seq = {"document_count": seq_tok.document_count,
               "index_docs": {str(k): v for k, v in seq_tok.index_docs.items()},
               "matrix": seq_tok.sequences_to_matrix([[1, 2, 2, 3], [3, 5, 7]],
                                                     mode="tfidf").tolist()}
    words = []
    for kwargs in [{}, {"lower": False}, {"split": ","}, {"filters": ""}]:
        s = "Hello, World! It's a\tnew-day;  isn't it? A,b,c"
        words.append({"text": s, "kwargs": kwargs,
                      "out": text.text_to_word_sequence(s, **kwargs)})
    hashing = [{"text": "The cat sat on the mat. the Cat", "n": 10,
                "out": text.hashing_trick("The cat sat on the mat. the Cat", 10,
                                          hash_function="md5")}]

    data = np.arange(20, dtype="float32").reshape(10, 2)
    targets = np.arange(10, dtype="float32") * 10
    ts = []
    for kwargs in [{"length": 3, "batch_size": 2}, {"length": 4, "sampling_rate": 2,
                                                   "batch_size": 3},
                   {"length": 2, "stride": 3, "batch_size": 1},
                   {"length": 3, "start_index": 2, "end_index": 8, "batch_size": 2},
                   {"length": 3, "reverse": True, "batch_size": 4}]:
        g = sequence.TimeseriesGenerator(data, targets, **kwargs)
        ts.append({"kwargs": kwargs, "len": len(g),
                   "batches": [[enc(b[0]), enc(b[1])] for b in (g[i] for i in range(len(g)))]})

    import random
    skip = []
    seq = [3, 1, 0, 4, 2, 5, 5, 1, 6]
    for kwargs in [{"window_size": 2, "seed": 3}, {"window_size": 1, "shuffle": False},
                   {"window_size": 3, "negative_samples": 0.5, "categorical": True, "seed": 9},
                   {"window_size": 2, "sampling_table": [1.0, 0.2, 0.9, 0.5, 1.0, 0.3, 0.7],
                    "seed": 4}, {"window_size": 2, "negative_samples": 0, "shuffle": False}]:
        random.seed(0)
        couples, labels = sequence.skipgrams(seq, 7, **kwargs)
        skip.append({"kwargs": kwargs, "couples": couples, "labels": labels})
    sampling = {"size": 12, "out": sequence.make_sampling_table(12, 1e-2).tolist()}
    cat = []
    for y, n in [([0, 2, 1], None), ([[1], [3]], None), ([0, 1], 4), ([[0, 1], [2, 0]], 3)]:
        cat.append({"y": y, "num_classes": n, "out": enc(to_categorical(y, n))})
    norm = []
    x = RNG.uniform(-1, 1, (3, 4)).round(3)
    for kwargs in [{}, {"axis": 0}, {"order": 1}, {"axis": 0, "order": 3}]:
        norm.append({"x": x.tolist(), "kwargs": kwargs, "out": enc(normalize(x, **kwargs))})
    return {"pad_sequences": pad, "pad_sequences_errors": pad_errors, "tokenizer": tok_cases,
            "tokenizer_texts": texts, "fit_on_sequences": fit_seq,
            "text_to_word_sequence": words, "hashing_trick_md5": hashing,
            "timeseries_generator": ts, "to_categorical": cat, "normalize": norm,
            "skipgrams": {"sequence": seq, "cases": skip}, "make_sampling_table": sampling}


DATASETS_DIR = os.path.join(os.path.dirname(__file__), "..", "data", "keras_datasets")


def write_dataset_files(d):
    """Small files in Keras's own layouts (written with numpy/pickle as Keras's are)."""
    import pickle
    os.makedirs(os.path.join(d, "cifar-100-python"), exist_ok=True)
    rng = np.random.RandomState(7)

    def seqs(n, top):
        out = np.empty(n, dtype=object)
        for i in range(n):
            out[i] = [int(w) for w in rng.randint(1, top, size=rng.randint(1, 12))]
        return out
    np.savez(os.path.join(d, "imdb.npz"), x_train=seqs(8, 30), y_train=rng.randint(0, 2, 8),
             x_test=seqs(6, 30), y_test=rng.randint(0, 2, 6))
    np.savez(os.path.join(d, "reuters.npz"), x=seqs(12, 40), y=rng.randint(0, 46, 12))
    words = ["the", "and", "a", "of", "to", "is", "br", "in", "it", "this"]
    for name in ("imdb_word_index.json", "reuters_word_index.json"):
        with open(os.path.join(d, name), "w") as f:
            json.dump({w: i + 1 for i, w in enumerate(words)}, f)
    np.savez(os.path.join(d, "boston_housing.npz"), x=rng.uniform(0, 100, (21, 13)),
             y=rng.uniform(5, 50, 21))
    for split, n in (("train", 5), ("test", 3)):
        batch = {b"batch_label": b"%s batch 1 of 1" % split.encode(),
                 b"filenames": [b"img_%d.png" % i for i in range(n)],
                 b"fine_labels": [int(v) for v in rng.randint(0, 100, n)],
                 b"coarse_labels": [int(v) for v in rng.randint(0, 20, n)],
                 b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8)}
        with open(os.path.join(d, "cifar-100-python", split), "wb") as f:
            pickle.dump(batch, f, protocol=2)


def dataset_cases(d):
    """tf_keras's loaders run on the small files (their get_file pointed at `d`)."""
    from tf_keras.src.datasets import boston_housing, cifar100, imdb, reuters

    def local(fname, origin=None, untar=False, file_hash=None, cache_dir=None, **kw):
        return os.path.join(d, fname)
    for mod in (boston_housing, cifar100, imdb, reuters):
        mod.get_file = local

    def rec(result):
        (xtr, ytr), (xte, yte) = result
        return [[enc(np.asarray(a)) if a.dtype != object else [list(s) for s in a],
                 enc(np.asarray(b))] for a, b in ((xtr, ytr), (xte, yte))]
    out = {"imdb": [], "reuters": [], "boston_housing": [], "cifar100": []}
    for kwargs in [{}, {"num_words": 10}, {"num_words": 12, "skip_top": 4},
                   {"maxlen": 6}, {"start_char": None, "index_from": 1},
                   {"oov_char": None, "num_words": 15, "seed": 3},
                   {"start_char": None, "index_from": 2, "oov_char": 1}]:
        out["imdb"].append({"kwargs": kwargs, "out": rec(imdb.load_data(**kwargs))})
        out["reuters"].append({"kwargs": kwargs, "out": rec(reuters.load_data(**kwargs))})
    out["reuters"].append({"kwargs": {"test_split": 0.5}, "out": rec(reuters.load_data(
        test_split=0.5))})
    try:
        imdb.load_data(maxlen=2)
    except ValueError as e:
        out["imdb_maxlen_error"] = str(e)
    for kwargs in [{}, {"test_split": 0.5, "seed": 1}]:
        out["boston_housing"].append({"kwargs": kwargs,
                                      "out": rec(boston_housing.load_data(**kwargs))})
    for mode in ("fine", "coarse"):
        out["cifar100"].append({"kwargs": {"label_mode": mode},
                                "out": rec(cifar100.load_data(label_mode=mode))})
    out["imdb_word_index"] = imdb.get_word_index()
    return out


IMAGES_DIR = os.path.join(os.path.dirname(__file__), "..", "data", "keras_images")


def write_images(d):
    """A flow_from_directory tree: cats/ and dogs/ with small PNGs (one in a subfolder)."""
    from PIL import Image
    rng = np.random.RandomState(11)
    for cls, n in (("cats", 3), ("dogs", 2)):
        os.makedirs(os.path.join(d, cls, "more"), exist_ok=True)
        for i in range(n):
            arr = rng.randint(0, 256, (6 + i, 5, 3)).astype(np.uint8)
            sub = "more" if (cls, i) == ("cats", 2) else ""
            Image.fromarray(arr, "RGB").save(os.path.join(d, cls, sub, "img%d.png" % i))
        with open(os.path.join(d, cls, "notes.txt"), "w") as f:
            f.write("not an image")


def image_cases(d):
    """ImageDataGenerator, apply_affine_transform and the image-file helpers of tf_keras."""
    from tf_keras.preprocessing import image
    rng = np.random.RandomState(5)
    img = rng.uniform(0, 255, (7, 6, 3)).astype("float32")
    affine = []
    for kw in [{"theta": 30}, {"tx": 1.5, "ty": -2.25}, {"shear": 20}, {"zx": 0.7, "zy": 1.3},
               {"theta": -75, "tx": 1, "zx": 1.2, "zy": 0.9, "shear": 5},
               {"theta": 45, "fill_mode": "constant", "cval": 9.0},
               {"theta": 45, "fill_mode": "reflect"}, {"theta": 45, "fill_mode": "wrap"},
               {"theta": 30, "order": 0}, {"tx": 2.0, "fill_mode": "constant"}]:
        affine.append({"kwargs": kw, "channels_first": False,
                       "out": enc(image.apply_affine_transform(img, row_axis=0, col_axis=1,
                                                               channel_axis=2, **kw))})
    chw = np.ascontiguousarray(img.transpose(2, 0, 1))
    affine.append({"kwargs": {"theta": 20, "zx": 1.1}, "channels_first": True,
                   "out": enc(image.apply_affine_transform(chw, 20, zx=1.1, row_axis=1,
                                                           col_axis=2, channel_axis=0))})
    x = rng.uniform(0, 255, (5, 8, 7, 3)).astype("float32")
    y = np.arange(5)
    gens = []
    configs = [
        {"rotation_range": 30, "width_shift_range": 0.2, "height_shift_range": 0.1,
         "shear_range": 10, "zoom_range": 0.2, "horizontal_flip": True, "vertical_flip": True,
         "rescale": 1 / 255.0},
        {"width_shift_range": [-2, 1], "height_shift_range": 2, "fill_mode": "constant",
         "cval": 3.0, "zoom_range": [0.8, 1.0]},
        {"channel_shift_range": 20.0, "samplewise_center": True,
         "samplewise_std_normalization": True, "fill_mode": "reflect", "rotation_range": 10},
        {"brightness_range": [0.5, 1.5], "horizontal_flip": True},
        {"featurewise_center": True, "featurewise_std_normalization": True,
         "rotation_range": 5, "fill_mode": "wrap"},
        {"zca_whitening": True},
    ]
    for cfg in configs:
        gen = image.ImageDataGenerator(**cfg)
        if cfg.get("featurewise_center") or cfg.get("zca_whitening"):
            gen.fit(x, augment=bool(cfg.get("rotation_range")), seed=2)
        it = gen.flow(x, y, batch_size=2, seed=7)
        batches = [next(it) for _ in range(4)]
        indexed = gen.flow(x, y, batch_size=3, seed=3, shuffle=False)[1]
        gens.append({"config": cfg,
                     "batches": [[enc(bx), enc(by)] for bx, by in batches],
                     "indexed": [enc(indexed[0]), enc(indexed[1])],
                     "mean": None if gen.mean is None else enc(gen.mean),
                     "std": None if gen.std is None else enc(gen.std)})
    val = image.ImageDataGenerator(validation_split=0.4)
    subsets = {s: enc(next(val.flow(x, np.array([0, 1, 0, 1, 1]), batch_size=5, shuffle=False,
                                    subset=s))[1]) for s in ("training", "validation")}
    directory = []
    for kw in [{"target_size": (6, 5), "batch_size": 2, "seed": 1},
               {"target_size": (4, 4), "class_mode": "binary", "shuffle": False,
                "interpolation": "bilinear", "color_mode": "grayscale"},
               {"target_size": (6, 5), "class_mode": "sparse", "subset": "validation",
                "shuffle": False}, {"target_size": (3, 5), "class_mode": None,
                                    "keep_aspect_ratio": True, "color_mode": "rgba"}]:
        gen = image.ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True,
                                       validation_split=0.5)
        it = gen.flow_from_directory(d, **kw)
        b = next(it)
        bx, by = (b, None) if kw.get("class_mode", "categorical") is None else b
        directory.append({"kwargs": {k: list(v) if isinstance(v, tuple) else v
                                     for k, v in kw.items()},
                          "class_indices": it.class_indices,
                          "filenames": it.filenames, "classes": it.classes.tolist(),
                          "x": enc(bx), "y": None if by is None else enc(by)})
    png = os.path.join(d, "cats", "img0.png")
    files = {"img_to_array": enc(image.img_to_array(image.load_img(png))),
             "grayscale": enc(image.img_to_array(image.load_img(png, color_mode="grayscale"))),
             "resized": enc(image.img_to_array(image.load_img(png, target_size=(3, 4),
                                                              interpolation="bicubic"))),
             "channels_first": enc(image.img_to_array(image.load_img(png),
                                                      data_format="channels_first")),
             "array_to_img": enc(np.asarray(image.array_to_img(img))),
             "array_to_img_noscale": enc(np.asarray(image.array_to_img(img, scale=False))),
             "array_to_img_gray": enc(np.asarray(image.array_to_img(img[:, :, :1] * 3)))}
    randoms = []
    hwc = {"row_axis": 0, "col_axis": 1, "channel_axis": 2}
    for fn, args, kw in [("random_rotation", [40], hwc), ("random_shift", [0.2, 0.3], hwc),
                         ("random_shear", [25], dict(hwc, fill_mode="constant", cval=1.0)),
                         ("random_zoom", [(0.6, 1.2)], dict(hwc, fill_mode="reflect")),
                         ("random_channel_shift", [30.0], {"channel_axis": 2}),
                         ("random_brightness", [(0.4, 1.1)], {})]:
        np.random.seed(21)
        randoms.append({"fn": fn, "args": args, "kwargs": kw,
                        "out": enc(np.asarray(getattr(image, fn)(img.copy(), *args, **kw),
                                              dtype="float32"))})
    return {"affine": affine, "generators": gens, "randoms": randoms, "subsets": subsets, "directory": directory,
            "files": files, "flow_x": enc(x)}


def rnn_cases():
    """K.rnn with a simple-RNN step (tanh(x W + h U)) and a two-state step, masks, go_backwards,
    zero_output_for_mask, constants (tf_keras's default while-loop path)."""
    r = np.random.RandomState(3)
    x = r.uniform(-1, 1, (2, 4, 3)).astype("float32")
    w = r.uniform(-1, 1, (3, 2)).astype("float32")
    u = r.uniform(-1, 1, (2, 2)).astype("float32")
    h0 = r.uniform(-1, 1, (2, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)
    spec = {"x": x.tolist(), "w": w.tolist(), "u": u.tolist(), "h0": h0.tolist(),
            "mask": mask.tolist()}
    W, U = K.constant(w), K.constant(u)

    def simple(x_t, states):
        h = K.tanh(K.dot(x_t, W) + K.dot(states[0], U))
        return h, [h]

    def two(x_t, states):
        h = K.tanh(K.dot(x_t, W) + K.dot(states[0], U) + states[2])
        c = states[1] + h
        return h * 2.0, [h, c]
    cases = []
    for name, kw in [("plain", {}), ("backwards", {"go_backwards": True}),
                     ("mask", {"mask": True}), ("mask_zero", {"mask": True,
                                                             "zero_output_for_mask": True}),
                     ("mask_backwards", {"mask": True, "go_backwards": True}),
                     ("two_states", {"two": True, "mask": True}),
                     ("last_only", {"return_all_outputs": False})]:
        kw = dict(kw)
        two_states = kw.pop("two", False)
        use_mask = kw.pop("mask", False)
        init = [K.constant(h0)] + ([K.constant(h0 * 0.5)] if two_states else [])
        last, outs, states = K.rnn(two if two_states else simple, K.constant(x), init,
                                   mask=K.constant(mask, dtype="bool") if use_mask else None,
                                   constants=[K.constant(np.full((2, 2), 0.1, "float32"))]
                                   if two_states else None, **kw)
        cases.append({"name": name, "kwargs": kw, "two_states": two_states,
                      "mask": use_mask, "last": enc(np.asarray(last)),
                      "outputs": enc(np.asarray(outs)),
                      "states": [enc(np.asarray(st)) for st in states]})
    return {"spec": spec, "cases": cases}


def main():
    out = {"tf_keras": tf_keras.__version__, "backend": backend_cases(), "rnn": rnn_cases()}
    out.update(preprocessing_cases())
    write_dataset_files(DATASETS_DIR)
    out["datasets"] = dataset_cases(DATASETS_DIR)
    write_images(IMAGES_DIR)
    out["image"] = image_cases(IMAGES_DIR)
    path = os.path.join(os.path.dirname(__file__), "..", "data", "keras_backend_cases.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
