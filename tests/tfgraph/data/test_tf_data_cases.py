"""tf.data pipelines against TensorFlow: element sequences, output types/shapes, end-of-sequence.

tests/data/tf_data_cases.json was written by tests/reference/make_tf_data_cases.py with TensorFlow
2.21 (tf.compat.v1 graph mode); the pipelines are the very same code (tests/reference/
tf_data_cases.py), evaluated here with tfgraph as `tf`.
"""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
from tf_data_cases import CASES, DATA, describe  # noqa: E402

with open(os.path.join(HERE, "..", "..", "data", "tf_data_cases.json")) as _f:
    RECORDED = json.load(_f)


def _same(got, want, path="element"):
    """Structures, dtypes, shapes and values equal (floats to 1e-6)."""
    if isinstance(want, dict) and "value" in want:
        assert got["dtype"] == want["dtype"], path
        assert got["shape"] == want["shape"], path
        if want["dtype"].startswith("float"):
            np.testing.assert_allclose(got["value"], want["value"], rtol=1e-6, err_msg=path)
        else:
            assert got["value"] == want["value"], path
    else:
        assert got == want, path


def test_every_case_is_recorded():
    assert set(CASES) == set(RECORDED["cases"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_tensorflow(name):
    rec = RECORDED["cases"][name]
    assert rec["code"] == CASES[name]
    with tf.Graph().as_default():
        ds = eval(CASES[name], {"tf": tf, "np": np, "DATA": DATA})
        assert describe(tf.data.get_output_types(ds)) == rec["output_types"]
        assert describe(tf.data.get_output_shapes(ds)) == rec["output_shapes"]
        it = tf.data.make_one_shot_iterator(ds)
        nxt = it.get_next()
        flat = nxt if isinstance(nxt, tf.Tensor) else [t for t in _leaves(nxt)]
        assert describe(_map(lambda t: t.shape, nxt)) == rec["next_shapes"]
        elements, end = [], None
        with tf.Session() as sess:
            for _ in range(100):
                try:
                    elements.append(describe(sess.run(nxt)))
                except tf.errors.OutOfRangeError as e:
                    end = [type(e).__name__, e.message, e.op.type]
                    break
                except tf.errors.OpError as e:  # one element failed: the iterator goes on
                    assert e.op.type == "IteratorGetNext"
                    elements.append({"error": type(e).__name__, "message": _own_text(e)})
            with pytest.raises(tf.errors.OutOfRangeError) as again:
                sess.run(nxt)
            assert [type(again.value).__name__, again.value.message] == rec["end_again"]
            assert sess.run(tf.constant(7)) == rec["usable_after"]
        assert len(elements) == len(rec["elements"])
        for i, (got, want) in enumerate(zip(elements, rec["elements"])):
            _same_nested(got, want, "%s element %d" % (name, i))
        assert end == rec["end"]
        assert flat is not None


def _own_text(e):
    """The error's own text, without the lines naming nodes (as the generator records it)."""
    return [ln for ln in e.message.split("\n") if ln.strip() and not ln.startswith("\t")][-1]


def _same_nested(got, want, path):
    if isinstance(want, dict) and "error" in want:
        assert got == want, path
    elif isinstance(want, dict) and "tuple" in want:
        assert len(got["tuple"]) == len(want["tuple"]), path
        for k, (g, w) in enumerate(zip(got["tuple"], want["tuple"])):
            _same_nested(g, w, "%s[%d]" % (path, k))
    elif isinstance(want, dict) and "dict" in want:
        assert sorted(got["dict"]) == sorted(want["dict"]), path
        for k in want["dict"]:
            _same_nested(got["dict"][k], want["dict"][k], "%s[%r]" % (path, k))
    else:
        _same(got, want, path)


def _leaves(x):
    if isinstance(x, tuple):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        for k in sorted(x):
            yield from _leaves(x[k])
    else:
        yield x


def _map(fn, x):
    if isinstance(x, tuple):
        return tuple(_map(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    return fn(x)
