"""variable_scope + get_variable and control_dependencies, with TF1's rules and messages."""
import numpy as np
import pytest

import tfgraph as tf


def test_variable_scope_names_variables_and_ops():
    with tf.Graph().as_default():
        a = tf.ones([2, 2])
        with tf.variable_scope("foo") as vs:
            assert vs.name == "foo"
            v = tf.get_variable("v", [2, 3])
            assert v.name == "foo/v:0"
            assert tf.matmul(a, a).name == "foo/MatMul:0"
            with tf.variable_scope("bar"):
                assert tf.get_variable("w", [1]).name == "foo/bar/w:0"
        # re-entering by name: the same variable names, a fresh op scope 'foo_1'
        with tf.variable_scope("foo", reuse=True):
            assert tf.get_variable("v", [2, 3]) is v
            assert tf.matmul(a, a).name == "foo_1/MatMul:0"
        # re-entering with the scope object re-enters its name scope too
        with tf.variable_scope(vs, reuse=True):
            assert tf.get_variable("v") is v
            assert tf.matmul(a, a).name == "foo/MatMul_1:0"


def test_get_variable_reuse_errors_with_tf_messages():
    with tf.Graph().as_default():
        with tf.variable_scope("foo"):
            tf.get_variable("v", [2, 3])
        with tf.variable_scope("foo"):
            with pytest.raises(ValueError, match=r"Variable foo/v already exists, disallowed\. Did "
                                                 r"you mean to set reuse=True or "
                                                 r"reuse=tf.AUTO_REUSE in VarScope\?"):
                tf.get_variable("v", [2, 3])
        with tf.variable_scope("foo", reuse=True):
            with pytest.raises(ValueError, match=r"Variable foo/missing does not exist, or was not "
                                                 r"created with tf.get_variable\(\)\. Did you mean "
                                                 r"to set reuse=tf.AUTO_REUSE in VarScope\?"):
                tf.get_variable("missing", [1])
            with pytest.raises(ValueError, match="Trying to share variable foo/v, but specified "
                                                 "shape"):
                tf.get_variable("v", [3, 3])
        with tf.variable_scope("foo") as scope:
            scope.reuse_variables()
            assert tf.get_variable("v").name == "foo/v:0"
        with pytest.raises(ValueError, match="must be fully defined"):
            tf.get_variable("nosh")


def test_auto_reuse_creates_then_shares_and_is_inherited():
    with tf.Graph().as_default():
        def layer():
            with tf.variable_scope("dense", reuse=tf.AUTO_REUSE):
                return tf.get_variable("k", [3])
        assert layer() is layer()
        with tf.variable_scope("outer", reuse=tf.AUTO_REUSE):
            with tf.variable_scope("inner"):
                a = tf.get_variable("a", [1])
            with tf.variable_scope("inner"):
                assert tf.get_variable("a", [1]) is a
        with tf.variable_scope("r", reuse=True):
            with tf.variable_scope("child", reuse=False):  # reuse=True is inherited, as in TF1
                with pytest.raises(ValueError, match="does not exist"):
                    tf.get_variable("z", [1])
        assert len(tf.global_variables()) == 2


def test_default_initializer_is_glorot_uniform_and_scope_initializer_applies():
    with tf.Graph().as_default():
        w = tf.get_variable("w", [200, 300])
        i = tf.get_variable("i", [4], dtype=tf.int32)
        with tf.variable_scope("c", initializer=tf.constant_initializer(0.5)):
            c = tf.get_variable("c", [3])
            d = tf.get_variable("d", [2], initializer=tf.zeros_initializer())
        e = tf.get_variable("e", initializer=tf.constant([1.0, 2.0]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            wv, iv, cv, dv, ev = sess.run([w, i, c, d, e])
    limit = np.sqrt(6.0 / (200 + 300))
    assert np.abs(wv).max() <= limit and np.abs(wv).max() > 0.95 * limit
    assert abs(wv.std() - limit / np.sqrt(3)) < 0.01 * limit
    np.testing.assert_array_equal(iv, np.zeros(4, np.int32))
    np.testing.assert_array_equal(cv, [0.5] * 3)
    np.testing.assert_array_equal(dv, [0.0, 0.0])
    np.testing.assert_array_equal(ev, [1.0, 2.0])
    assert wv.dtype == np.float32 and iv.dtype == np.int32


def test_get_variable_trainable_collections_and_regularizer():
    with tf.Graph().as_default():
        a = tf.get_variable("a", [2], trainable=False)
        b = tf.get_variable("b", [2], regularizer=lambda w: tf.reduce_sum(w) * 0.0)
        assert tf.trainable_variables() == [b]
        assert tf.global_variables() == [a, b]
        assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_variable_scope_default_name_uniquifies():
    with tf.Graph().as_default():
        with tf.variable_scope(None, default_name="layer"):
            a = tf.get_variable("w", [1])
        with tf.variable_scope(None, default_name="layer"):
            b = tf.get_variable("w", [1])
        assert (a.name, b.name) == ("layer/w:0", "layer_1/w:0")
        with pytest.raises(TypeError):
            with tf.variable_scope(None):
                pass


def test_get_variable_scope_and_dtype():
    with tf.Graph().as_default():
        with tf.variable_scope("s", dtype=tf.float64):
            assert tf.get_variable_scope().name == "s"
            assert tf.get_variable("x", [1]).dtype == tf.float64
        assert tf.get_variable_scope().name == ""


def test_control_dependencies_order_nesting_and_clearing():
    with tf.Graph().as_default():
        v = tf.Variable(0.0)
        a = tf.assign_add(v, 1.0)
        b = tf.assign_add(v, 10.0)
        with tf.control_dependencies([a]):
            with tf.control_dependencies([b.op]):
                r = tf.identity(v)
                assert set(r.op.control_inputs) == {a.op, b.op}
            with tf.control_dependencies(None):
                free = tf.identity(v)
                assert free.op.control_inputs == []
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(r) == 11.0
            assert sess.run(free) == 11.0
            assert sess.run(r) == 22.0


def test_control_dependencies_domination_rule_and_execution():
    with tf.Graph().as_default():
        v = tf.Variable(0.0)
        upd = tf.assign_add(v, 1.0)
        x = tf.placeholder(tf.float32, [])
        with tf.control_dependencies([upd]):
            a = tf.identity(x)
            b = a * 2.0       # its input 'a' was made in the block: no control input of its own
            c = x + 1.0       # x was made outside; the constant 1.0 inside: dominated as well
            d = tf.identity(x)
        assert a.op.control_inputs == [upd.op] and d.op.control_inputs == [upd.op]
        assert b.op.control_inputs == [] and c.op.control_inputs == []
        with tf.Session() as sess:
            sess.run(v.initializer)
            for i, t in enumerate([b, c], 1):
                sess.run(t, {x: 1.0})
                assert sess.run(v) == i  # the update still runs before b and c


def test_get_variable_ignores_name_scope_and_root_reuse():
    with tf.Graph().as_default():
        with tf.name_scope("ns"):
            v = tf.get_variable("v", [1])
            with tf.variable_scope("vs"):
                w = tf.get_variable("w", [1])
                op = tf.identity(w)
        assert (v.name, w.name, op.name) == ("v:0", "vs/w:0", "ns/vs/Identity:0")
        with tf.variable_scope("x") as xs:
            pass
        with tf.variable_scope("y"):
            with tf.variable_scope(xs):
                assert tf.get_variable("q", [1]).name == "x/q:0"
        with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
            with tf.variable_scope("t", reuse=True):
                assert tf.get_variable_scope().reuse is True
        tf.get_variable_scope().reuse_variables()
        assert tf.get_variable("v") is v


def test_default_name_scopes_follow_tf1_counting():
    def dense():
        with tf.variable_scope(None, default_name="dense"):
            return tf.get_variable("kernel", [1])

    with tf.Graph().as_default():
        with tf.variable_scope("dense"):  # a scope opened by name counts too
            pass
        assert dense().name == "dense_1/kernel:0"
        assert dense().name == "dense_2/kernel:0"
        with tf.variable_scope("model"):
            a, b = dense(), dense()
        assert (a.name, b.name) == ("model/dense/kernel:0", "model/dense_1/kernel:0")
        with tf.variable_scope("model", reuse=True):  # default names restart: the same variables
            assert dense() is a and dense() is b
        with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
            with tf.variable_scope(None, default_name="x", reuse=True):
                pass


def test_default_names_restart_after_a_scope_reentered_by_object():
    # TF1 layers capture their scope once and re-enter it by object; the enclosing named scope
    # must still restart default names when it is opened again (a model built twice, reused).
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            with tf.variable_scope(None, default_name="dense") as captured:
                pass
            with tf.variable_scope(captured, auxiliary_name_scope=False):
                pass
        with tf.variable_scope("net", reuse=True):
            with tf.variable_scope(None, default_name="dense") as again:
                pass
        assert (captured.name, again.name) == ("net/dense", "net/dense")


def test_get_variable_takes_a_value_initializers_dtype_as_tensorflow():
    # recorded with TF 2.21's tf.compat.v1.get_variable: float64, float64, int32, float32
    g = tf.Graph()
    with g.as_default():
        a = tf.get_variable("a", initializer=tf.constant(np.ones(2), tf.float64))
        b = tf.get_variable("b", initializer=np.ones(2, np.float64))
        c = tf.get_variable("c", initializer=[1, 2])
        d = tf.get_variable("d", initializer=3.0)
        e = tf.get_variable("e", initializer=np.ones(2), dtype=tf.float32)
    assert [v.dtype.base_dtype.name for v in (a, b, c, d, e)] == \
        ["float64", "float64", "int32", "float32", "float32"]
