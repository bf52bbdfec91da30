"""Initializers: values, statistics and fan computations against numpy formulas."""
import math

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import initializers


def _sample(init, shape, dtype=tf.float32):
    with tf.Graph().as_default():
        t = init(shape, dtype=dtype)
        with tf.Session() as sess:
            return sess.run(t)


def test_constant_initializers():
    np.testing.assert_array_equal(_sample(tf.zeros_initializer(), [2, 3]), np.zeros((2, 3)))
    np.testing.assert_array_equal(_sample(tf.ones_initializer(), [4]), np.ones(4))
    np.testing.assert_array_equal(_sample(tf.constant_initializer(0.5), [2, 2]),
                                  np.full((2, 2), 0.5))
    np.testing.assert_array_equal(_sample(tf.constant_initializer([1, 2, 3, 4]), [2, 2]),
                                  [[1, 2], [3, 4]])
    assert _sample(tf.zeros_initializer(), [2], tf.int32).dtype == np.int32
    assert _sample(tf.ones_initializer(), [2], tf.float64).dtype == np.float64


@pytest.mark.parametrize("fans_shape, fan_in, fan_out", [
    ([7], 7, 7), ([3, 5], 3, 5), ([3, 3, 4, 8], 36, 72), ([2, 3, 3, 4, 8], 72, 144), ([], 1, 1)])
def test_compute_fans(fans_shape, fan_in, fan_out):
    assert initializers.compute_fans(fans_shape) == (fan_in, fan_out)


N = (200, 300)  # 60000 samples: the stds below are checked to ~2%


@pytest.mark.parametrize("make, mean, std, bound", [
    (lambda: tf.random_normal_initializer(1.0, 2.0, seed=1), 1.0, 2.0, None),
    (lambda: tf.truncated_normal_initializer(0.0, 2.0, seed=1), 0.0, 2.0 * 0.87962566, 4.0),
    (lambda: tf.random_uniform_initializer(-3.0, 1.0, seed=1), -1.0, 4 / math.sqrt(12), (-3, 1)),
    (lambda: tf.glorot_uniform_initializer(seed=1), 0.0, math.sqrt(2.0 / 500),
     math.sqrt(6.0 / 500)),
    (lambda: tf.glorot_normal_initializer(seed=1), 0.0, math.sqrt(2.0 / 500),
     2 * math.sqrt(2.0 / 500) / 0.87962566),
    (lambda: initializers.he_normal(seed=1), 0.0, math.sqrt(2.0 / 200),
     2 * math.sqrt(2.0 / 200) / 0.87962566),
    (lambda: initializers.he_uniform(seed=1), 0.0, math.sqrt(2.0 / 200), math.sqrt(6.0 / 200)),
    (lambda: initializers.lecun_normal(seed=1), 0.0, math.sqrt(1.0 / 200), None),
    (lambda: tf.variance_scaling_initializer(2.0, "fan_out", "untruncated_normal", seed=1), 0.0,
     math.sqrt(2.0 / 300), None),
    (lambda: tf.variance_scaling_initializer(3.0, "fan_avg", "uniform", seed=1), 0.0,
     math.sqrt(3.0 / 250), math.sqrt(9.0 / 250)),
])
def test_random_initializer_statistics(make, mean, std, bound):
    x = _sample(make(), list(N))
    assert x.shape == N and x.dtype == np.float32
    assert abs(x.mean() - mean) < 0.03 * std + 1e-3
    assert abs(x.std() - std) < 0.02 * std
    if isinstance(bound, tuple):
        assert x.min() >= bound[0] and x.max() < bound[1]
        assert x.min() < bound[0] + 0.01 * (bound[1] - bound[0])
    elif bound is not None:
        assert np.abs(x).max() <= bound * (1 + 1e-6)
        assert np.abs(x).max() > 0.97 * bound


def test_conv_kernel_fans():
    x = _sample(tf.glorot_uniform_initializer(seed=3), [5, 5, 16, 32])
    limit = math.sqrt(6.0 / (25 * 16 + 25 * 32))
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.97 * limit


def test_seeded_initializers_are_reproducible_and_distinct():
    a = _sample(tf.random_normal_initializer(seed=5), [50])
    b = _sample(tf.random_normal_initializer(seed=5), [50])
    c = _sample(tf.random_normal_initializer(seed=6), [50])
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_orthogonal():
    q = _sample(tf.orthogonal_initializer(gain=2.0, seed=1), [6, 4])
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(4), atol=1e-5)
    q = _sample(tf.orthogonal_initializer(seed=1), [3, 5])
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-5)


def test_variance_scaling_validation_and_config():
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(scale=-1.0)
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(distribution="cauchy")
    init = tf.variance_scaling_initializer(2.0, "fan_in", "uniform", seed=3)
    again = initializers.VarianceScaling.from_config(init.get_config())
    assert again.get_config() == init.get_config()


def test_identity_initializer_and_initializer_op_aliases():
    np.testing.assert_array_equal(_sample(initializers.identity(gain=2.0), [2, 3]),
                                  2.0 * np.eye(2, 3))
    with pytest.raises(ValueError):
        _sample(initializers.identity(), [2, 2, 2])
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        w = tf.Variable(2.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
        with tf.Session() as sess:
            sess.run([tf.initializers.global_variables(), tf.initializers.local_variables()])
            assert sess.run([v, w]) == [1.0, 2.0]
            sess.run(tf.initializers.variables([v]))
