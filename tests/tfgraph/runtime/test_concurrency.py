"""Session.run from many threads: inference equals serial runs; updates are atomic per variable."""
import threading

import numpy as np

import tfgraph as tf


def _threads(n, fn):
    errors = []

    def wrap(i):
        try:
            fn(i)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    ts = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors


def test_concurrent_inference_matches_serial():
    rng = np.random.RandomState(0)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 16])
        W = tf.Variable(rng.randn(16, 8).astype(np.float32))
        b = tf.Variable(rng.randn(8).astype(np.float32))
        y = tf.nn.softmax(tf.tanh(tf.matmul(x, W) + b))
        s = tf.reduce_sum(y, axis=1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            inputs = [rng.randn(1 + i % 5, 16).astype(np.float32) for i in range(8)]
            serial = [sess.run([y, s], {x: v}) for v in inputs]
            results = {}

            def work(i):
                for r in range(25):
                    k = (i + r) % len(inputs)
                    results[(i, r)] = (k, sess.run([y, s], {x: inputs[k]}))
            _threads(8, work)
    assert len(results) == 200
    for k, (yv, sv) in results.values():
        np.testing.assert_array_equal(yv, serial[k][0])
        np.testing.assert_array_equal(sv, serial[k][1])


def test_concurrent_assign_add_loses_no_update_and_never_tears():
    with tf.Graph().as_default():
        v = tf.Variable(tf.zeros([200000]))
        inc = tf.assign_add(v, tf.ones([200000]))
        c = tf.Variable(0, dtype=tf.int64)
        cinc = tf.assign_add(c, tf.constant(1, tf.int64))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            torn = []

            def work(i):
                f = sess.make_callable(inc)
                for _ in range(30):
                    out = f() if i % 2 else sess.run(inc)
                    if out.min() != out.max():
                        torn.append(out)
                    sess.run(cinc)
            _threads(8, work)
            final = sess.run(v)
            assert sess.run(c) == 240
    assert not torn, "an update result mixed two states"
    np.testing.assert_array_equal(final, np.full(200000, 240.0, np.float32))


def test_concurrent_inference_of_a_small_convnet_matches_serial():
    rng = np.random.RandomState(1)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 2])
        k = tf.constant(rng.randn(3, 3, 2, 4).astype(np.float32))
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"), tf.ones([4])))
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        y = tf.nn.softmax(tf.reshape(h, [-1, 64]))
        m = tf.reduce_mean(y, axis=0)
        with tf.Session() as sess:
            inputs = [rng.randn(1 + i % 3, 8, 8, 2).astype(np.float32) for i in range(6)]
            serial = [sess.run([y, m], {x: v}) for v in inputs]
            results = []

            def work(i):
                for r in range(15):
                    j = (i + r) % len(inputs)
                    results.append((j, sess.run([y, m], {x: inputs[j]})))
            _threads(6, work)
    for j, (yv, mv) in results:
        np.testing.assert_array_equal(yv, serial[j][0])
        np.testing.assert_array_equal(mv, serial[j][1])


def test_concurrent_plan_compilation_and_reads():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        outs = [x * float(i) for i in range(10)]
        with tf.Session() as sess:
            got = {}

            def work(i):
                for j in range(10):
                    got[(i, j)] = sess.run(outs[(i + j) % 10], {x: 2.0})
            _threads(6, work)
    for (i, j), val in got.items():
        assert val == 2.0 * ((i + j) % 10)
