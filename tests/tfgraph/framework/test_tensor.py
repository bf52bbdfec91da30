"""Tensor: names, dtype, static shapes, set_shape, eval, operator overloads."""
import numpy as np
import pytest

import tfgraph as tf


def test_tensor_basics():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="x")
        assert x.name == "x:0" and x.op.name == "x" and x.value_index == 0
        assert x.dtype == tf.float32
        assert x.shape == x.get_shape() and x.shape.as_list() == [None, 784]
        assert str(x.shape) == "(?, 784)"
        assert str(x) == 'Tensor("x:0", shape=(?, 784), dtype=float32)'
        assert x.shape[0].value is None and x.shape[1].value == 784
        u = tf.placeholder(tf.float32)
        assert u.shape.ndims is None and str(u.shape) == "<unknown>"


def test_set_shape_merges_and_rejects():
    with tf.Graph().as_default():
        u = tf.placeholder(tf.float32)
        u.set_shape([None, 3])
        assert u.shape.as_list() == [None, 3]
        u.set_shape([5, None])
        assert u.shape.as_list() == [5, 3]
        with pytest.raises(ValueError, match=r"Shapes \(5, 3\) and \(5, 4\) are not compatible"):
            u.set_shape([5, 4])
        with pytest.raises(ValueError):
            u.set_shape([5])


def test_eq_is_identity_hashable_and_not_bool():
    with tf.Graph().as_default():
        a, b = tf.constant(1.0), tf.constant(1.0)
        assert (a == a) is True and (a == b) is False and (a != b) is True
        assert {a: 1, b: 2}[a] == 1
        with pytest.raises(TypeError, match="as a Python `bool`"):
            bool(a)
        with pytest.raises(TypeError):
            len(a)
        assert [t.name for t in tf.ones([3, 2])] == ["strided_slice:0", "strided_slice_1:0",
                                                   "strided_slice_2:0"]
        with pytest.raises(TypeError):
            iter(tf.placeholder(tf.float32, [None]))


def _run(t, feed=None):
    graph = (t[0] if isinstance(t, list) else t).graph
    with tf.Session(graph=graph) as sess:
        return sess.run(t, feed)


@pytest.mark.parametrize("expr, ref, op_type", [
    (lambda x, y: x + y, lambda x, y: x + y, "AddV2"),
    (lambda x, y: x - y, lambda x, y: x - y, "Sub"),
    (lambda x, y: x * y, lambda x, y: x * y, "Mul"),
    (lambda x, y: x / y, lambda x, y: x / y, "RealDiv"),
    (lambda x, y: x // y, lambda x, y: x // y, "FloorDiv"),
    (lambda x, y: x % y, lambda x, y: np.mod(x, y), "FloorMod"),
    (lambda x, y: abs(x) ** y, lambda x, y: np.abs(x) ** y, "Pow"),
    (lambda x, y: x < y, lambda x, y: x < y, "Less"),
    (lambda x, y: x <= y, lambda x, y: x <= y, "LessEqual"),
    (lambda x, y: x > y, lambda x, y: x > y, "Greater"),
    (lambda x, y: x >= y, lambda x, y: x >= y, "GreaterEqual"),
    (lambda x, y: 2.0 + x, lambda x, y: 2.0 + x, "AddV2"),
    (lambda x, y: 2.0 - x, lambda x, y: 2.0 - x, "Sub"),
    (lambda x, y: 2.0 * x, lambda x, y: 2.0 * x, "Mul"),
    (lambda x, y: 2.0 / y, lambda x, y: 2.0 / y, "RealDiv"),
    (lambda x, y: 7.0 // y, lambda x, y: 7.0 // y, "FloorDiv"),
    (lambda x, y: 7.0 % y, lambda x, y: np.mod(7.0, y), "FloorMod"),
    (lambda x, y: 2.0 ** x, lambda x, y: 2.0 ** x, "Pow"),
    (lambda x, y: np.float32(3) * x, lambda x, y: 3 * x, "Mul"),
    (lambda x, y: np.ones((4, 3), np.float32) - x, lambda x, y: 1 - x, "Sub"),
    (lambda x, y: -x, lambda x, y: -x, "Neg"),
    (lambda x, y: abs(x), lambda x, y: np.abs(x), "Abs"),
])
def test_operator_overloads(expr, ref, op_type):
    rng = np.random.RandomState(0)
    xv = rng.uniform(-3, 3, (4, 3)).astype(np.float32)
    yv = rng.uniform(0.5, 2, (3,)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.placeholder(tf.float32, [3])
        out = expr(x, y)
        assert isinstance(out, tf.Tensor) and out.op.type == op_type
        got = _run(out, {x: xv, y: yv})
    want = ref(xv, yv)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_matmul_and_logical_operators():
    with tf.Graph().as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        m = a @ a
        assert m.op.type == "MatMul"
        np.testing.assert_allclose(_run(m), [[7, 10], [15, 22]])
        np.testing.assert_allclose(_run(np.eye(2, dtype=np.float32) @ a), _run(a))
        p, q = tf.constant([True, False]), tf.constant([True, True])
        np.testing.assert_array_equal(_run(p & q), [True, False])
        np.testing.assert_array_equal(_run(p | q), [True, True])
        np.testing.assert_array_equal(_run(p ^ q), [False, True])
        np.testing.assert_array_equal(_run(~p), [False, True])


def test_integer_operators_keep_int_and_div_gives_float():
    with tf.Graph().as_default():
        a, b = tf.constant([7, -7]), tf.constant([2, 2])
        assert (a // b).dtype == tf.int32 and (a % b).dtype == tf.int32
        np.testing.assert_array_equal(_run(a // b), [3, -4])
        np.testing.assert_array_equal(_run(a % b), [1, 1])
        d = a / b
        assert d.dtype == tf.float64  # TF1 truediv of int32 gives float64
        np.testing.assert_allclose(_run(d), [3.5, -3.5])


def test_mixing_dtypes_without_cast_is_type_error_naming_op_and_line():
    with tf.Graph().as_default():
        f = tf.constant([1.0])
        i = tf.constant([1])
        with pytest.raises(TypeError, match=r"Input 1 of 'AddV2' Op has type int32 that does not "
                                            r"match type float32 .*test_tensor.py:\d+"):
            f + i
        with pytest.raises(TypeError):
            tf.matmul(tf.ones([2, 2]), tf.ones([2, 2], dtype=tf.float64))
        with pytest.raises(TypeError):
            i + 1.5  # a non-integral python float can't become int32
        assert (i + 2).dtype == tf.int32  # python scalars adopt the tensor's dtype


def test_incompatible_static_shapes_name_both_shapes_op_and_line():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                             r"'MatMul' \(op: 'MatMul'\) with input shapes: "
                                             r"\[2,3\], \[4,5\]\. Created at .*test_tensor.py:\d+"):
            tf.matmul(tf.ones([2, 3]), tf.ones([4, 5]))
        with pytest.raises(ValueError, match=r"\[\?,3\], \[4\]"):
            tf.placeholder(tf.float32, [None, 3]) + tf.ones([4])


def test_eval_and_run_use_default_session():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        y = x + 1.0
        v = tf.Variable(3.0)
        with pytest.raises(ValueError, match="No default session"):
            y.eval({x: 1.0})
        with tf.Session() as sess:
            v.initializer.run()
            assert y.eval({x: 1.0}) == 2.0
            assert y.eval(feed_dict={x: 2.0}, session=sess) == 3.0
            assert v.eval() == 3.0
        other = tf.Session(graph=tf.Graph())
        with pytest.raises(ValueError, match="graph is different"):
            y.eval({x: 1.0}, session=other)


def test_getitem():
    val = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    with tf.Graph().as_default():
        x = tf.constant(val)
        cases = [(1,), (-1,), (slice(None, None, 2),), (Ellipsis, 1), (slice(None), None, 1),
                 (0, slice(1, None), slice(None, None, -1)), (slice(None, None, -1),),
                 (Ellipsis, None), (1, -1, -2)]
        outs = [x[c if len(c) > 1 else c[0]] for c in cases]
        got = _run(outs)
    for c, g in zip(cases, got):
        np.testing.assert_array_equal(g, val[c if len(c) > 1 else c[0]])
