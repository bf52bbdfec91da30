"""Bad input: TF1's error classes and messages naming the op and the user's file:line; no damage."""
import re

import numpy as np
import pytest

import tfgraph as tf

WHERE = r"test_errors.py:\d+"


def test_error_classes_exist_under_tf_errors():
    for name in ["OpError", "InvalidArgumentError", "FailedPreconditionError", "NotFoundError",
                 "DataLossError", "OutOfRangeError", "ResourceExhaustedError", "UnknownError",
                 "CancelledError", "AbortedError", "UnimplementedError", "InternalError"]:
        cls = getattr(tf.errors, name)
        assert issubclass(cls, tf.errors.OpError) and issubclass(cls, Exception)
    e = tf.errors.InvalidArgumentError(None, None, "msg")
    assert e.message == "msg" and e.error_code == tf.errors.INVALID_ARGUMENT and e.op is None
    assert tf.errors.NotFoundError(None, None, "m").error_code == tf.errors.NOT_FOUND


def test_uninitialized_variable_is_failed_precondition():
    with tf.Graph().as_default():
        W = tf.Variable(tf.zeros([2]), name="W")
        y = W * 2.0
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError,
                               match=r"uninitialized value W(.|\n)*" + WHERE) as e:
                sess.run(y)
            assert e.value.op.name == "W"
            with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value W"):
                sess.run(W.assign_add([1.0, 1.0]))
            sess.run(W.initializer)
            np.testing.assert_array_equal(sess.run(y), [0.0, 0.0])


def test_runtime_shape_mismatch_in_kernel_names_op_and_shapes():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, None], name="a")
        b = tf.placeholder(tf.float32, [None, None], name="b")
        m = tf.matmul(a, b, name="mm"); line = _line()  # noqa: E702
        s = tf.add(a, b, name="sum")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as e:
                sess.run(m, {a: np.ones((2, 3)), b: np.ones((4, 5))})
            msg = str(e.value)
            assert "MatMul" in msg and "'mm'" in msg and "[2, 3]" in msg and "[4, 5]" in msg
            assert "test_errors.py:%d" % line in msg
            assert e.value.op is m.op
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"sum(.|\n)*\[2, 3\], \[3, 2\]"):
                sess.run(s, {a: np.ones((2, 3)), b: np.ones((3, 2))})
            # the session still works afterwards
            assert sess.run(m, {a: np.ones((2, 3)), b: np.ones((3, 1))}).shape == (2, 1)


def _line():
    import sys
    return sys._getframe(1).f_lineno


def test_run_rejected_for_its_feeds_changes_no_state():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        v = tf.Variable([1.0, 1.0], name="v")
        inc = tf.assign_add(v, [1.0, 1.0])
        with tf.Session() as sess:
            sess.run(v.initializer)
            for bad in ({x: np.ones(3)}, {x: ["a", "b"]}, {"nope:0": 1.0}):
                with pytest.raises((ValueError, TypeError)):
                    sess.run([inc, x * 2.0], bad)
            with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder tensor 'x'"):
                sess.run([inc, x * 2.0])  # x unfed: rejected before inc runs
            with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder tensor 'x'"):
                sess.make_callable([inc, x * 2.0])()
            np.testing.assert_array_equal(sess.run(v), [1.0, 1.0])


def test_failed_update_leaves_variable_intact():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None], name="p")
        v = tf.Variable([1.0, 2.0], name="v")
        add = tf.assign_add(v, p)
        sub = tf.assign_sub(v, p)
        with tf.Session() as sess:
            sess.run(v.initializer)
            for op in (add, sub):
                with pytest.raises(tf.errors.InvalidArgumentError,
                                   match=r"variable v with shape \[2\] using a Tensor "
                                         r"with shape \[3\]"):
                    sess.run(op, {p: [1.0, 2.0, 3.0]})
                np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
            # a failing assign (runtime value of the wrong shape) also keeps the old value
            q = tf.placeholder(tf.float32, None)
            asg = tf.assign(v, q)
            with pytest.raises(tf.errors.InvalidArgumentError, match="Assign"):
                sess.run(asg, {q: [1.0, 2.0, 3.0]})
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
            # a kernel failing later in the same run does not undo or corrupt earlier updates
            bad = tf.matmul(tf.reshape(p, [1, -1]), tf.ones([2, 1]))
            with tf.control_dependencies([add]):
                after = tf.identity(bad)
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(after, {p: [1.0, 1.0, 1.0]})
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_static_errors_are_python_errors_naming_op_and_location():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible(.|\n)*"
                                             + WHERE):
            tf.assign(tf.Variable([1.0, 2.0]), [1.0, 2.0, 3.0])
        with pytest.raises(TypeError, match=WHERE):
            tf.add(tf.constant(1.0), tf.constant(1, tf.int64))
        with pytest.raises(TypeError):
            tf.sqrt(tf.constant(4))  # int input for a float-only op


def test_error_message_format_is_tfs():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="x")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as e:
                sess.run(x * 2.0)
    msg = str(e.value)
    assert msg.startswith("You must feed a value for placeholder tensor 'x'")
    assert re.search(r"\[\[node x \(defined at .*" + WHERE + r"\) \]\]", msg)
