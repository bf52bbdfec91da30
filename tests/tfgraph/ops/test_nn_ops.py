import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework.op_def import get_op_def
from tfgraph.testing.op_check import check_op

SCALE, ALPHA = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    return np.log(_softmax(x.astype(np.float64), axis)).astype(x.dtype)


def _elu(x):
    return np.where(x < 0, np.expm1(x), x)


def _selu(x):
    return SCALE * np.where(x < 0, ALPHA * np.expm1(x), x)


# (function, reference, derivative of the reference, input range)
ACTIVATIONS = [
    (tf.nn.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0, 3),
    (tf.nn.relu6, lambda x: np.clip(x, 0, 6), lambda x: ((x > 0) & (x < 6)) * 1.0, 8),
    (tf.nn.elu, _elu, lambda x: np.where(x < 0, np.exp(x), 1.0), 3),
    (tf.nn.selu, _selu, lambda x: SCALE * np.where(x < 0, ALPHA * np.exp(x), 1.0), 3),
    (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), lambda x: np.where(x > 0, 1, .2), 3),
    (lambda x: tf.nn.leaky_relu(x, alpha=0.01), lambda x: np.where(x > 0, x, 0.01 * x),
     lambda x: np.where(x > 0, 1, .01), 3),
    (tf.nn.softplus, lambda x: np.log1p(np.exp(x)), _sigmoid, 5),
    (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2, 3),
]
IDS = ["relu", "relu6", "elu", "selu", "leaky_relu", "leaky_relu_001", "softplus", "softsign"]


@pytest.mark.parametrize("fn,ref,dref,r", ACTIVATIONS, ids=IDS)
def test_activation_values_and_gradients(fn, ref, dref, r):
    check_op(fn, ref, shapes=[(7,), (None, 3, 4)], grad=True, low=-r, high=r)


@pytest.mark.parametrize("fn,ref,dref,r", ACTIVATIONS, ids=IDS)
def test_activation_second_order(fn, ref, dref, r):
    # d/dx sum(f(x)^2) = 2 f(x) f'(x) is built from the backward op (ReluGrad, EluGrad, ...),
    # whose own gradient the checker then verifies.
    def first(x):
        y = fn(x)
        return tf.gradients(tf.reduce_sum(y * y), x)[0]
    check_op(first, lambda x: 2 * ref(x) * dref(x), shapes=[(6,), (None, 4)], grad=True,
             low=-r, high=r, rtol=1e-4, atol=1e-5)


def test_activation_op_types_and_names():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        ops = [tf.nn.relu(x), tf.nn.relu6(x), tf.nn.elu(x), tf.nn.selu(x), tf.nn.leaky_relu(x),
               tf.nn.softplus(x), tf.nn.softsign(x), tf.nn.softmax(x), tf.nn.log_softmax(x)]
        assert [t.op.type for t in ops] == ["Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softplus",
                                            "Softsign", "Softmax", "LogSoftmax"]
        assert [t.op.name for t in ops[:2]] == ["Relu", "Relu6"]
        g = tf.gradients(tf.reduce_sum(ops[0]), x)[0]
        assert "ReluGrad" in [op.type for op in tf.get_default_graph().get_operations()]
        assert g.shape.as_list() == [None, 3]


def test_float32_stays_float32_and_softplus_extremes():
    x = np.array([-100, -20, -14, -13, 0, 13, 14, 20, 100], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run([tf.nn.softplus(x), tf.nn.elu(x), tf.nn.selu(x), tf.nn.relu(x)])
    assert all(o.dtype == np.float32 for o in out)
    np.testing.assert_allclose(out[0], np.logaddexp(0, x.astype(np.float64)), rtol=1e-6,
                               atol=1e-30)
    assert np.all(np.isfinite(out[1])) and np.all(np.isfinite(out[2]))


def test_int_relu_and_float_only_errors():
    with tf.Graph().as_default(), tf.Session() as sess:
        assert sess.run(tf.nn.relu(tf.constant([-2, 3]))).tolist() == [0, 3]
        with pytest.raises(TypeError, match="int32"):
            tf.nn.elu(tf.constant([1, 2]))
        with pytest.raises(TypeError):
            tf.nn.softmax(tf.constant([1, 2]))


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax(axis):
    check_op(lambda x: tf.nn.softmax(x, axis=axis), lambda x: _softmax(x, axis),
             shapes=[(3, 5), (4, 2, 3)], grad=True, low=-3, high=3)
    check_op(lambda x: tf.nn.log_softmax(x, axis=axis), lambda x: _log_softmax(x, axis),
             shapes=[(3, 5), (4, 2, 3)], grad=True, low=-3, high=3)


def test_softmax_unknown_batch_and_dim_alias():
    check_op(tf.nn.softmax, _softmax, shapes=[(None, 6)], grad=True)
    check_op(lambda x: tf.nn.softmax(x, dim=0), lambda x: _softmax(x, 0), shapes=[(3, 2)])


def test_softmax_is_stable_for_huge_logits():
    x = np.array([[1000., 0., -1000.], [-1e4, -1e4, -1e4]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        sm, lsm = sess.run([tf.nn.softmax(x), tf.nn.log_softmax(x)])
    np.testing.assert_allclose(sm, [[1, 0, 0], [1 / 3] * 3], rtol=1e-6)
    np.testing.assert_allclose(lsm, [[0, -1000, -2000], [-np.log(3)] * 3], rtol=1e-6)


# -- bias_add --------------------------------------------------------------------------------------
def test_bias_add_nhwc_and_nchw():
    check_op(tf.nn.bias_add, lambda v, b: v + b, shapes=[((4, 3), (3,)), ((None, 2, 2, 3), (3,))],
             grad=True)
    check_op(lambda v, b: tf.nn.bias_add(v, b, data_format="NCHW"),
             lambda v, b: v + b.reshape(-1, 1, 1), shapes=[((2, 3, 2, 2), (3,))], grad=True)


def test_bias_add_grad_op_and_second_order():
    with tf.Graph().as_default():
        v = tf.placeholder(tf.float32, [None, 4])
        y = tf.nn.bias_add(v, tf.zeros([4]))
        assert y.op.type == "BiasAdd"
    # d/dv of sum(BiasAddGrad(v)^2) exercises BiasAddGrad's own gradient.
    def f(v):
        b = tf.placeholder_with_default(np.zeros(3), [3])
        gb = tf.gradients(tf.reduce_sum(tf.nn.bias_add(v, b) * v), b)[0]
        assert gb.op.type == "BiasAddGrad"
        return gb * gb
    check_op(f, lambda v: v.reshape(-1, 3).sum(0) ** 2, shapes=[(None, 2, 3)], grad=True,
             dtype=np.float64)


def test_bias_add_shape_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
            tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
        with pytest.raises(ValueError, match="at least rank 2"):
            tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
        with pytest.raises(TypeError):
            tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3], tf.float64))


# -- l2_loss, in_top_k, top_k ----------------------------------------------------------------------
def test_l2_loss():
    check_op(tf.nn.l2_loss, lambda x: np.sum(x * x) / 2, shapes=[(5,), (None, 3), ()], grad=True)
    with tf.Graph().as_default():
        assert tf.nn.l2_loss(tf.zeros([3, 3])).op.type == "L2Loss"


def test_in_top_k_ties_nonfinite_and_range():
    preds = np.array([[0.1, 0.3, 0.3, 0.2], [0.5, 0.1, 0.2, 0.2], [np.nan, 1, 2, 3],
                      [0.4, 0.3, 0.2, 0.1], [0.4, 0.3, 0.2, 0.1]], np.float32)
    targets = np.array([2, 3, 3, 4, -1], np.int32)
    with tf.Graph().as_default(), tf.Session() as sess:
        p = tf.placeholder(tf.float32, [None, 4])
        t = tf.placeholder(tf.int32, [None])
        k1, k2 = tf.nn.in_top_k(p, t, 1), tf.nn.in_top_k(p, t, 2)
        assert k1.dtype == tf.bool and k1.shape.as_list() == [None]
        r1, r2 = sess.run([k1, k2], {p: preds, t: targets})
    # row 0: 0.3 ties with another 0.3 at the top -> in top 1; row 1: 0.2 ties for 2nd place.
    assert r1.tolist() == [True, False, False, False, False]
    assert r2.tolist() == [True, True, False, False, False]


def test_top_k_values():
    def ref(x):
        idx = np.argsort(-x, axis=-1, kind="stable")[..., :3]
        return np.take_along_axis(x, idx, -1), idx.astype(np.int32)
    check_op(lambda x: tf.nn.top_k(x, 3), ref, shapes=[(4, 6), (None, 2, 5)])
    x = np.array([[1., 3., 3., 2.]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        v, i = sess.run(tf.nn.top_k(x, k=2))
    assert v.tolist() == [[3, 3]] and i.tolist() == [[1, 2]]


# -- softmax cross-entropy -------------------------------------------------------------------------
def _xent(labels, logits, axis=-1):
    return -np.sum(labels * _log_softmax(logits, axis), axis=axis)


def _onehot_like(rng, shape, dtype=np.float32):
    """Labels that are valid distributions along the last axis (random, normalized)."""
    p = rng.uniform(0.1, 1, size=shape)
    return (p / p.sum(-1, keepdims=True)).astype(dtype)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4), (1, 1)])
def test_softmax_xent_v2_values_and_grads(shape):
    rng = np.random.RandomState(1)
    logits = rng.uniform(-3, 3, size=shape)
    labels = _onehot_like(rng, shape, np.float64)
    def fn(lb, lg):
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=lb, logits=lg)
    batch_unknown = [(None,) + shape[1:]] * 2
    for shapes in ([shape, shape], batch_unknown):
        check_op(fn, _xent, shapes=[tuple(shapes)], dtype=np.float64, grad=True,
                 inputs=[labels, logits], rtol=1e-10)
        check_op(fn, _xent, shapes=[tuple(shapes)], inputs=[labels.astype(np.float32),
                                                            logits.astype(np.float32)])


def test_softmax_xent_second_order_and_backprop_output():
    rng = np.random.RandomState(2)
    logits, labels = rng.uniform(-2, 2, (3, 4)), _onehot_like(rng, (3, 4), np.float64)

    def dlogits(lb, lg):
        loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lb, logits=lg)
        return tf.gradients(tf.reduce_sum(loss * loss), lg)[0]

    def ref(lb, lg):
        return 2 * _xent(lb, lg)[:, None] * (_softmax(lg) - lb)
    check_op(dlogits, ref, shapes=[((None, 4), (None, 4))], dtype=np.float64, grad=True,
             inputs=[labels, logits])
    # the op's second output (backprop) is differentiable too, w.r.t. both inputs
    op = get_op_def("SoftmaxCrossEntropyWithLogits")
    check_op(lambda lb, lg: op.apply(lg, lb)[1], lambda lb, lg: _softmax(lg) - lb,
             shapes=[((3, 4), (3, 4))], dtype=np.float64, grad=True, inputs=[labels, logits])


def test_softmax_xent_v1_stops_label_gradient_and_axis():
    with tf.Graph().as_default():
        lb, lg = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 3])
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=lb, logits=lg)
        g_lb, g_lg = tf.gradients(loss, [lb, lg])
        assert g_lb is None and g_lg is not None and loss.shape.as_list() == [None]
        with pytest.raises(ValueError, match="named arguments"):
            tf.nn.softmax_cross_entropy_with_logits(lb, lg)
    rng = np.random.RandomState(3)
    labels = np.moveaxis(_onehot_like(rng, (2, 4, 3)), -1, 0)   # classes on axis 0
    check_op(lambda lb, lg: tf.nn.softmax_cross_entropy_with_logits(labels=lb, logits=lg, dim=0),
             lambda lb, lg: _xent(lb, lg, axis=0), shapes=[((3, 2, 4), (3, 2, 4))],
             inputs=[labels, rng.randn(3, 2, 4).astype(np.float32)])


def test_softmax_xent_runtime_shape_mismatch():
    with tf.Graph().as_default(), tf.Session() as sess:
        lb, lg = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None, 3])
        loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lb, logits=lg)
        with pytest.raises(tf.errors.InvalidArgumentError, match="logits_size=.2, 3. labels_size"):
            sess.run(loss, {lb: np.ones((2, 4)), lg: np.ones((2, 3))})
        with pytest.raises(ValueError, match="broadcastable"):
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]),
                                                       logits=tf.zeros([2, 3]))


@pytest.mark.parametrize("classes", [1, 3, 10, 99, 100, 1000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_xent_kernels_match_numpy_reference(classes, dtype):
    rng = np.random.RandomState(classes)
    logits = (rng.randn(17, classes) * 5).astype(dtype)
    labels = _onehot_like(rng, (17, classes), dtype)
    ids = rng.randint(0, classes, size=17).astype(np.int64)
    tol = dict(rtol=2e-6, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-13)
    for op, lab in (("SoftmaxCrossEntropyWithLogits", labels),
                    ("SparseSoftmaxCrossEntropyWithLogits", ids)):
        op = get_op_def(op)
        ref, fast = op.compute(logits, lab), op.fast(logits, lab)
        for r, f in zip(ref, fast):
            assert f.dtype == dtype and f.shape == r.shape
            np.testing.assert_allclose(f, r, **tol)


def test_fused_xent_kernel_is_used_for_few_classes():
    from tfgraph.ops import nn_ops
    with tf.Graph().as_default():
        for c, fast in ((10, True), (nn_ops._FAST_MAX_CLASSES, False)):
            lg = tf.placeholder(tf.float32, [None, c])
            op = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lg, logits=lg).op
            kernel = op.op_def.make_kernel(op, None)
            assert (getattr(kernel, "__func__", None) is type(op.op_def).fast) == fast


# -- sparse softmax cross-entropy ------------------------------------------------------------------
def _sparse_xent(labels, logits):
    return -np.take_along_axis(_log_softmax(logits), labels[..., None].astype(int), -1)[..., 0]


@pytest.mark.parametrize("shape", [(5, 4), (None, 3), (2, 3, 4)])
def test_sparse_softmax_xent(shape):
    rng = np.random.RandomState(4)
    conc = tuple(2 if d is None else d for d in shape)
    labels = rng.randint(0, conc[-1], size=conc[:-1]).astype(np.int32)
    def fn(lb, lg):
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lb, logits=lg)
    check_op(fn, _sparse_xent, shapes=[(shape[:-1], shape)], dtype=np.float64, grad=True,
             inputs=[labels, rng.uniform(-3, 3, conc)])
    check_op(fn, _sparse_xent, shapes=[(shape[:-1], shape)],
             inputs=[labels.astype(np.int64), rng.uniform(-3, 3, conc).astype(np.float32)])


def test_sparse_softmax_xent_second_order():
    rng = np.random.RandomState(5)
    labels = np.array([0, 2, 1], np.int32)

    def dlogits(lb, lg):
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lb, logits=lg)
        return tf.gradients(tf.reduce_sum(loss * loss), lg)[0]

    def ref(lb, lg):
        return 2 * _sparse_xent(lb, lg)[:, None] * (_softmax(lg) - np.eye(3)[lb])
    check_op(dlogits, ref, shapes=[((None,), (None, 3))], dtype=np.float64, grad=True,
             inputs=[labels, rng.uniform(-2, 2, (3, 3))])


def test_sparse_softmax_xent_errors():
    with tf.Graph().as_default(), tf.Session() as sess:
        lb = tf.placeholder(tf.int32, [None])
        lg = tf.placeholder(tf.float32, [None, 3])
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lb, logits=lg)
        assert loss.op.type == "SparseSoftmaxCrossEntropyWithLogits"
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="label value of 3 which is outside the valid range of .0, 3."):
            sess.run(loss, {lb: [0, 3], lg: np.zeros((2, 3))})
        with pytest.raises(ValueError, match="Rank mismatch"):
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3], tf.int32),
                                                           logits=lg)
        with pytest.raises(TypeError, match="int32 or int64"):
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2]), logits=lg)


# -- dropout ---------------------------------------------------------------------------------------
def _run_dropout(seed_graph=None, **kw):
    with tf.Graph().as_default() as g:
        if seed_graph is not None:
            tf.set_random_seed(seed_graph)
        x = tf.placeholder(tf.float32, [None, 200])
        y = tf.nn.dropout(x, **kw)
        with tf.Session(graph=g) as sess:
            return [sess.run(y, {x: np.ones((500, 200), np.float32)}) for _ in range(2)]


@pytest.mark.parametrize("kw", [dict(keep_prob=0.7), dict(rate=0.3)])
def test_dropout_statistics(kw):
    out = _run_dropout(**kw)[0]
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01          # 100,000 draws: sd of the fraction ~0.0015
    np.testing.assert_allclose(out[kept], 1 / np.float32(0.7), rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.015           # the expectation is preserved


def test_dropout_keep_prob_placeholder_and_noise_shape():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None, 50])
        kp = tf.placeholder(tf.float32)
        y = tf.nn.dropout(x, kp)
        z = tf.nn.dropout(x, 0.5, noise_shape=[300, 1])
        assert y.shape.as_list() == [None, 50]
        xv = np.ones((300, 50), np.float32)
        a, b = sess.run([y, z], {x: xv, kp: 0.5}), sess.run(y, {x: xv, kp: 1.0})
        assert abs((a[0] != 0).mean() - 0.5) < 0.02 and set(np.unique(a[0])) == {0, 2}
        rows = a[1]
        assert np.all((rows == 0).all(1) | (rows == 2).all(1))   # one draw per row
        assert abs((rows[:, 0] != 0).mean() - 0.5) < 0.1
        np.testing.assert_array_equal(b, xv)                   # keep_prob 1 at run time


def test_dropout_reproducible_with_seeds():
    a1, a2 = _run_dropout(seed_graph=7, keep_prob=0.5)
    b1, b2 = _run_dropout(seed_graph=7, keep_prob=0.5)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)                          # a new mask every run
    c1, _ = _run_dropout(seed_graph=8, keep_prob=0.5)
    assert not np.array_equal(a1, c1)
    d1, _ = _run_dropout(keep_prob=0.5, seed=3)
    e1, _ = _run_dropout(keep_prob=0.5, seed=3)
    np.testing.assert_array_equal(d1, e1)


def test_dropout_gradient_is_the_scaled_mask_and_edge_cases():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [4, 30])
        y = tf.nn.dropout(x, 0.6)
        g = tf.gradients(tf.reduce_sum(y), x)[0]
        xv = np.random.RandomState(0).uniform(1, 2, (4, 30)).astype(np.float32)
        yv, gv = sess.run([y, g], {x: xv})
        np.testing.assert_allclose(gv, (yv != 0) / np.float32(0.6), rtol=1e-6)
        assert tf.nn.dropout(x, 1.0) is x and tf.nn.dropout(x, rate=0.0) is x
        for bad in (dict(keep_prob=0.0), dict(keep_prob=1.5), dict(rate=1.0)):
            with pytest.raises(ValueError, match="range"):
                tf.nn.dropout(x, **bad)
        with pytest.raises(ValueError, match="both"):
            tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
        with pytest.raises(ValueError, match="floating point"):
            tf.nn.dropout(tf.constant([1, 2]), 0.5)


def test_dropout_is_one_mask_op_and_computes_tf1s_composite():
    # TF1: (x * (1 / keep_prob)) * cast(uniform >= rate); here x * DropoutMask(uniform, rate).
    with tf.Graph().as_default() as g, tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None, 40])
        y = tf.nn.dropout(x, rate=0.3)
        types = [op.type for op in g.get_operations()]
        assert y.op.name == "dropout/mul_1" and y.op.type == "Mul"
        assert {"RandomUniform", "DropoutMask"} <= set(types)
        assert not {"GreaterEqual", "Cast", "SelectV2"} & set(types)
        noise = g.get_operation_by_name("dropout/random_uniform/RandomUniform").outputs[0]
        xv = np.random.RandomState(0).randn(50, 40).astype(np.float32)
        yv, nv = sess.run([y, noise], {x: xv})
        assert nv.dtype == np.float32 and yv.dtype == np.float32
        want = (xv * np.float32(1 / 0.7)) * (nv >= np.float32(0.3)).astype(np.float32)
        np.testing.assert_array_equal(yv, want)
        g_ops = [op.type for op in g.get_operations()]
        dx = tf.gradients(tf.reduce_sum(y), x)[0]
        new = [op.type for op in g.get_operations()][len(g_ops):]
        assert "ZerosLike" not in new and "SelectV2" not in new
        np.testing.assert_array_equal(sess.run(dx, {x: xv, noise: nv}),
                                      np.float32(1 / 0.7) * (nv >= np.float32(0.3)))


def test_top_k_gradient():
    check_op(lambda x: tf.nn.top_k(x, 2)[0],
             lambda x: -np.sort(-x, axis=-1)[..., :2], shapes=[(3, 5), (None, 4)], grad=True)


@pytest.mark.parametrize("shape", [(5, 1), (7, 10), (3, 2, 31), (4, 40), (0, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_softmax_kernel_matches_numpy_reference(shape, dtype):
    op = get_op_def("Softmax")
    x = (np.random.RandomState(0).randn(*shape) * 10).astype(dtype)
    fast, ref = op.fast(x), op.compute(x, axis=-1)
    assert fast.dtype == dtype and fast.shape == ref.shape
    np.testing.assert_allclose(fast, ref, rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-30)


def test_softmax_kernel_choice():
    from tfgraph.ops import nn_ops
    with tf.Graph().as_default():
        for shape, axis, fast in (((None, 10), -1, True), ((None, 10), 1, True),
                                  ((None, nn_ops._SOFTMAX_FAST_MAX), -1, False),
                                  ((4, 10), 0, False)):
            op = tf.nn.softmax(tf.placeholder(tf.float32, shape), axis=axis).op
            kernel = op.op_def.make_kernel(op, None)
            assert (getattr(kernel, "__func__", None) is nn_ops.Softmax.fast) == fast
        op = tf.nn.softmax(tf.placeholder(tf.float32, [None, None])).op
        kernel = op.op_def.make_kernel(op, None)   # decides per call on the runtime width
        x = np.random.RandomState(1).randn(3, 50).astype(np.float32)
        np.testing.assert_allclose(kernel(x), op.op_def.compute(x, axis=-1), rtol=1e-6)
        np.testing.assert_allclose(kernel(x[:, :5]), op.op_def.compute(x[:, :5], axis=-1),
                                   rtol=1e-6)


def test_dropout_noise_shape_with_unknown_and_tensor_dims():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None, 4, 30])
        batch = tf.shape(x)[0]
        outs = [tf.nn.dropout(x, rate=0.5, noise_shape=ns)
                for ns in ([None, 1, None], [batch, 1, 30], tf.stack([batch, 4, 1]))]
        a, b, c = sess.run(outs, {x: np.ones((50, 4, 30), np.float32)})
    for same_axis, out in ((1, a), (1, b), (2, c)):
        assert out.shape == (50, 4, 30) and set(np.unique(out)) == {0, 2}
        assert np.all(np.ptp(out, axis=same_axis) == 0)    # one draw along the broadcast dim
        assert 0.35 < (out != 0).mean() < 0.65


def _lrn_ref(x, r=5, bias=1.0, alpha=1.0, beta=0.5):
    c = x.shape[-1]
    sq = np.zeros_like(x)
    for d in range(c):
        sq[..., d] = (x[..., max(0, d - r):d + r + 1] ** 2).sum(-1)
    return x / (bias + alpha * sq) ** beta


@pytest.mark.parametrize("kw", [{}, dict(depth_radius=2, bias=2.0, alpha=0.1, beta=0.75),
                                dict(depth_radius=0, bias=1.5, alpha=0.3, beta=1.0)])
def test_local_response_normalization(kw):
    check_op(lambda x: tf.nn.lrn(x, **kw), lambda x: _lrn_ref(x, **{
        {"depth_radius": "r"}.get(k, k): v for k, v in kw.items()}),
        shapes=[(2, 2, 3, 7), (None, 1, 2, 3)], grad=True, rtol=1e-5)
    with tf.Graph().as_default():
        y = tf.nn.local_response_normalization(tf.zeros([1, 2, 2, 3]), **kw)
        assert y.op.type == "LRN"
        assert tf.gradients(y, y.op.inputs[0])[0].op.type == "LRNGrad"


def test_cross_entropy_op_names_follow_tf():
    with tf.Graph().as_default():
        lg = tf.placeholder(tf.float32, [None, 3])
        v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lg, logits=lg)
        v1 = tf.nn.softmax_cross_entropy_with_logits(labels=lg, logits=lg)
        sp = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.placeholder(tf.int32, [None]), logits=lg)
        assert v2.name == "softmax_cross_entropy_with_logits:0"
        assert v1.name == "softmax_cross_entropy_with_logits_sg:0"
        assert sp.name == ("SparseSoftmaxCrossEntropyWithLogits/"
                           "SparseSoftmaxCrossEntropyWithLogits:0")


def test_variables_as_inputs_and_axis_errors():
    with tf.Graph().as_default(), tf.Session() as sess:
        w = tf.Variable([[1., -2.], [3., 4.]])
        b = tf.Variable([0.5, -0.5])
        outs = [tf.nn.l2_loss(w), tf.nn.bias_add(w, b), tf.nn.relu(w), tf.nn.softmax(w)]
        sess.run(tf.global_variables_initializer())
        l2, ba, r, _ = sess.run(outs)
        assert l2 == 15.0 and ba.tolist() == [[1.5, -2.5], [3.5, 3.5]] and r.min() == 0
        assert tf.gradients(outs[0], w)[0] is not None
        with pytest.raises(ValueError, match="must be in the range"):
            tf.nn.softmax(w, axis=2)


def test_float16_activations_and_softmax():
    x = np.array([[-1., 0.5, 2.]], np.float16)
    with tf.Graph().as_default(), tf.Session() as sess:
        outs = sess.run([tf.nn.relu(x), tf.nn.elu(x), tf.nn.softmax(x), tf.nn.softplus(x),
                         tf.nn.softmax_cross_entropy_with_logits_v2(labels=x * 0 + 1 / 3,
                                                                    logits=x)])
    assert all(o.dtype == np.float16 for o in outs)
    np.testing.assert_allclose(outs[2].astype(np.float64),
                               _softmax(x.astype(np.float64)), rtol=2e-3)


def test_unknown_rank_inputs():
    xv = np.random.RandomState(2).randn(3, 4).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32)                      # unknown rank
        outs = [tf.nn.softmax(x), tf.nn.log_softmax(x), tf.nn.relu(x), tf.nn.bias_add(x, xv[0]),
                tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.nn.softmax(x), logits=x),
                tf.nn.l2_loss(x)]
        assert outs[0].shape.ndims is None and outs[4].shape.ndims is None
        sm, lsm, r, ba, xe, l2 = sess.run(outs, {x: xv})
    np.testing.assert_allclose(sm, _softmax(xv), rtol=1e-6)
    np.testing.assert_allclose(lsm, _log_softmax(xv), rtol=1e-5)
    np.testing.assert_allclose(ba, xv + xv[0], rtol=1e-6)
    np.testing.assert_allclose(xe, _xent(_softmax(xv), xv), rtol=1e-5)
    assert r.min() == 0 and np.isclose(l2, (xv ** 2).sum() / 2)
