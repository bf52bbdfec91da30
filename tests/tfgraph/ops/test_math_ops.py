"""Math ops table: every op vs numpy on several shapes (broadcasting, unknown batch dims), with
float64 gradient checks for the differentiable ones."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.testing.op_check import check_op

BIN_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((None, 3), (1, 3)), ((2, 1, 4), (3, 1)), ((), (2,))]
UN_SHAPES = [(), (5,), (None, 3, 4)]

# (name, tf fn, numpy ref, grad?, low, high)
BINARY = [
    ("add", tf.add, np.add, True, -1, 1),
    ("subtract", tf.subtract, np.subtract, True, -1, 1),
    ("multiply", tf.multiply, np.multiply, True, -1, 1),
    ("truediv", tf.truediv, np.true_divide, True, 0.5, 2),
    ("divide", tf.divide, np.true_divide, True, 0.5, 2),
    ("div", tf.div, np.true_divide, True, 0.5, 2),
    ("realdiv", tf.realdiv, np.true_divide, True, 0.5, 2),
    ("floordiv", tf.floordiv, np.floor_divide, False, -3, 3),
    ("mod", tf.mod, np.mod, False, 0.5, 3),
    ("floormod", tf.floormod, np.mod, False, 0.5, 3),
    ("pow", tf.pow, np.power, True, 0.5, 2),
    ("maximum", tf.maximum, np.maximum, True, -1, 1),
    ("minimum", tf.minimum, np.minimum, True, -1, 1),
    ("squared_difference", tf.squared_difference, lambda x, y: (x - y) ** 2, True, -1, 1),
    ("less", tf.less, np.less, False, -1, 1),
    ("less_equal", tf.less_equal, np.less_equal, False, -1, 1),
    ("greater", tf.greater, np.greater, False, -1, 1),
    ("greater_equal", tf.greater_equal, np.greater_equal, False, -1, 1),
    ("equal", tf.equal, np.equal, False, -1, 1),
    ("not_equal", tf.not_equal, np.not_equal, False, -1, 1),
]

UNARY = [
    ("negative", tf.negative, np.negative, True, -1, 1),
    ("abs", tf.abs, np.abs, True, -1, 1),
    ("sign", tf.sign, np.sign, False, -1, 1),
    ("square", tf.square, np.square, True, -1, 1),
    ("sqrt", tf.sqrt, np.sqrt, True, 0.5, 2),
    ("rsqrt", tf.rsqrt, lambda x: 1 / np.sqrt(x), True, 0.5, 2),
    ("reciprocal", tf.reciprocal, lambda x: 1 / x, True, 0.5, 2),
    ("exp", tf.exp, np.exp, True, -1, 1),
    ("log", tf.log, np.log, True, 0.5, 2),
    ("log1p", tf.log1p, np.log1p, True, -0.5, 1),
    ("sin", tf.sin, np.sin, True, -3, 3),
    ("cos", tf.cos, np.cos, True, -3, 3),
    ("tanh", tf.tanh, np.tanh, True, -2, 2),
    ("sigmoid", tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), True, -4, 4),
    ("round", tf.round, np.round, False, -3, 3),
    ("floor", tf.floor, np.floor, False, -3, 3),
    ("ceil", tf.ceil, np.ceil, False, -3, 3),
]


@pytest.mark.parametrize("name, fn, ref, grad, low, high", BINARY, ids=[r[0] for r in BINARY])
def test_binary(name, fn, ref, grad, low, high):
    check_op(fn, ref, BIN_SHAPES, grad=grad, low=low, high=high)


@pytest.mark.parametrize("name, fn, ref, grad, low, high", UNARY, ids=[r[0] for r in UNARY])
def test_unary(name, fn, ref, grad, low, high):
    check_op(fn, ref, UN_SHAPES, grad=grad, low=low, high=high)


@pytest.mark.parametrize("fn, ref", [
    (tf.add, np.add), (tf.subtract, np.subtract), (tf.multiply, np.multiply),
    (tf.floordiv, np.floor_divide), (tf.mod, np.mod), (tf.maximum, np.maximum),
    (tf.minimum, np.minimum), (tf.less, np.less), (tf.equal, np.equal)])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_binary_integer(fn, ref, dtype):
    rng = np.random.RandomState(1)
    x = rng.randint(-9, 9, (2, 3)).astype(dtype)
    y = rng.randint(1, 5, (3,)).astype(dtype) * rng.choice([-1, 1], 3).astype(dtype)
    check_op(fn, ref, [((2, 3), (3,))], dtype=dtype, inputs=[x, y])


@pytest.mark.parametrize("fn, ref", [(tf.negative, np.negative), (tf.abs, np.abs),
                                     (tf.sign, np.sign), (tf.square, np.square)])
def test_unary_integer(fn, ref):
    check_op(fn, ref, [(4,)], dtype=np.int32, low=-5, high=5)


def test_float16_and_float64_keep_dtype():
    for dt in (np.float16, np.float64):
        check_op(lambda x, y: x * y + tf.exp(x), lambda x, y: x * y + np.exp(x),
                 [((2, 3), (3,))], dtype=dt, rtol=1e-3 if dt == np.float16 else 1e-6, atol=1e-3)


def test_scalar_python_operands_do_not_upcast():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        outs = [x * 0.1, 0.1 * x, x + 1e-3, x / 3.0, x ** 2, tf.maximum(x, 0.5)]
        with tf.Session() as sess:
            for v in sess.run(outs, {x: [1.0, 2.0]}):
                assert v.dtype == np.float32


@pytest.mark.parametrize("fn, ref", [
    (tf.logical_and, np.logical_and), (tf.logical_or, np.logical_or),
    (tf.logical_xor, np.logical_xor)])
def test_logical_binary(fn, ref):
    check_op(fn, ref, [((4,), (4,)), ((None, 3), (3,))], dtype=np.bool_)


def test_logical_not_and_bool_checks():
    check_op(tf.logical_not, np.logical_not, [(5,)], dtype=np.bool_)
    with tf.Graph().as_default():
        with pytest.raises(TypeError):
            tf.logical_and(tf.constant([1.0]), tf.constant([1.0]))


def test_floor_mod_and_div_follow_python_signs():
    x = np.array([7.0, -7.0, 7.0, -7.0], np.float32)
    y = np.array([2.0, 2.0, -2.0, -2.0], np.float32)
    check_op(tf.floordiv, np.floor_divide, [((4,), (4,))], inputs=[x, y])
    check_op(tf.mod, np.mod, [((4,), (4,))], inputs=[x, y])


def test_round_is_half_to_even():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5], np.float32)
    check_op(tf.round, lambda v: np.array([0, 2, 2, 0, -2], np.float32), [(5,)], inputs=[x])


MATMUL = [
    (dict(), (3, 4), (4, 5)),
    (dict(transpose_a=True), (4, 3), (4, 5)),
    (dict(transpose_b=True), (3, 4), (5, 4)),
    (dict(transpose_a=True, transpose_b=True), (4, 3), (5, 4)),
    (dict(), (None, 4), (4, 2)),
    (dict(), (2, 3, 4), (2, 4, 5)),
    (dict(), (None, 3, 4), (4, 5)),
    (dict(adjoint_a=True), (2, 4, 3), (1, 4, 5)),
    (dict(transpose_b=True), (2, 2, 3, 4), (2, 5, 4)),
]


@pytest.mark.parametrize("kw, sa, sb", MATMUL)
def test_matmul(kw, sa, sb):
    ta = kw.get("transpose_a") or kw.get("adjoint_a")
    tb = kw.get("transpose_b") or kw.get("adjoint_b")

    def ref(a, b):
        return np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)
    check_op(lambda a, b: tf.matmul(a, b, **kw), ref, [(sa, sb)], grad=True)


def test_matmul_op_types_and_static_shapes():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, 4])
        assert tf.matmul(a, tf.ones([4, 2])).op.type == "MatMul"
        b = tf.matmul(tf.placeholder(tf.float32, [None, 3, 4]), tf.ones([4, 2]))
        assert b.op.type == "BatchMatMulV2" and b.shape.as_list() == [None, 3, 2]
        assert tf.matmul(a, tf.ones([4, 2]), transpose_b=False).shape.as_list() == [None, 2]
        with pytest.raises(ValueError, match="Dimensions must be equal"):
            tf.matmul(tf.ones([2, 3, 4]), tf.ones([2, 5, 4]))


REDUCE = [
    (tf.reduce_sum, np.sum, True), (tf.reduce_mean, np.mean, True),
    (tf.reduce_max, np.max, True), (tf.reduce_min, np.min, True),
    (tf.reduce_prod, np.prod, True),
]
AXES = [(None, False), (0, False), (1, True), (-1, False), ([0, 2], True), ((1, 2), False)]


@pytest.mark.parametrize("fn, ref, grad", REDUCE, ids=[r[1].__name__ for r in REDUCE])
@pytest.mark.parametrize("axis, keep", AXES)
def test_reductions(fn, ref, grad, axis, keep):
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    check_op(lambda x: fn(x, axis=axis, keepdims=keep),
             lambda x: ref(x, axis=np_axis, keepdims=keep), [(2, 3, 4), (None, 3, 4)],
             grad=grad, low=0.5, high=2)


@pytest.mark.parametrize("fn, ref, grad", REDUCE, ids=[r[1].__name__ for r in REDUCE])
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int32])
def test_reduction_kernels_equal_numpy_bit_for_bit(fn, ref, grad, dtype):
    # The kernels call the ufunc's reduce (and divide for Mean) instead of np.sum/np.mean: same
    # summation order and rounding, so the results must be identical, not merely close.
    rng = np.random.default_rng(3)
    x = (rng.random((37, 5, 129)) * 0.5 + 0.5).astype(dtype)  # float16 sums stay finite
    p = tf.placeholder(tf.as_dtype(dtype), [None, 5, 129])
    with tf.Session() as sess:
        for axis, keep in AXES + [([0, 1, 2], False)]:
            if ref is np.prod or (dtype == np.int32 and ref is np.mean):
                continue  # int Mean truncates as TF does; products of 24k values overflow
            np_axis = tuple(axis) if isinstance(axis, list) else axis
            got = sess.run(fn(p, axis=axis, keepdims=keep), {p: x})
            want = np.asarray(ref(x, axis=np_axis, keepdims=keep), dtype=dtype)
            assert got.dtype == want.dtype and got.shape == want.shape
            if ref is np.sum and axis == 0 and dtype != np.int32:
                # leading axes of a float take the column-sum kernel (next test): blocked order
                np.testing.assert_allclose(got, want, rtol=1e-3 if dtype == np.float16 else 1e-6)
                continue
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape, axis, keep", [((300, 7), [0], False), ((6, 5, 4, 3), [0, 1, 2],
                                                                         True),
                                               ((6, 5, 4, 3), [0, 1], False), ((0, 4), [0], True),
                                               ((5, 0, 2), [0], False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sums_over_leading_axes_take_the_column_sum_kernel(shape, axis, keep, dtype):
    # a bias gradient (`conv2d(x, W) + b`): summed like BiasAddGrad, in blocks
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape).astype(dtype)
    p = tf.placeholder(tf.as_dtype(dtype), [None] + list(shape[1:]))
    with tf.Session() as sess:
        got = sess.run(tf.reduce_sum(p, axis=axis, keepdims=keep), {p: x})
    want = x.astype(np.float64).sum(axis=tuple(axis), keepdims=keep)
    assert got.dtype == dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_a_long_leading_axis_sum_rounds_like_blocks_not_like_a_running_sum():
    x = np.full((2 ** 20, 2), 0.1, np.float32)
    with tf.Session() as sess:
        got = sess.run(tf.reduce_sum(tf.constant(x), axis=0))
    exact = 0.1 * 2 ** 20
    running = np.cumsum(x[:, 0])[-1]     # row after row, as a plain axis-0 loop would
    assert abs(got[0] - exact) < abs(running - exact) / 100


def test_reductions_old_spellings_and_static_shapes():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 3, 4])
        a = tf.reduce_sum(p, reduction_indices=[1], keep_dims=True)
        b = tf.reduce_mean(p, reduction_indices=2)
        c = tf.reduce_max(p)
        assert a.shape.as_list() == [None, 1, 4] and b.shape.as_list() == [None, 3]
        assert c.shape.as_list() == []
        with pytest.raises(ValueError):
            tf.reduce_sum(p, axis=0, reduction_indices=0)
        with pytest.raises(ValueError, match="Invalid reduction dimension"):
            tf.reduce_sum(p, axis=3)
        with tf.Session() as sess:
            av, bv, cv = sess.run([a, b, c], {p: x})
    np.testing.assert_array_equal(av, x.sum(1, keepdims=True))
    np.testing.assert_allclose(bv, x.mean(2))
    assert cv == 23.0 and cv.dtype == np.float32


def test_reduce_int_and_bool():
    check_op(lambda x: tf.reduce_sum(x, axis=1), lambda x: x.sum(1, dtype=x.dtype), [(3, 4)],
             dtype=np.int32)
    check_op(lambda x: tf.reduce_any(x, axis=0), lambda x: x.any(0), [(3, 4)], dtype=np.bool_)
    check_op(lambda x: tf.reduce_all(x, axis=1, keepdims=True), lambda x: x.all(1, keepdims=True),
             [(3, 4)], dtype=np.bool_)


def test_reduce_max_gradient_splits_ties():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float64, [2, 3])
        g = tf.gradients(tf.reduce_max(p, axis=1), p)[0]
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(g, {p: x}), [[0, 0.5, 0.5], [1, 0, 0]])


def test_argmax_argmin():
    check_op(lambda x: tf.argmax(x, axis=1), lambda x: np.argmax(x, 1), [(3, 5), (None, 4)])
    check_op(lambda x: tf.argmin(x, 0), lambda x: np.argmin(x, 0), [(3, 5)])
    with tf.Graph().as_default():
        assert tf.argmax(tf.ones([2, 3]), 1).dtype == tf.int64
        assert tf.argmax(tf.ones([2, 3]), dimension=1).shape.as_list() == [2]


@pytest.mark.parametrize("dst", [tf.int32, tf.int64, tf.float64, tf.float16, tf.bool, tf.uint8])
def test_cast(dst):
    x = np.array([-1.7, -0.2, 0.0, 0.6, 2.9], np.float32)
    want = np.abs(x).astype(dst.as_numpy_dtype) if dst == tf.uint8 else x.astype(dst.as_numpy_dtype)
    fn = (lambda v: tf.cast(tf.abs(v), dst)) if dst == tf.uint8 else (lambda v: tf.cast(v, dst))
    check_op(fn, lambda v: want, [(5,)], inputs=[x])


def test_cast_gradient_and_helpers():
    check_op(lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64) * x,
             lambda x: x.astype(np.float32).astype(np.float64) * x, [(3,)], dtype=np.float64,
             grad=True, grad_tol=1e-3)
    with tf.Graph().as_default():
        i = tf.constant([1, 2])
        assert tf.to_float(i).dtype == tf.float32 and tf.to_int64(i).dtype == tf.int64
        assert tf.cast(i, tf.int32) is i


WHERE = [((4,), (4,), (4,)), ((2, 3), (None, 3), (None, 3)), ((3,), (2, 3), (1, 3)),
         ((), (2, 3), (2, 3)), ((), (1, 3), (2, 1))]   # scalar conditions: one input, broadcast


@pytest.mark.parametrize("sc, sx, sy", WHERE)
def test_where_select(sc, sx, sy):
    cond = np.random.RandomState(0).rand(*sc) > 0.5
    check_op(lambda x, y: tf.where(tf.constant(cond), x, y), lambda x, y: np.where(cond, x, y),
             [(sx, sy)], grad=True)


def test_where_with_scalar_condition_returns_a_fresh_array():
    v = tf.Variable(np.ones((2, 3), np.float32))
    pick = tf.placeholder(tf.bool, [])
    out = tf.where(pick, v, tf.zeros((2, 3)))
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(out, {pick: True})
        got[0, 0] = 5.0                        # must not write into the variable
        np.testing.assert_array_equal(sess.run(v), np.ones((2, 3)))
        np.testing.assert_array_equal(sess.run(out, {pick: False}), np.zeros((2, 3)))


@pytest.mark.parametrize("shape", [(), (2,), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_where_with_scalar_condition_and_equal_shapes_keeps_dtype_and_copies(shape, dtype):
    # the kernel's fast path (Keras's dropout selects its rate and noise shape so every step)
    x = tf.placeholder(dtype, shape)
    y = tf.placeholder(dtype, shape)
    pick = tf.placeholder(tf.bool, [])
    out = tf.where(pick, x, y)
    xv, yv = np.full(shape, 3, dtype), np.full(shape, 4, dtype)
    with tf.Session() as sess:
        for p, want in ((True, xv), (False, yv)):
            got = sess.run(out, {pick: p, x: xv, y: yv})
            assert got.dtype == dtype and got.shape == shape
            np.testing.assert_array_equal(got, want)
            if shape:                          # (a 0-d result is fetched as a numpy scalar)
                got[...] = 9                   # a copy: the fed array stays as it was
            assert want.flat[0] in (3, 4) and (want == want.flat[0]).all()


def test_where_indices():
    with tf.Graph().as_default():
        w = tf.where(tf.constant([[True, False], [False, True]]))
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(w), [[0, 0], [1, 1]])


@pytest.mark.parametrize("kw", [dict(), dict(axis=1), dict(exclusive=True), dict(reverse=True),
                                dict(axis=1, exclusive=True, reverse=True), dict(axis=-1)])
def test_cumsum(kw):
    def ref(x):
        axis = kw.get("axis", 0)
        y = np.flip(x, axis) if kw.get("reverse") else x
        c = np.cumsum(y, axis=axis)
        if kw.get("exclusive"):
            c = c - y
        return np.flip(c, axis) if kw.get("reverse") else c
    check_op(lambda x: tf.cumsum(x, **kw), ref, [(4, 3), (None, 3)], grad=True)


def test_add_n_and_clip_by_value():
    check_op(lambda a, b, c: tf.add_n([a, b, c]), lambda a, b, c: a + b + c,
             [((2, 3), (2, 3), (2, 3)), ((None, 4), (None, 4), (None, 4))], grad=True)
    check_op(lambda a: tf.add_n([a]), lambda a: a, [(3,)])
    check_op(lambda x: tf.clip_by_value(x, -0.5, 0.3), lambda x: np.clip(x, -0.5, 0.3),
             [(10,), (None, 4)], grad=True)
    check_op(lambda x, lo: tf.clip_by_value(x, lo, 0.9), lambda x, lo: np.clip(x, lo, 0.9),
             [((3, 4), (4,))])
    with tf.Graph().as_default():
        with pytest.raises(TypeError):
            tf.add_n([tf.ones([2]), tf.ones([2], dtype=tf.float64)])
        assert tf.clip_by_value(tf.ones([2]), 0.0, 1.0).op.name == "clip_by_value"


def test_gradient_of_composed_expression_with_unknown_batch():
    check_op(lambda x, w, b: tf.reduce_mean(tf.tanh(tf.matmul(x, w) + b) ** 2.0, axis=1),
             lambda x, w, b: np.mean(np.tanh(x @ w + b) ** 2, axis=1),
             [((None, 3), (3, 4), (4,))], grad=True)


def test_static_broadcast_errors_name_op():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"for 'Maximum' \(op: 'Maximum'\) with input shapes: "
                                             r"\[2,3\], \[4\]"):
            tf.maximum(tf.ones([2, 3]), tf.ones([4]))
        with pytest.raises(TypeError):
            tf.sqrt(tf.constant([4, 9]))


@pytest.mark.parametrize("fn", [tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_min,
                                tf.reduce_prod])
@pytest.mark.parametrize("axis", [1, -1, [0, 2], None])
def test_reduction_gradients_with_unknown_rank(fn, axis):
    from tfgraph.autodiff.gradient_checker import compute_gradient_error
    xv = np.random.RandomState(3).uniform(0.5, 2.0, (2, 3, 4))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64)  # rank unknown when the graph is built
        y = fn(x, axis=axis)
        assert y.shape.ndims is None
        with tf.Session() as sess:
            y_shape = sess.run(y, {x: xv}).shape
            err = compute_gradient_error(x, xv.shape, y, y_shape, x_init_value=xv, delta=1e-6,
                                         sess=sess)
    assert err < 1e-5
