"""TF's error contract where tfgraph used to differ: integer division by zero, ops on tensors of
a non-default graph."""
import os

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.basename(__file__)


@pytest.mark.parametrize("fn, ref", [(tf.floordiv, np.floor_divide), (tf.math.floormod, np.mod),
                                     (lambda x, y: x // y, np.floor_divide),
                                     (lambda x, y: x % y, np.mod)])
@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.uint8])
def test_integer_division_by_zero_is_invalid_argument(fn, ref, dtype):
    with tf.Graph().as_default():
        x = tf.constant([5, 7], dtype)
        y = tf.placeholder(dtype, [2])
        out = fn(x, y)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(out, {y: [2, 3]}), ref([5, 7], [2, 3]))
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Integer division by zero") as info:
                sess.run(out, {y: [2, 0]})
            assert info.value.op is out.op and HERE in str(info.value)
            np.testing.assert_array_equal(sess.run(out, {y: [1, 1]}), ref([5, 7], [1, 1]))


def test_ops_on_a_tensor_of_a_non_default_graph_are_built_in_that_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    out = tf.reshape(x * 2.0, [-1])  # the default graph is another one
    assert out.graph is g and tf.get_default_graph().get_operations() == []
    with tf.Session(graph=g) as sess:
        np.testing.assert_array_equal(sess.run(out), [2.0, 4.0, 6.0, 8.0])


def test_mixing_two_graphs_is_still_an_error():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(a, b)
