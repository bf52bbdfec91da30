import numpy as np
import pytest

import tfgraph as tf


def test_feed_fetch_and_variable_roundtrip():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        W = tf.Variable(tf.ones([3, 2]), name="W")
        y = tf.matmul(x, W) + 1.0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = sess.run(y, {x: np.arange(6).reshape(2, 3)})
    np.testing.assert_allclose(out, np.arange(6).reshape(2, 3) @ np.ones((3, 2)) + 1)
    assert out.dtype == np.float32


def test_unfed_placeholder_names_it():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="x")
        y = x * 2.0
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="You must feed a value for placeholder tensor 'x'"):
                sess.run(y)
            with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor "
                                                 r"'x:0', which has shape '\(\?, 784\)'"):
                sess.run(y, {x: np.ones(3)})
