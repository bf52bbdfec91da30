"""tf.Variable: construction, collections, initializers, assign ops, load, read_value."""
import numpy as np
import pytest

import tfgraph as tf


def test_variable_graph_structure_matches_tf1():
    with tf.Graph().as_default() as g:
        W = tf.Variable(tf.zeros([784, 10]), name="W")
        assert W.name == "W:0" and W.op.name == "W" and W.op.type == "VariableV2"
        assert W.dtype == tf.float32 and W.shape.as_list() == [784, 10]
        assert W.get_shape() == W.shape
        assert W.initializer.name == "W/Assign" and W.initializer.type == "Assign"
        assert W.value().name == "W/read:0"
        assert tf.convert_to_tensor(W) is W.value()
        assert W.trainable and W in tf.trainable_variables() and W in tf.global_variables()
        assert g.as_graph_element(W) is W.op.outputs[0]
        assert "W" in repr(W)
        v2 = tf.Variable(1.0)
        assert v2.name == "Variable:0"
        assert tf.Variable(1.0).name == "Variable_1:0"
        with tf.name_scope("s"):
            assert tf.Variable(1.0, name="x").name == "s/x:0"
        tf.Variable(lambda: tf.ones([2]), name="U")
        names = [o.name for o in g.get_operations()]
        # 7840 elements: a Fill op, as TF1 builds it (a Const only under 1000 elements)
        assert names[:6] == ["zeros/shape_as_tensor", "zeros/Const", "zeros", "W", "W/Assign",
                             "W/read"]
        assert ["Variable/initial_value", "Variable", "Variable/Assign", "Variable/read"] == \
            names[6:10]
        assert names[-4:] == ["U/Initializer/ones", "U", "U/Assign", "U/read"]


def test_initial_value_forms_and_dtypes():
    with tf.Graph().as_default():
        a = tf.Variable([[1, 2], [3, 4]])
        b = tf.Variable(np.ones(3, np.float64))
        c = tf.Variable(lambda: tf.ones([2]))
        d = tf.Variable(2.5, dtype=tf.float64)
        e = tf.Variable(tf.random_normal([3], seed=1))
        assert (a.dtype, b.dtype, c.dtype, d.dtype) == (tf.int32, tf.float64, tf.float32,
                                                        tf.float64)
        assert e.initial_value.op.graph is e.graph
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            av, bv, cv, dv = sess.run([a, b, c, d])
        np.testing.assert_array_equal(av, [[1, 2], [3, 4]])
        np.testing.assert_array_equal(cv, [1.0, 1.0])
        np.testing.assert_array_equal(bv, [1.0, 1.0, 1.0])
        assert dv == 2.5 and dv.dtype == np.float64
        with pytest.raises(ValueError, match="initial_value must be specified"):
            tf.Variable()
        with pytest.raises(ValueError, match="must have a shape specified"):
            tf.Variable(tf.placeholder(tf.float32, [None]))
        f = tf.Variable(tf.placeholder_with_default([1.0], [None]), validate_shape=False)
        assert f.shape.ndims is None


def test_trainable_and_collections():
    with tf.Graph().as_default():
        a = tf.Variable(1.0, trainable=False)
        b = tf.Variable(1.0, collections=["mine"])
        c = tf.Variable(1.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], trainable=False)
        assert not a.trainable and a in tf.global_variables() and a not in tf.trainable_variables()
        assert tf.get_collection("mine") == [b] and b in tf.trainable_variables()
        assert b not in tf.global_variables()
        assert tf.local_variables() == [c]


def test_initializers_ops():
    with tf.Graph().as_default():
        a, b = tf.Variable(1.0), tf.Variable(2.0)
        init_a = tf.variables_initializer([a])
        assert init_a.type == "NoOp" and init_a.name == "init"
        assert tf.variables_initializer([]).type == "NoOp"
        gi = tf.global_variables_initializer()
        assert set(gi.control_inputs) == {a.initializer, b.initializer}
        with tf.Session() as sess:
            sess.run(init_a)
            assert sess.run(a) == 1.0
            with pytest.raises(tf.errors.FailedPreconditionError):
                sess.run(b)
            sess.run(gi)
            assert sess.run(b) == 2.0


def test_assign_family_returns_new_value():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        asg = v.assign([5.0, 6.0])
        add = v.assign_add([1.0, 1.0])
        sub = v.assign_sub([0.5, 0.5])
        f_asg = tf.assign(v, [0.0, 0.0])
        f_add = tf.assign_add(v, [2.0, 2.0])
        f_sub = tf.assign_sub(v, [1.0, 1.0])
        assert asg.op.type == "Assign" and add.op.type == "AssignAdd" and sub.op.type == "AssignSub"
        assert isinstance(v.assign([1.0, 1.0], read_value=False), tf.Operation)
        with tf.Session() as sess:
            sess.run(v.initializer)
            np.testing.assert_array_equal(sess.run(asg), [5.0, 6.0])
            np.testing.assert_array_equal(sess.run(add), [6.0, 7.0])
            np.testing.assert_array_equal(sess.run(sub), [5.5, 6.5])
            np.testing.assert_array_equal(sess.run(f_asg), [0.0, 0.0])
            np.testing.assert_array_equal(sess.run(f_add), [2.0, 2.0])
            np.testing.assert_array_equal(sess.run(f_sub), [1.0, 1.0])
            np.testing.assert_array_equal(sess.run(v), [1.0, 1.0])
        with pytest.raises(ValueError, match="incompatible"):
            v.assign([1.0, 2.0, 3.0])
        with pytest.raises(TypeError):
            v.assign_add(tf.constant([1, 2]))


def test_read_value_and_snapshot_semantics():
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        r = v.read_value()
        assert r.op.type == "Identity"
        doubled = v * 2.0
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(r) == 1.0
            sess.run(v.assign(3.0))
            assert sess.run(r) == 3.0 and sess.run(doubled) == 6.0


def test_load_writes_without_new_ops():
    with tf.Graph().as_default() as g:
        v = tf.Variable(tf.zeros([2, 2]))
        n_ops = len(g.get_operations())
        with tf.Session() as sess:
            v.load(np.ones((2, 2)), sess)
            np.testing.assert_array_equal(sess.run(v), np.ones((2, 2)))
            with sess.as_default():
                v.load([[1, 2], [3, 4]])
            np.testing.assert_array_equal(sess.run(v), [[1, 2], [3, 4]])
            assert sess.run(v).dtype == np.float32
            with pytest.raises(ValueError):
                v.load(np.ones(3), sess)
        assert len(g.get_operations()) == n_ops


def test_variable_arithmetic_and_indexing():
    with tf.Graph().as_default():
        v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
        exprs = [v + 1.0, 1.0 + v, v - 1.0, 2.0 * v, v / 2.0, -v, abs(v), v ** 2.0, v @ v,
                 v[0], v[:, 1], v > 2.0]
        with tf.Session() as sess:
            sess.run(v.initializer)
            got = sess.run(exprs)
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    want = [x + 1, 1 + x, x - 1, 2 * x, x / 2, -x, abs(x), x ** 2, x @ x, x[0], x[:, 1], x > 2]
    for g_, w in zip(got, want):
        np.testing.assert_allclose(g_, w)


def test_initial_value_depends_on_other_variable():
    with tf.Graph().as_default():
        a = tf.Variable(2.0)
        b = tf.Variable(a.initialized_value() * 3.0)
        c = tf.Variable(tf.random_uniform([4], seed=2))
        d = tf.Variable(c.initialized_value() + 0.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(b) == 6.0
            np.testing.assert_array_equal(sess.run(c), sess.run(d))  # one draw, shared


def test_variable_made_inside_control_dependencies_does_not_inherit_them():
    with tf.Graph().as_default():
        counter = tf.Variable(0.0)
        inc = tf.assign_add(counter, 1.0)
        with tf.control_dependencies([inc]):
            v = tf.Variable(5.0)
            w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        assert all(not op.control_inputs for op in [v.op, v.initializer, w.initializer,
                                                    v.initial_value.op])
        with tf.Session() as sess:
            sess.run(counter.initializer)
            sess.run([v.initializer, w.initializer])
            assert sess.run(counter) == 0.0
