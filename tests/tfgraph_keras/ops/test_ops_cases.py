"""keras.ops against recorded Keras 3 results (tests/data/keras_ops_cases.json, written by
tests/reference/make_keras_ops_cases.py): each call is replayed eagerly on numpy arrays and
symbolically on placeholders run in a Session; values, dtypes and shapes must match."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tfgraph_keras import ops

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "keras_ops_cases.json")
with open(DATA) as _f:
    RECORD = json.load(_f)
CASES = RECORD["cases"]
# arguments that Keras needs as values known when the graph is built (they stay constants)
STATIC_ARGS = {"segment_sum": {1}, "segment_max": {1}, "unique": {0}}


def decode(v):
    if isinstance(v, dict):
        if "array" in v:
            return np.array(v["array"]).astype(v["dtype"]).reshape(v["shape"])
        if "tuple" in v:
            return tuple(decode(x) for x in v["tuple"])
        if "float" in v:
            return float(v["float"])
        if "dict" in v:
            return {k: decode(x) for k, x in v["dict"].items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def to_placeholders(v, feed):
    if isinstance(v, np.ndarray):
        ph = tf.placeholder(tf.as_dtype(v.dtype.name), v.shape)
        feed[ph] = v
        return ph
    if isinstance(v, list):
        return [to_placeholders(x, feed) for x in v]
    return v


def check(got, want, where):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)), where
        assert len(got) == len(want), where
        for g, w in zip(got, want):
            check(g, w, where)
        return
    if not isinstance(want, np.ndarray):
        assert got == want, where
        return
    got = np.asarray(got)
    assert got.dtype == want.dtype, "%s: dtype %s, Keras %s" % (where, got.dtype, want.dtype)
    assert got.shape == want.shape, "%s: shape %s, Keras %s" % (where, got.shape, want.shape)
    if want.dtype.kind == "f":
        tol = 2e-3 if want.dtype == np.float16 else 2e-5
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=where)
    else:
        np.testing.assert_array_equal(got, want, err_msg=where)


def ids(case):
    return case["op"]


@pytest.mark.parametrize("case", CASES, ids=[c["op"] for c in CASES])
def test_eager(case):
    fn = getattr(ops, case["op"])
    args, kwargs = decode(case["args"]), decode(case["kwargs"])
    if "error" in case:
        with pytest.raises(getattr(__builtins__, case["error"], Exception)
                           if not isinstance(__builtins__, dict) else
                           __builtins__.get(case["error"], Exception)):
            fn(*args, **kwargs)
        return
    check(fn(*args, **kwargs), decode(case["result"]), "eager %s" % case["op"])


@pytest.mark.parametrize("case", CASES, ids=[c["op"] for c in CASES])
def test_symbolic(case):
    fn = getattr(ops, case["op"])
    args, kwargs = decode(case["args"]), decode(case["kwargs"])
    with tf.Graph().as_default() as graph:
        feed = {}
        static = STATIC_ARGS.get(case["op"], set())
        sym_args = [tf.constant(a) if i in static else to_placeholders(a, feed)
                    for i, a in enumerate(args)]
        sym_kwargs = {k: to_placeholders(v, feed) for k, v in kwargs.items()}
        if "error" in case:
            with pytest.raises(Exception) as info:
                fn(*sym_args, **sym_kwargs)
            assert type(info.value).__name__ == case["error"]
            return
        out = fn(*sym_args, **sym_kwargs)
        want = decode(case["result"])
        flat = [o for o in (out if isinstance(out, (tuple, list)) else [out])]
        for o in flat:
            assert isinstance(o, tf.Tensor) or not isinstance(o, np.ndarray), \
                "%s returned a numpy value in a graph" % case["op"]
        tensors = [o for o in flat if isinstance(o, tf.Tensor)]
        values = iter(tf.Session(graph=graph).run(tensors, feed_dict=feed))
        got = [next(values) if isinstance(o, tf.Tensor) else o for o in flat]
        check(got if isinstance(out, (tuple, list)) else got[0], want, "graph %s" % case["op"])


# ops whose output structure is the input's size: with an unknown size they say so
NEEDS_STATIC_FIRST_DIM = {"diag": "needs a static shape", "unstack": "Cannot infer num"}


@pytest.mark.parametrize("case", CASES, ids=[c["op"] for c in CASES])
def test_symbolic_with_unknown_batch(case):
    """The first array argument (the batch input in a layer) has an unknown first dimension."""
    if "error" in case:
        return
    fn = getattr(ops, case["op"])
    args, kwargs = decode(case["args"]), decode(case["kwargs"])
    with tf.Graph().as_default() as graph:
        feed, first = {}, [True]

        def ph(v):
            if isinstance(v, list):
                return [ph(x) for x in v]
            if not isinstance(v, np.ndarray):
                return v
            shape = list(v.shape)
            if first[0] and shape:
                shape[0], first[0] = None, False
            p = tf.placeholder(tf.as_dtype(v.dtype.name), shape)
            feed[p] = v
            return p
        static = STATIC_ARGS.get(case["op"], set())
        sym_args = [tf.constant(a) if i in static else ph(a) for i, a in enumerate(args)]
        sym_kwargs = {k: ph(v) for k, v in kwargs.items()}
        try:
            out = fn(*sym_args, **sym_kwargs)
        except ValueError as e:
            if case["op"] not in NEEDS_STATIC_FIRST_DIM:
                raise
            assert NEEDS_STATIC_FIRST_DIM[case["op"]] in str(e)
            return
        flat = list(out) if isinstance(out, (tuple, list)) else [out]
        tensors = [o for o in flat if isinstance(o, tf.Tensor)]
        values = iter(tf.Session(graph=graph).run(tensors, feed_dict=feed))
        got = [next(values) if isinstance(o, tf.Tensor) else o for o in flat]
        check(got if isinstance(out, (tuple, list)) else got[0], decode(case["result"]),
              "graph, unknown batch: %s" % case["op"])
