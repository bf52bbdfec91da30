"""tf.cond / tf.case / tf.switch_case: branch selection, laziness, structures, gradients, errors."""
import numpy as np
import pytest

import tfgraph as tf


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default() as g:
        yield g


def test_untaken_branch_does_not_run():
    x = tf.constant([1.0, 2.0, 3.0])
    i = tf.placeholder(tf.int32, [])
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.gather(x, i), lambda: tf.reduce_sum(x))
    with tf.Session() as sess:
        assert sess.run(y, {p: False, i: 100}) == 6.0    # the gather would fail if it ran
        assert sess.run(y, {p: True, i: 1}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(y, {p: True, i: 100})
    assert "GatherV2" in str(e.value)


def test_branch_ops_and_variables_named_under_the_cond_scope():
    x = tf.constant([1.0, 2.0, 3.0])
    i = tf.placeholder(tf.int32, [])
    with tf.name_scope("model"):
        y = tf.cond(i > 0, lambda: tf.gather(x, i) * tf.Variable(2.0, name="v"),
                    lambda: tf.reduce_sum(x))
    assert [v.name for v in tf.global_variables()] == ["model/cond/v:0"]  # TF1's name
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y, {i: 1}) == 4.0
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(y, {i: 7})
    assert "'model/cond/GatherV2'" in str(e.value)
    assert "in branch 'model/cond/true' of If 'model/cond'" in str(e.value)
    assert "test_cond_ops.py:" in str(e.value)


def test_untaken_branch_stateful_ops_do_not_run():
    v = tf.Variable(0.0)
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.assign_add(v, 1.0), lambda: tf.assign_add(v, 10.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(y, {p: True})
        sess.run(y, {p: True})
        assert sess.run(v) == 2.0
        assert sess.run(y, {p: False}) == 12.0


def test_python_values_legacy_keywords_and_strict():
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, fn1=lambda: [tf.constant(1)], fn2=lambda: [2])
    assert isinstance(y, tf.Tensor)  # TF1 unpacks a one-element list unless strict
    ys = tf.cond(p, lambda: [tf.constant(1)], lambda: [2], strict=True)
    assert isinstance(ys, list) and len(ys) == 1
    with tf.Session() as sess:
        assert sess.run(y, {p: True}) == 1 and sess.run(ys, {p: False}) == [2]
    with pytest.raises(TypeError, match="fn1"):
        tf.cond(p, lambda: 1, lambda: 2, fn1=lambda: 1)
    with pytest.raises(TypeError, match="Python bool"):
        tf.cond(True, lambda: 1, lambda: 2)


def test_output_shape_is_most_specific_compatible():
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.ones([2, 4]))
    assert y.shape.as_list() == [2, None]


def test_mismatched_branches_raise_with_location():
    p = tf.placeholder(tf.bool, [])
    with pytest.raises(ValueError, match="same type") as e:
        tf.cond(p, lambda: tf.constant(1), lambda: tf.constant(1.0))
    assert "test_cond_ops.py" in str(e.value)
    with pytest.raises(ValueError, match="same nested structure"):
        tf.cond(p, lambda: (tf.constant(1), tf.constant(2)), lambda: tf.constant(1))


def test_gradient_of_untaken_branch_is_zero_and_numeric_check():
    x = tf.constant(np.linspace(-1, 1, 6).reshape(2, 3))
    w = tf.constant(np.linspace(0.5, 2, 3))
    p = tf.placeholder_with_default(True, [])
    y = tf.cond(p, lambda: tf.tanh(x * w), lambda: x * x)
    gw = tf.gradients(y, w)[0]
    with tf.Session() as sess:
        assert np.all(sess.run(gw, {p: False}) == 0)
        err = tf.test.compute_gradient_error([x, w], [(2, 3), (3,)], y, (2, 3))
    assert err < 1e-5


def test_nested_cond_gradient_numeric():
    x = tf.constant(np.array([0.3, -0.7, 1.2]))
    a = tf.constant(np.array(0.9))
    y = tf.cond(a > 0.5,
                lambda: tf.cond(tf.reduce_sum(x) > 0, lambda: tf.sin(x) * a, lambda: x),
                lambda: x * 0.0)
    with tf.Session():
        err = tf.test.compute_gradient_error([x, a], [(3,), ()], y, (3,))
    assert err < 1e-6


def test_case_checks():
    i = tf.placeholder(tf.int32, [])
    y = tf.case([(i > 0, lambda: tf.constant(1)), (i > 1, lambda: tf.constant(2))],
                exclusive=True)
    first = tf.case({i > 0: lambda: tf.constant(1), i > 1: lambda: tf.constant(2)},
                    default=lambda: tf.constant(0))
    with tf.Session() as sess:
        assert sess.run(y, {i: 1}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="more than 1"):
            sess.run(y, {i: 2})
        with pytest.raises(tf.errors.InvalidArgumentError, match="no default"):
            sess.run(y, {i: 0})
        assert [sess.run(first, {i: k}) for k in (0, 1, 2)] == [0, 1, 1]


def test_switch_case_out_of_range_runs_default():
    i = tf.placeholder(tf.int32, [])
    y = tf.switch_case(i, {0: lambda: tf.constant(10), 1: lambda: tf.constant(11)},
                       default=lambda: tf.constant(-1))
    z = tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(11)])
    with tf.Session() as sess:
        assert [sess.run(y, {i: k}) for k in (0, 1, 5, -3)] == [10, 11, -1, -1]
        assert [sess.run(z, {i: k}) for k in (0, 1, 5)] == [10, 11, 11]


def test_graph_def_round_trip_and_viz():
    from tfgraph.viz import dot, networkx_export
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.Variable([1.0, 2.0], name="v")
    y = tf.cond(p, lambda: tf.cond(p, lambda: x * v, lambda: x),
                lambda: tf.stop_gradient(tf.assign_add(v, x)))
    out = tf.identity(y, name="out")
    grad = tf.identity(tf.gradients(out, x)[0], name="grad")
    data = tf.get_default_graph().as_graph_def().SerializeToString()
    assert "cond" in dot.to_dot(tf.get_default_graph())
    assert networkx_export.to_networkx(tf.get_default_graph()).number_of_nodes() >= 2
    feeds = {"x:0": [3.0, 4.0]}
    with tf.Session() as sess:
        sess.run(v.initializer)
        want = sess.run([out, grad], dict(feeds, **{"p:0": True}))
    with tf.Graph().as_default():
        tf.import_graph_def(data, name="imp")
        with tf.Session() as sess:
            sess.run("imp/v/Assign")
            got = sess.run(["imp/out:0", "imp/grad:0"], {"imp/x:0": [3.0, 4.0], "imp/p:0": True})
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])
            sess.run("imp/out:0", {"imp/x:0": [3.0, 4.0], "imp/p:0": False})  # the imported
            np.testing.assert_array_equal(sess.run("imp/v:0"), [4.0, 6.0])  # assign_add ran


def test_cond_in_loop_body_captures_outer_predicate():
    p = tf.placeholder(tf.bool, [])
    y = tf.while_loop(lambda h: h < 100.0,
                      lambda h: tf.cond(p, lambda: h * 3.0, lambda: h + 50.0), [1.0])
    s = tf.switch_case(tf.constant(1), [lambda: y, lambda: y * 2.0])
    with tf.Session() as sess:
        assert sess.run(y, {p: True}) == 243.0 and sess.run(y, {p: False}) == 101.0
        assert sess.run(s, {p: False}) == 202.0


def test_branches_returning_ops_give_a_bool_that_runs_them():
    v = tf.Variable(0.0)
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.assign_add(v, 1.0).op, lambda: tf.group(tf.assign_add(v, 5.0)))
    assert isinstance(r, tf.Tensor) and r.dtype == tf.bool  # as TF1's pivot stand-in
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {p: True}) and sess.run(r, {p: False})
        assert sess.run(v) == 6.0


def test_tensor_array_through_cond():
    p = tf.placeholder(tf.bool, [])
    ta = tf.TensorArray(tf.float32, size=2).write(0, [1.0, 2.0])
    out = tf.cond(p, lambda: ta.write(1, [3.0, 4.0]), lambda: ta.write(1, [0.0, 0.0]))
    assert isinstance(out, tf.TensorArray)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out.stack(), {p: True}), [[1, 2], [3, 4]])
        np.testing.assert_array_equal(sess.run(out.stack(), {p: False}), [[1, 2], [0, 0]])
