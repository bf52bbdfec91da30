"""graph.gradient_override_map for any op type: ops made inside the block take the gradient
registered with tf.RegisterGradient under the mapped name (TF's _gradient_op_type); others keep
their own."""
import numpy as np
import pytest

import tfgraph as tf


@tf.RegisterGradient("OverrideTestHalfSquare")
def _half_square_grad(op, grad):          # returns one tensor, not a list, as TF allows
    return grad * op.inputs[0]


def test_override_applies_inside_the_block_only():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [4])
        with g.gradient_override_map({"Square": "OverrideTestHalfSquare"}):
            inside = tf.square(x)
        outside = tf.square(x)
        g_in, = tf.gradients(inside, x)
        g_out, = tf.gradients(outside, x)
        with tf.Session() as sess:
            values = np.array([1.0, -2.0, 3.0, 0.5])
            got_in, got_out = sess.run([g_in, g_out], {x: values})
            err = tf.test.compute_gradient_error(x, [4], inside, [4])
    np.testing.assert_allclose(got_in, values)
    np.testing.assert_allclose(got_out, 2 * values)
    assert err > 0.1          # the checker sees the overridden (wrong) gradient


def test_unregistered_override_name_is_a_lookup_error():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        with g.gradient_override_map({"Exp": "OverrideTestNotRegistered"}):
            y = tf.exp(x)
        with pytest.raises(LookupError, match="OverrideTestNotRegistered.*Exp.*"
                                              "test_gradient_override_map.py"):
            tf.gradients(y, x)
