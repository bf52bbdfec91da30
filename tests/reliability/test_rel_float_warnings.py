"""A numpy float warning inside a plan names the op and where the user made it (it used to say
only 'overflow encountered in square' at '<tfgraph plan>:6')."""
import os
import warnings

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.basename(__file__)


def test_overflow_warning_names_the_op_and_the_users_line():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.square(x, name="sq")
        total = tf.reduce_sum(y)
        with tf.Session() as sess:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert np.isinf(sess.run(total, {x: [1e30, 2.0]}))
    msgs = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert msgs, caught
    text = str(msgs[0].message)
    assert "overflow" in text and "op Square 'sq'" in text and HERE in text, text
    assert os.path.basename(msgs[0].filename) == HERE  # shown at the op's line, not the plan's


def test_a_training_step_that_overflows_names_the_op():
    with tf.Graph().as_default():
        w = tf.Variable(1e20, name="w")
        loss = tf.square(tf.square(w, name="w2"), name="loss")
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(w.initializer)
            with pytest.warns(RuntimeWarning, match=r"op Square '(w2|loss)', created at .*%s"
                              % HERE):
                sess.run(step)


def test_as_errors_they_still_name_the_op():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1])
        y = tf.square(x, name="sq")
        with tf.Session() as sess, warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(tf.errors.InvalidArgumentError, match="sq"):
                sess.run(y, {x: [1e30]})


def test_other_warnings_are_untouched():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("plain", UserWarning)
    assert str(caught[0].message) == "plain" and caught[0].filename == __file__
