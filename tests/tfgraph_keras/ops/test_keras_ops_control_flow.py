"""keras.ops cond / while_loop / fori_loop / scan / map / vectorized_map against Keras 3.15's
recorded results (tests/data/keras_ops_control_flow.json from
tests/reference/make_keras_ops_control_flow.py over keras_control_flow_cases.py): eagerly on numpy
inputs and symbolically on placeholders with an unknown leading dimension; gradients through the
loops with the numeric checker; a layer written with ops.scan trains as in Keras 3."""
import json
import os
import re
import sys

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph.framework import nest
from tfgraph_keras import ops

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import keras_control_flow_cases as cases  # noqa: E402

with open(os.path.join(HERE, "..", "..", "data", "keras_ops_control_flow.json")) as _f:
    REC = json.load(_f)


def _inputs(name):
    return [np.array(a["array"], dtype=a["dtype"]) for a in REC["cases"][name]["inputs"]]


def _compare(got, want, where="result"):
    """got: an encoded result; want: the recorded one (same containers, dtypes, values)."""
    kind = next(iter(want))
    assert kind in got, "%s: %s where Keras gives %s" % (where, list(got), kind)
    if kind == "array":
        assert got["dtype"] == want["dtype"], where
        assert got["shape"] == want["shape"], where
        np.testing.assert_allclose(np.array(got["array"], dtype=float),
                                   np.array(want["array"], dtype=float),
                                   rtol=2e-6, atol=2e-6, err_msg=where)
    elif kind == "dict":
        assert sorted(got["dict"]) == sorted(want["dict"]), where
        for k in want["dict"]:
            _compare(got["dict"][k], want["dict"][k], "%s[%r]" % (where, k))
    else:
        assert len(got[kind]) == len(want[kind]), where
        for i, (a, b) in enumerate(zip(got[kind], want[kind])):
            _compare(a, b, "%s[%d]" % (where, i))


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_eager_matches_keras(name):
    fn, _ = cases.CASES[name]
    got = fn(ops, *_inputs(name))
    _compare(cases.encode(got, np.asarray), REC["cases"][name]["result"])


def _fetch_all(result, sess, feed):
    leaves = [v for v in nest.flatten(result) if isinstance(v, tf.Tensor)]
    values = dict(zip([id(t) for t in leaves], sess.run(leaves, feed)))
    return lambda v: values[id(v)] if isinstance(v, tf.Tensor) else v


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_symbolic_matches_keras(name):
    fn, _ = cases.CASES[name]
    arrays = _inputs(name)
    with tf.Graph().as_default():
        phs = [tf.placeholder(a.dtype, [None] + list(a.shape[1:])) for a in arrays]
        result = fn(ops, *phs)
        with tf.Session() as sess:
            to_numpy = _fetch_all(result, sess, dict(zip(phs, arrays)))
            encoded = cases.encode(result, to_numpy)
    _compare(encoded, REC["cases"][name]["result"])


@pytest.mark.parametrize("name", sorted(REC["errors"]))
def test_errors_match_keras(name):
    thunk = dict(cases.error_cases(ops))[name]
    want = REC["errors"][name]
    kind = {"TypeError": TypeError, "ValueError": ValueError}[want["type"]]
    with pytest.raises(kind, match=re.escape(want["message"].rstrip("."))):
        thunk()


def test_cond_runs_only_the_taken_branch():
    with tf.Graph().as_default():
        i = tf.placeholder(tf.int32, [])
        table = tf.constant([1.0, 2.0, 3.0])
        out = ops.cond(i < 3, lambda: tf.gather(table, i), lambda: ops.convert_to_tensor(-1.0))
        types = {op.type for op in tf.get_default_graph().get_operations()}
        assert "If" in types
        with tf.Session() as sess:
            assert sess.run(out, {i: 2}) == 3.0
            assert sess.run(out, {i: 7}) == -1.0      # the gather out of range never runs
    with pytest.raises(ValueError, match="same nested structure"):
        with tf.Graph().as_default():
            p = tf.placeholder(tf.bool, [])
            ops.cond(p, lambda: (tf.ones([2]), tf.ones([2])), lambda: tf.ones([2]))


def test_while_loop_single_and_maximum_iterations():
    with tf.Graph().as_default():
        n = tf.placeholder(tf.int32, [])
        single = ops.while_loop(lambda v: v < n, lambda v: v * 2, 1)
        capped = ops.while_loop(lambda v: True, lambda v: v + 3, 0, maximum_iterations=n)
        pair = ops.while_loop(lambda a, b: a < n, lambda a, b: (a + 1, b + a), [0, 0])
        assert isinstance(single, tf.Tensor) and isinstance(pair, tuple)
        with tf.Session() as sess:
            assert sess.run([single, capped, pair], {n: 20}) == [32, 60, (20, 190)]


def test_scan_and_map_over_an_unknown_length_and_gradients():
    x_val = np.random.RandomState(1).uniform(-1, 1, (4, 3))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        w = tf.constant(np.linspace(-1, 1, 9).reshape(3, 3))

        def step(h, row):
            h = tf.tanh(tf.matmul(tf.expand_dims(row, 0), w) + h)
            return h, tf.reduce_sum(h * h)
        last, ys = ops.scan(step, tf.zeros([1, 3], tf.float64), x, reverse=True)
        mapped = ops.map(lambda r: r * tf.reduce_sum(r), x)
        total = ops.fori_loop(0, 3, lambda i, acc: acc * ops.sum(x), tf.constant(1.0, tf.float64))
        assert ys.shape.as_list() == [None]
        y = tf.reduce_sum(last) + tf.reduce_sum(ys * tf.range(1.0, 5.0, dtype=tf.float64)) + \
            tf.reduce_sum(mapped * mapped) + total
        with tf.Session() as sess:
            got_ys, got_map = sess.run([ys, mapped], {x: x_val})
            err = tf.test.compute_gradient_error(x, [4, 3], y, [], x_init_value=x_val,
                                                 delta=1e-6)
    h = np.zeros((1, 3))
    want = np.zeros(4)
    for t in (3, 2, 1, 0):
        h = np.tanh(x_val[t:t + 1] @ np.linspace(-1, 1, 9).reshape(3, 3) + h)
        want[t] = np.sum(h * h)
    np.testing.assert_allclose(got_ys, want, rtol=1e-12)
    np.testing.assert_allclose(got_map, x_val * x_val.sum(1, keepdims=True), rtol=1e-12)
    assert err < 1e-6


def test_scan_checks_what_f_returns():
    with pytest.raises(ValueError, match="must return a pair"):
        ops.scan(lambda c, x: c, np.zeros(2, np.float32), np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match="carry returned by `f` must have the structure"):
        ops.scan(lambda c, x: ((c, c), x), np.zeros(2, np.float32), np.ones((3, 2), np.float32))


def test_scan_layer_trains_like_keras3():
    keras.backend.clear_session()
    model = cases.build_scan_model(keras, ops)
    weights = cases.scan_model_weights(model)
    rec = REC["scan_model"]
    assert [list(w.shape) for w in weights] == rec["weight_shapes"]
    model.set_weights(weights)
    model.compile(keras.optimizers.SGD(0.3), "sparse_categorical_crossentropy")
    x, y = cases.scan_model_data()
    history = model.fit(x, y, batch_size=16, epochs=6, shuffle=False, verbose=0)
    losses = np.array(history.history["loss"])
    np.testing.assert_allclose(losses, rec["losses"], rtol=2e-4)
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_allclose(model.predict(x[:4], verbose=0), rec["predictions"], atol=2e-4)
