"""Execution plans: compiled once per signature, rewritten at plan time, errors mapped to ops."""
import numpy as np
import pytest

import tfgraph as tf


def _plan(sess):
    return list(sess._plans.values())[-1]


def test_plan_is_compiled_once_per_signature():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 2])
        y = x * 2.0
        with tf.Session() as sess:
            for _ in range(3):
                sess.run(y, {x: np.ones((1, 2))})
            sess.run([y], {x: np.ones((1, 2))})   # same unique fetches: same plan
            assert len(sess._plans) == 1
            sess.run([y, x], {x: np.ones((1, 2))})
            assert len(sess._plans) == 2


def test_constant_subgraphs_are_folded_at_plan_time():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        c = tf.exp(tf.constant([0.0, 1.0, 2.0])) * 2.0 + 1.0   # all constant
        y = x + c
        with tf.Session() as sess:
            out = sess.run(y, {x: np.zeros(3)})
            plan = _plan(sess)
    np.testing.assert_allclose(out, np.exp([0.0, 1.0, 2.0]) * 2 + 1, rtol=1e-6)
    assert [s.op.type for s in plan.steps] == ["AddV2"]


def test_common_subexpressions_run_once():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        a = tf.square(x)
        b = tf.square(x)          # same op type, inputs and attrs as `a`
        y = a + b
        with tf.Session() as sess:
            out = sess.run(y, {x: [1.0, 2.0]})
            types = [s.op.type for s in _plan(sess).steps]
    np.testing.assert_allclose(out, [2.0, 8.0])
    assert types.count("Square") == 1


def test_random_ops_are_never_merged_or_folded():
    g = tf.Graph()
    with g.as_default():
        a = tf.random_uniform([4], seed=1)
        b = tf.random_uniform([4], seed=1)
        with tf.Session() as sess:
            va, vb = sess.run([a, b])
            va2 = sess.run(a)
    assert not np.array_equal(va, va2)  # a stateful op draws anew each run
    assert va.shape == vb.shape == (4,)


def test_identities_are_removed_unless_fetched():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.identity(tf.identity(x)) + 1.0
        with tf.Session() as sess:
            sess.run(y, {x: [0.0, 1.0]})
            assert [s.op.type for s in _plan(sess).steps] == ["AddV2"]


def test_fetching_a_variable_returns_a_copy():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable([1.0, 2.0])
        with tf.Session() as sess:
            sess.run(v.initializer)
            got = sess.run(v)
            got[0] = 100.0
            read = sess.run(tf.identity(v))
            read[1] = 100.0
            np.testing.assert_allclose(sess.run(v), [1.0, 2.0])


def test_buffers_are_released_after_last_use():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None])
        y = tf.exp(tf.sin(x) * 2.0)
        with tf.Session() as sess:
            sess.run(y, {x: [1.0]})
            assert "del " in _plan(sess).source


def test_kernel_failure_names_op_location_and_shapes():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None, None])
        b = tf.placeholder(tf.float32, [None, None])
        y = tf.matmul(a, b)  # the line named in the error
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(y, {a: np.ones((2, 3)), b: np.ones((4, 5))})
    msg = str(info.value)
    assert "MatMul" in msg and "[2, 3]" in msg and "[4, 5]" in msg
    assert "test_plan.py" in msg
    assert info.value.op is y.op


def test_repeated_runs_do_not_grow_memory():
    import gc
    import tracemalloc
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8])
        w = tf.Variable(np.ones((8, 4), np.float32))
        loss = tf.reduce_sum(tf.matmul(x, w) ** 2)
        step = w.assign_sub(0.001 * tf.gradients(loss, [w])[0])
        with tf.Session() as sess:
            sess.run(w.initializer)
            feed = {x: np.ones((16, 8), np.float32)}
            for _ in range(200):
                sess.run([loss, step], feed)
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(3000):
                sess.run([loss, step], feed)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
    assert grown < 64 * 1024, "memory grew by %d bytes over 3000 runs" % grown


def test_control_dependency_on_a_fed_placeholder_is_met_by_the_feed():
    x = tf.placeholder(tf.float32, [None])
    with tf.control_dependencies([x.op]):
        y = tf.identity(tf.constant(2.0))
    with tf.Session() as sess:
        got_y, got_z = sess.run([y, x * 3], {x: np.ones(2, np.float32)})
        assert got_y == 2.0
        np.testing.assert_array_equal(got_z, [3.0, 3.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed"):
            sess.run(y)  # not fed: the placeholder must run, and cannot
