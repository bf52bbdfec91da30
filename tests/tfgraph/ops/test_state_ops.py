"""Assign, AssignAdd, AssignSub and VariableV2 reads."""
import numpy as np
import pytest

import tfgraph as tf


def test_assign_validate_shape_false_changes_shape():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        p = tf.placeholder(tf.float32, None)
        grow = tf.assign(v, p, validate_shape=False)
        assert grow.shape.ndims is None
        with tf.Session() as sess:
            sess.run(v.initializer)
            np.testing.assert_array_equal(sess.run(grow, {p: [1.0, 2.0, 3.0]}), [1.0, 2.0, 3.0])
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])


def test_assign_to_non_variable_is_type_error():
    with tf.Graph().as_default():
        c = tf.constant([1.0])
        with pytest.raises(TypeError, match="mutable tensor"):
            tf.assign(c, [2.0])
        with pytest.raises(TypeError, match="mutable tensor"):
            tf.assign_add(c, [2.0])


def test_update_with_broadcast_delta_and_int_variables():
    with tf.Graph().as_default():
        v = tf.Variable(tf.zeros([2, 3]))
        row = tf.assign_add(v, [1.0, 2.0, 3.0])
        i = tf.Variable([5, 6])
        dec = tf.assign_sub(i, [1, 1])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(row), [[1, 2, 3], [1, 2, 3]])
            out = sess.run(dec)
            assert out.dtype == np.int32
            np.testing.assert_array_equal(out, [4, 5])


def test_assign_from_other_variable_copies_value():
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0])
        b = tf.Variable([0.0, 0.0])
        copy = tf.assign(b, a)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(copy)
            sess.run(tf.assign_add(a, [10.0, 10.0]))
            np.testing.assert_array_equal(sess.run(b), [1.0, 2.0])  # no aliasing
            np.testing.assert_array_equal(sess.run(a), [11.0, 12.0])


def test_update_result_is_a_snapshot():
    with tf.Graph().as_default():
        v = tf.Variable([0.0])
        inc = tf.assign_add(v, [1.0])
        with tf.Session() as sess:
            sess.run(v.initializer)
            first = sess.run(inc)
            sess.run(inc)
            assert first[0] == 1.0 and sess.run(v)[0] == 2.0


def test_reinitializing_resets_value():
    with tf.Graph().as_default():
        v = tf.Variable(3.0)
        with tf.Session() as sess:
            sess.run(v.initializer)
            sess.run(tf.assign(v, 7.0))
            sess.run(v.initializer)
            assert sess.run(v) == 3.0


def test_conversion_errors_name_op_and_location():
    with tf.Graph().as_default():
        v = tf.Variable([1, 2])
        with pytest.raises(TypeError, match=r"AssignAdd.*test_state_ops.py:\d+"):
            tf.assign_add(v, [0.5, 0.5])


def test_updates_from_views_of_the_same_variable():
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(6, dtype=np.float32))
        rev = tf.assign(v, v[::-1])
        add = tf.assign_add(v, v[::-1])
        with tf.Session() as sess:
            sess.run(v.initializer)
            np.testing.assert_array_equal(sess.run(rev), [5, 4, 3, 2, 1, 0])
            np.testing.assert_array_equal(sess.run(add), [5, 5, 5, 5, 5, 5])
