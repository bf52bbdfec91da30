"""no_op, group, tuple, identity, stop_gradient, with_dependencies."""
import numpy as np

import tfgraph as tf


def test_no_op_and_group():
    with tf.Graph().as_default():
        n = tf.no_op()
        assert n.type == "NoOp" and n.name == "NoOp" and n.outputs == []
        a, b = tf.Variable(0.0), tf.Variable(0.0)
        ia, ib = tf.assign_add(a, 1.0), tf.assign_add(b, 2.0)
        grp = tf.group(ia, ib.op, name="both")
        assert grp.name == "both" and set(grp.control_inputs) == {ia.op, ib.op}
        assert tf.group([ia, ib]).name == "group_deps"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(n) is None
            assert sess.run(grp) is None
            assert sess.run([a, b]) == [1.0, 2.0]


def test_tuple_gates_every_output():
    with tf.Graph().as_default():
        v = tf.Variable(0.0)
        inc = tf.assign_add(v, 1.0)
        c = tf.constant(5.0)
        out1, out2 = tf.tuple([c, v.value()], control_inputs=[inc])
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(out1) == 5.0 and sess.run(v) == 1.0  # inc ran with out1
            assert sess.run(out2) == 2.0


def test_identity_and_with_dependencies():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.identity(x, name="y")
        assert y.name == "y:0" and y.op.type == "Identity" and y.shape.as_list() == [None, 3]
        v = tf.Variable(1.0)
        dep = tf.with_dependencies([v.assign(7.0)], tf.constant(0.0))
        with tf.Session() as sess:
            sess.run(v.initializer)
            np.testing.assert_array_equal(sess.run(y, {x: [[1, 2, 3]]}), [[1, 2, 3]])
            sess.run(dep)
            assert sess.run(v) == 7.0


def test_stop_gradient_blocks_gradient_but_passes_value():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3])
        s = tf.stop_gradient(x)
        assert s.op.type == "StopGradient"
        y = tf.reduce_sum(s * x)
        g = tf.gradients(y, x)[0]
        assert tf.gradients(tf.reduce_sum(s), x)[0] is None
        with tf.Session() as sess:
            xv = np.array([1.0, 2.0, 3.0])
            np.testing.assert_allclose(sess.run(g, {x: xv}), xv)  # not 2 * x
            np.testing.assert_allclose(sess.run(s, {x: xv}), xv)
