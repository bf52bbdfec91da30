"""TF1 ops that public scripts call, against TensorFlow 2.21's tf.compat.v1 (tests/data/
tf_missing_ops.json from tests/reference/make_tf_missing_ops.py over missing_ops_cases.py):
values, static shapes (and that they agree with run-time shapes), gradients equal to TF's and
to the numeric gradient, and TF's errors for bad input."""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import missing_ops_cases as mc  # noqa: E402

with open(os.path.join(HERE, "..", "..", "data", "tf_missing_ops.json")) as _f:
    REF = json.load(_f)


def _build(case):
    feeds, tensors = {}, {}
    for key, value in case["inputs"].items():
        ph = tf.placeholder(tf.as_dtype(value.dtype), value.shape, name=key)
        feeds[ph] = value
        tensors[key] = ph
    out = case["build"](tf, **tensors)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return feeds, tensors, outs


def test_every_case_is_recorded():
    assert sorted(REF["cases"]) == sorted(mc.CASES)
    assert sorted(REF["errors"]) == sorted(mc.ERROR_CASES)


@pytest.mark.parametrize("name", sorted(mc.CASES))
def test_values_and_shapes_match_tf(name):
    case, want = mc.CASES[name], REF["cases"][name]
    with tf.Graph().as_default():
        feeds, _, outs = _build(case)
        assert len(outs) == len(want["outputs"])
        with tf.Session() as sess:
            values = sess.run(outs, feeds)
    for o, v, w in zip(outs, values, want["outputs"]):
        assert o.dtype.name == w["dtype"]
        assert list(np.shape(v)) == w["shape"]
        static = None if o.shape.ndims is None else o.shape.as_list()
        assert static == w["static"], (static, w["static"])
        assert o.shape.is_compatible_with(np.shape(v))
        assert np.asarray(v).dtype == np.dtype(tf.as_dtype(w["dtype"]).np)
        np.testing.assert_allclose(v, np.asarray(w["value"], dtype=np.asarray(v).dtype),
                                   atol=case["atol"], rtol=1e-5)


GRAD_CASES = sorted(n for n, c in mc.CASES.items() if c["grad"])


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradients_match_tf_and_numeric(name):
    case, want = mc.CASES[name], REF["cases"][name]
    with tf.Graph().as_default():
        feeds, tensors, outs = _build(case)
        with tf.Session() as sess:
            values = sess.run(outs, feeds)
            loss = tf.add_n([tf.reduce_sum(o * tf.constant(w)) for o, w in
                             zip(outs, mc.weights_for(values)) if o.dtype.is_floating])
            xs = [tensors[k] for k in case["grad"]]
            grads = sess.run(tf.gradients(loss, xs), feeds)
            for k, g in zip(case["grad"], grads):
                np.testing.assert_allclose(g, want["grads"][k], atol=case["atol"] * 10,
                                           rtol=1e-4, err_msg=k)
            for k in case["grad"]:
                x = tensors[k]
                extra = {p: v for p, v in feeds.items() if p is not x}
                err = tf.test.compute_gradient_error(
                    x, list(case["inputs"][k].shape), loss, [],
                    x_init_value=case["inputs"][k].astype(np.float64).astype(
                        case["inputs"][k].dtype), extra_feed_dict=extra, sess=sess)
                assert err < case["grad_tol"], (k, err)


@pytest.mark.parametrize("name", sorted(mc.ERROR_CASES))
def test_errors_match_tf(name):
    build, text = mc.ERROR_CASES[name]
    want = REF["errors"][name]
    with tf.Graph().as_default():
        with pytest.raises(Exception) as info:
            fetch = build(tf)
            with tf.Session() as sess:
                sess.run(fetch)
    err = info.value
    assert type(err).__name__ == want["type"]
    msg = err.message if isinstance(err, tf.errors.OpError) else str(err)
    assert text in msg, msg
