"""tf.while_loop, tf.TensorArray, scan/map_fn/foldl/foldr: values, errors, numeric gradients."""
import numpy as np
import pytest

import tfgraph as tf


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default() as g:
        yield g


def test_values_against_python_loop():
    x = tf.placeholder(tf.float64, [4])
    n = tf.placeholder(tf.int32, [])
    i, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * 0.5 + tf.sqrt(y + 1.0)),
                         [0, x])
    xv = np.array([0.1, 2.0, 3.0, 9.0])
    with tf.Session() as sess:
        for steps in (0, 1, 7):
            got_i, got_y = sess.run([i, y], {x: xv, n: steps})
            want = xv.copy()
            for _ in range(steps):
                want = want * 0.5 + np.sqrt(want + 1.0)
            assert got_i == steps
            np.testing.assert_allclose(got_y, want, rtol=1e-12)


def test_single_loop_var_and_maximum_iterations():
    y = tf.while_loop(lambda v: v < 1000, lambda v: v * 2, [tf.constant(1)])
    z = tf.while_loop(lambda v: v < 1000, lambda v: v * 2, tf.constant(1), maximum_iterations=4)
    assert isinstance(y, tf.Tensor) and isinstance(z, tf.Tensor)
    with tf.Session() as sess:
        assert sess.run([y, z]) == [1024, 16]


def test_body_changing_dtype_names_loop_and_line():
    with pytest.raises(TypeError) as e:
        tf.while_loop(lambda v: v < 3, lambda v: tf.cast(v, tf.float32), [tf.constant(0)],
                      name="my_loop")
    msg = str(e.value)
    assert "my_loop" in msg and "test_while_ops.py:" in msg
    assert "int32" in msg and "float32" in msg


def test_body_changing_shape_names_loop_line_and_invariant_fix():
    x = tf.zeros([1, 2])
    with pytest.raises(ValueError) as e:
        tf.while_loop(lambda v: tf.shape(v)[0] < 8, lambda v: tf.concat([v, v], 0), [x],
                      name="grow")
    msg = str(e.value)
    assert "grow" in msg and "test_while_ops.py:" in msg and "shape_invariants" in msg
    y = tf.while_loop(lambda v: tf.shape(v)[0] < 8, lambda v: tf.concat([v, v], 0), [x],
                      shape_invariants=[tf.TensorShape([None, 2])])
    assert y.shape.as_list() == [None, 2]
    with tf.Session() as sess:
        assert sess.run(y).shape == (8, 2)
    with pytest.raises(ValueError, match="not compatible with the initial shape"):
        tf.while_loop(lambda v: True, lambda v: v, [x], shape_invariants=[tf.TensorShape([3])])


def test_captured_variable_is_updated_each_iteration():
    v = tf.Variable(0.0)

    def body(i):
        with tf.control_dependencies([tf.assign_add(v, 2.0)]):
            return i + 1

    i = tf.while_loop(lambda i: i < 5, body, [0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(i) == 5
        assert sess.run(v) == 10.0


def test_loop_is_compiled_once():
    i = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0])
    body = i.op.attrs["body"]
    with tf.Session() as sess:
        assert sess.run(i) == 100 and sess.run(i) == 100
        assert len(sess._state._function_plans) == 2  # cond and body, compiled once
        assert body in sess._state._function_plans


def test_gradient_wrt_inputs_and_captured_numeric():
    x = tf.constant(np.array([0.3, -0.5, 0.8]))
    w = tf.constant(np.array([[0.5, -0.2, 0.1], [0.3, 0.4, -0.6], [0.0, 0.2, 0.9]]))

    def body(i, h):
        return i + 1, tf.tanh(tf.matmul(tf.expand_dims(h, 0), w)[0] + x)

    _, y = tf.while_loop(lambda i, h: i < 4, body, [0, x * 2.0])
    with tf.Session():
        err = tf.test.compute_gradient_error([x, w], [(3,), (3, 3)], y, (3,), delta=1e-6)
    assert err < 1e-6


def test_forward_keeps_only_loop_values_for_backward():
    x = tf.constant(np.array([0.3, -0.5]))
    _, y, total = tf.while_loop(
        lambda i, h, s: i < 3, lambda i, h, s: (i + 1, tf.exp(tf.sin(h) * 2.0), s + h),
        [0, x, tf.zeros([2], tf.float64)])
    op = y.op
    assert len(op.outputs) == 3            # no history before a gradient is asked for
    g = tf.gradients(y, x)[0]
    assert op.outputs[-1].dtype.name == "variant"
    assert op.attrs["keep_history"] == (1,)  # h only: the counter and the sum s are not read
    gt = tf.gradients(total, x)[0]         # s = x + f(x) + f(f(x)): again h only
    assert op.attrs["keep_history"] == (1,)

    def f(h):
        return np.exp(np.sin(h) * 2.0)

    def df(h):
        return f(h) * 2.0 * np.cos(h)

    xv = np.array([0.3, -0.5])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(gt), 1 + df(xv) + df(f(xv)) * df(xv), rtol=1e-12)
    with tf.Session() as sess:
        gv = sess.run(g)
    h, d = np.array([0.3, -0.5]), np.ones(2)
    hs = []
    for _ in range(3):
        hs.append(h)
        h = np.exp(np.sin(h) * 2.0)
    for h in reversed(hs):
        d = d * np.exp(np.sin(h) * 2.0) * 2.0 * np.cos(h)
    np.testing.assert_allclose(gv, d, rtol=1e-12)


def test_tensor_array_ops_and_errors():
    ta = tf.TensorArray(tf.float32, size=3, element_shape=[2])
    ta = ta.scatter([2, 0], [[1.0, 2.0], [3.0, 4.0]]).write(1, [5.0, 6.0])
    assert ta.element_shape.as_list() == [2]
    bad = ta.write(1, [7.0, 8.0])
    big = ta.write(3, [0.0, 0.0])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(ta.stack()), [[3, 4], [5, 6], [1, 2]])
        np.testing.assert_array_equal(sess.run(ta.gather([2, 2])), [[1, 2], [1, 2]])
        np.testing.assert_array_equal(sess.run(ta.concat()), [3, 4, 5, 6, 1, 2])
        assert sess.run(ta.size()) == 3
        with pytest.raises(tf.errors.InvalidArgumentError, match="already been written"):
            sess.run(bad.stack())
        with pytest.raises(tf.errors.InvalidArgumentError, match="not resizeable"):
            sess.run(big.stack())
        empty = tf.TensorArray(tf.float32, size=0, element_shape=[3]).stack()
        assert sess.run(empty).shape == (0, 3)


def test_scan_map_fn_numeric_gradients():
    xs = tf.constant(np.linspace(-1, 1, 12).reshape(4, 3))
    w = tf.constant(np.array([0.5, -1.0, 2.0]))
    y = tf.scan(lambda a, x: tf.sin(a) * w + x, xs) + \
        tf.map_fn(lambda x: x * x * w, xs) + tf.foldr(lambda a, x: a * x, xs)
    with tf.Session():
        err = tf.test.compute_gradient_error([xs, w], [(4, 3), (3,)], y, (4, 3), delta=1e-6)
    assert err < 1e-6


def test_map_fn_dtype_and_static_shape():
    xs = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
    out = tf.map_fn(lambda x: tf.cast(tf.reduce_sum(x), tf.int32), xs, dtype=tf.int32)
    assert out.shape.as_list() == [3] and out.dtype == tf.int32
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), [1, 5, 9])
    with pytest.raises(TypeError, match="dtype"):
        tf.map_fn(lambda x: tf.cast(x, tf.int32), xs)


def test_cond_inside_while_gradient():
    x = tf.constant(np.array([0.4, -0.9]))

    def body(i, h):
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: tf.sin(h) + x, lambda: h * h)

    _, y = tf.while_loop(lambda i, h: i < 5, body, [0, x])
    with tf.Session():
        err = tf.test.compute_gradient_error(x, (2,), y, (2,), delta=1e-6)
    assert err < 1e-6


def test_variables_made_in_body_belong_to_outer_graph():
    x = tf.constant(np.ones((2, 3), np.float32))

    def body(i, h):
        with tf.variable_scope("cell", reuse=tf.AUTO_REUSE):
            w = tf.get_variable("kernel", [3, 3], initializer=tf.constant_initializer(0.5))
        return i + 1, tf.matmul(h, w)

    with tf.variable_scope("rnn"):
        _, y = tf.while_loop(lambda i, h: i < 2, body, [0, x])
    names = [v.name for v in tf.global_variables()]
    assert names == ["rnn/cell/kernel:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y), np.full((2, 3), 2.25))
        grads = sess.run(tf.gradients(tf.reduce_sum(y), tf.trainable_variables()))
    assert grads[0].shape == (3, 3)


def test_saver_and_viewers_work_with_loops(tmp_path):
    from tfgraph.viz import dot, html
    v = tf.Variable(np.ones(3, np.float32))
    _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y + v), [0, tf.zeros(3)])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
        sess.run(tf.assign(v, np.zeros(3, np.float32)))
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(y), [3, 3, 3])
    with tf.Graph().as_default():  # the meta graph carries the loop's body and cond graphs
        restorer = tf.train.import_meta_graph(path + ".meta")
        with tf.Session() as sess:
            restorer.restore(sess, path)
            np.testing.assert_array_equal(sess.run(y.name), [3, 3, 3])
    assert "while" in dot.to_dot(tf.get_default_graph())
    assert "While" in html.to_html(tf.get_default_graph())


def test_error_inside_loop_names_op_loop_and_iteration():
    x = tf.constant([1.0, 2.0, 3.0])
    i = tf.while_loop(lambda i: i < 5, lambda i: i + tf.cast(tf.gather(x, i), tf.int32) * 0 + 1,
                      [tf.constant(0)], name="scan_x")
    j = tf.while_loop(lambda i: i < 2, lambda i: i + 1, [0])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(i)
        assert sess.run(j) == 2
    msg = str(e.value)
    assert "GatherV2" in msg and "iteration 3 of while loop 'scan_x'" in msg
    assert "test_while_ops.py:" in msg


def test_control_dependency_on_outer_op_inside_body():
    v = tf.Variable(1.0)
    bump = tf.assign_add(v, 10.0)

    def body(h):
        with tf.control_dependencies([bump]):  # an op outside the loop: the loop runs after it
            return h + 1.0

    y = tf.while_loop(lambda h: h < 3.0, body, [0.0])
    assert bump.op in y.op.control_inputs
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(y) == 3.0
        assert sess.run(v) == 11.0


def test_tensor_array_split_concat_gradient_and_fresh_array_per_run():
    v = tf.constant(np.arange(12.0).reshape(6, 2))
    ta = tf.TensorArray(tf.float64, size=3).split(v, [1, 3, 2])
    y = tf.reduce_sum(ta.concat() ** 2) + tf.reduce_sum(tf.sin(ta.read(1)))
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(ta.read(2)), [[8, 9], [10, 11]])
        np.testing.assert_array_equal(sess.run(ta.read(2)), [[8, 9], [10, 11]])  # a new array
        err = tf.test.compute_gradient_error(v, (6, 2), y, (), delta=1e-6)
    assert err < 1e-6


def test_unknown_length_elems_gradient():
    xs = tf.placeholder(tf.float64, [None, 2])
    y = tf.scan(lambda a, x: a * x, xs) + tf.map_fn(tf.sin, xs)
    g = tf.gradients(tf.reduce_sum(y), xs)[0]
    xv = np.array([[0.5, 2.0], [1.5, -1.0], [0.3, 0.7]])
    with tf.Session() as sess:
        got = sess.run(g, {xs: xv})
    want = np.cos(xv)
    prods = np.cumprod(xv, axis=0)
    for k in range(3):  # d sum_t prod_{j<=t} x_j / d x_k
        want[k] += sum(prods[t] / xv[k] for t in range(k, 3))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_results_never_alias_fed_arrays_and_loop_does_not_copy_carried_values():
    x = tf.placeholder(tf.float32, [3])
    p = tf.placeholder(tf.bool, [])
    _, same = tf.while_loop(lambda i, b: i < 3, lambda i, b: (i + 1, b), [0, x])
    c = tf.cond(p, lambda: x, lambda: x * 2.0)
    body_plan_source = same.op.attrs["body"].plan
    xv = np.ones(3, np.float32)
    with tf.Session() as sess:
        for fetch in (same, c):
            out = sess.run(fetch, {x: xv, p: True})
            out[0] = 5.0
            assert xv[0] == 1.0
        assert "_copy" not in body_plan_source(sess._state).source


def test_gradient_reuses_random_draws_of_cond_and_loop():
    # dropout-like masks: the gradient must use the forward pass's draws, not new ones
    x = tf.constant(np.linspace(0.5, 2.0, 64))
    training = tf.placeholder_with_default(True, [])
    y = tf.cond(training, lambda: x * tf.floor(tf.random_uniform([64], dtype=tf.float64) + 0.5),
                lambda: x)

    def body(i, h):
        nested = tf.cond(training, lambda: tf.random_uniform([64], dtype=tf.float64), lambda: h)
        return i + 1, h * (tf.random_uniform([64], dtype=tf.float64) + 0.5) + nested * 0.0

    _, z = tf.while_loop(lambda i, h: i < 3, body, [0, y])
    gx = tf.gradients(tf.reduce_sum(z), x)[0]
    with tf.Session() as sess:
        for _ in range(3):
            zv, gv = sess.run([z, gx])
            np.testing.assert_allclose(gv, zv / sess.run(x), rtol=1e-12)  # z is linear in x
            assert 0 < np.count_nonzero(gv) < 64


def test_concurrent_runs_of_one_loop():
    import threading
    x = tf.placeholder(tf.float64, [3])
    ta = tf.TensorArray(tf.float64, size=0, dynamic_size=True)
    _, h, out = tf.while_loop(lambda i, h, ta: i < 50,
                              lambda i, h, ta: (i + 1, tf.sin(h) + x, ta.write(i, h)), [0, x, ta])
    g = tf.gradients(tf.reduce_sum(out.stack()), x)[0]
    sess = tf.Session()
    want = {k: sess.run([h, g], {x: np.full(3, k / 10.0)}) for k in range(4)}
    errors = []

    def work(k):
        for _ in range(5):
            got = sess.run([h, g], {x: np.full(3, k / 10.0)})
            if not (np.array_equal(got[0], want[k][0]) and np.array_equal(got[1], want[k][1])):
                errors.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_gradient_of_body_reading_what_it_wrote():
    # the backward pass must not redo the forward writes (an element is written once)
    x = tf.constant(np.array([0.5, 1.0]))
    p = tf.placeholder_with_default(True, [])

    def body(i, h, ta):
        ta = ta.write(i, tf.sin(h))
        return i + 1, ta.read(i) * 2.0, ta

    _, h, ta = tf.while_loop(lambda i, h, ta: i < 3, body, [0, x, tf.TensorArray(tf.float64, 3)])
    c = tf.cond(p, lambda: tf.TensorArray(tf.float64, 1).write(0, x * x).read(0), lambda: x)
    y = tf.reduce_sum(h) + tf.reduce_sum(ta.stack()) + tf.reduce_sum(c)
    with tf.Session():
        err = tf.test.compute_gradient_error(x, (2,), y, (), delta=1e-6)
    assert err < 1e-8
