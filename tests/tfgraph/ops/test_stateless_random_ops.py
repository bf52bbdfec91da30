"""Stateless random ops: values are numpy Philox draws keyed by the seed, shapes, seed rules."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import stateless_random_ops as srand


def _philox(seed):
    return np.random.Generator(np.random.Philox(key=list(seed)))


def test_values_are_philox_draws_of_the_seed():
    seed = [12, 34]
    with tf.Graph().as_default():
        s = tf.constant(np.array(seed, np.int64))
        ops = [srand.stateless_random_normal([2, 3], s),
               srand.stateless_random_uniform([4], s, tf.float64),
               srand.stateless_random_uniform_int([5], s, -3, 4, tf.int64),
               srand.stateless_truncated_normal([1000], s)]
        with tf.Session() as sess:
            first = sess.run(ops)
            again = sess.run(ops)
    np.testing.assert_array_equal(first[0], _philox(seed).standard_normal((2, 3))
                                  .astype(np.float32))
    np.testing.assert_array_equal(first[1], _philox(seed).random(4))
    np.testing.assert_array_equal(first[2], _philox(seed).integers(-3, 4, size=5))
    assert first[2].dtype == np.int64 and np.abs(first[3]).max() <= 2.0
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_seed_fed_at_run_time():
    with tf.Graph().as_default():
        s = tf.placeholder(tf.int64, [2])
        n = tf.placeholder(tf.int32, [])
        x = srand.stateless_random_uniform([n, 3], s)
        assert x.shape.as_list() == [None, 3]
        with tf.Session() as sess:
            a = sess.run(x, {s: [1, 2], n: 4})
            b = sess.run(x, {s: [1, 3], n: 4})
            c = sess.run(x, {s: [1, 2], n: 4})
    assert a.shape == (4, 3) and a.dtype == np.float32 and 0 <= a.min() and a.max() < 1
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_bad_seed_and_bounds():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="StatelessRandomNormal.*seed must have shape"):
            srand.stateless_random_normal([2], tf.constant([1, 2, 3]))
        bad = srand.stateless_random_uniform_int([2], tf.constant([1, 2]), 5, 5)
        with pytest.raises(tf.errors.InvalidArgumentError, match="minval < maxval"):
            tf.Session().run(bad)


def test_no_gradient_to_the_seed_but_through_the_scale():
    with tf.Graph().as_default():
        w = tf.constant(2.0)
        y = tf.reduce_sum(srand.stateless_random_normal([3], tf.constant([1, 1])) * w)
        seed = tf.constant(np.array([1, 1], np.int64))
        z = srand.stateless_random_normal([3], seed)
        assert tf.gradients(z, [seed]) == [None]
        g = tf.Session().run(tf.gradients(y, [w])[0])
    np.testing.assert_allclose(g, _philox([1, 1]).standard_normal(3).astype(np.float32).sum(),
                               rtol=1e-6)
