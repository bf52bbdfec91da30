import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.testing.op_check import check_op


@pytest.mark.parametrize("axes,shape", [([0], (None, 3)), ([0, 1, 2], (2, 3, 2, 4)), ([1], (3, 4)),
                                        ([-1], (2, 5))])
@pytest.mark.parametrize("keep", [False, True])
def test_moments(axes, shape, keep):
    ax = tuple(axes)
    check_op(lambda x: tf.nn.moments(x, axes, keep_dims=keep),
             lambda x: (x.mean(ax, keepdims=keep), x.var(ax, keepdims=keep)),
             shapes=[shape], grad=True)


def test_moments_names_and_keepdims_spelling():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        m, v = tf.nn.moments(x, [0], keepdims=True)
        assert m.shape.as_list() == [1, 4] and v.shape.as_list() == [1, 4]
        m, v = tf.nn.moments(x, [0])
        assert m.shape.as_list() == [4] and m.op.name.startswith("moments_1/")
        names = [op.name for op in tf.get_default_graph().get_operations()]
        assert "moments/mean" in names and "moments/variance" in names
        with pytest.raises(ValueError):
            tf.nn.moments(x, [0], keepdims=True, keep_dims=True)


def test_weighted_moments():
    w = np.array([[1.], [2.], [0.], [3.]])

    def ref(x):
        mean = (x * w).sum(0) / w.sum()
        return mean, (w * (x - mean) ** 2).sum(0) / w.sum()
    check_op(lambda x: tf.nn.weighted_moments(x, [0], w), ref, shapes=[(4, 3)], grad=True,
             dtype=np.float64)


def test_batch_normalization():
    def ref(x, m, v, o, s):
        return s * (x - m) / np.sqrt(v + 1e-3) + o
    check_op(lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3), ref,
             shapes=[((None, 3), (3,), (3,), (3,), (3,)), ((2, 2, 3), (3,), (3,), (3,), (3,))],
             grad=True, low=0.2, high=1.5)
    check_op(lambda x, m, v: tf.nn.batch_normalization(x, m, v, None, None, 0.01),
             lambda x, m, v: (x - m) / np.sqrt(v + 0.01), shapes=[((4, 2), (2,), (2,))],
             grad=True, low=0.2, high=1.5)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm_training_and_inference(data_format):
    axes = (0, 1, 2) if data_format == "NHWC" else (0, 2, 3)
    shape = (2, 3, 3, 4) if data_format == "NHWC" else (2, 4, 3, 3)
    bshape = (4,) if data_format == "NHWC" else (4, 1, 1)

    def ref(x, s, o):
        m, v = x.mean(axes), x.var(axes)
        y = s.reshape(bshape) * (x - m.reshape(bshape)) / np.sqrt(v.reshape(bshape) + 1e-3)
        n = x.size / 4
        return y + o.reshape(bshape), m, v * n / (n - 1)
    check_op(lambda x, s, o: tf.nn.fused_batch_norm(x, s, o, data_format=data_format), ref,
             shapes=[(shape, (4,), (4,))], grad=True)
    check_op(lambda x, s, o, m, v: tf.nn.fused_batch_norm(
                 x, s, o, m, v, epsilon=0.01, is_training=False, data_format=data_format)[0],
             lambda x, s, o, m, v: s.reshape(bshape) * (x - m.reshape(bshape)) / np.sqrt(
                 v.reshape(bshape) + 0.01) + o.reshape(bshape),
             shapes=[(shape, (4,), (4,), (4,), (4,))], low=0.2, high=1.5)


@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1]])
def test_l2_normalize(axis):
    def ref(x):
        ax = tuple(axis) if isinstance(axis, list) else axis
        return x / np.sqrt(np.maximum((x * x).sum(ax, keepdims=True), 1e-12))
    check_op(lambda x: tf.nn.l2_normalize(x, axis), ref, shapes=[(3, 4)], grad=True)
    check_op(lambda x: tf.nn.l2_normalize(x, dim=axis), ref, shapes=[(2, 5)])


def test_l2_normalize_zero_vector_is_finite():
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run(tf.nn.l2_normalize(tf.zeros([2, 3]), 1))
    np.testing.assert_array_equal(out, 0)


def test_sigmoid_cross_entropy_with_logits():
    def ref(z, x):
        return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))

    def fn(z, x):
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    check_op(fn, ref, shapes=[((5,), (5,)), ((None, 3), (None, 3))], grad=True, low=-4, high=4)
    big = np.array([-200., -30., 0., 30., 200.], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run(fn(np.float32([0, 1, 1, 0, 1]), big))
    np.testing.assert_allclose(out, [0, 30, np.log(2), 30, 0], rtol=1e-6, atol=1e-12)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="same shape"):
            fn(tf.zeros([2, 3]), tf.zeros([3, 2]))
        with pytest.raises(ValueError, match="named arguments"):
            tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros([2]), tf.zeros([2]))


def test_weighted_cross_entropy_with_logits():
    def ref(z, x):
        return z * -np.log(1 / (1 + np.exp(-x))) * 3.0 + (1 - z) * -np.log(1 - 1 / (1 + np.exp(-x)))
    check_op(lambda z, x: tf.nn.weighted_cross_entropy_with_logits(z, x, 3.0), ref,
             shapes=[((None, 4), (None, 4))], grad=True, low=-3, high=3)


def test_small_composites():
    check_op(tf.nn.swish, lambda x: x / (1 + np.exp(-x)), shapes=[(None, 3)], grad=True)
    check_op(tf.nn.xw_plus_b, lambda x, w, b: x @ w + b, shapes=[((None, 3), (3, 2), (2,))],
             grad=True)
    check_op(tf.nn.relu_layer, lambda x, w, b: np.maximum(x @ w + b, 0),
             shapes=[((4, 3), (3, 2), (2,))], grad=True)
    with tf.Graph().as_default(), tf.Session() as sess:
        assert sess.run(tf.nn.zero_fraction([0., 1., 0., 2.])) == 0.5
        xw = tf.nn.xw_plus_b(tf.zeros([2, 3]), tf.zeros([3, 4]), tf.zeros([4]))
        assert xw.op.type == "BiasAdd" and xw.op.name == "xw_plus_b"


# -- embedding_lookup ------------------------------------------------------------------------------
def test_embedding_lookup_values_and_gradient():
    params = np.random.RandomState(0).randn(10, 3)
    ids = np.array([[1, 7], [1, 0]], np.int32)
    check_op(lambda p, i: tf.nn.embedding_lookup(p, i), lambda p, i: p[i],
             shapes=[((10, 3), (None, 2))], dtype=np.float64, grad=True, inputs=[params, ids])


def test_embedding_lookup_gradient_is_sparse_on_variables():
    with tf.Graph().as_default(), tf.Session() as sess:
        emb = tf.Variable(np.arange(40000, dtype=np.float32).reshape(10000, 4), name="emb")
        ids = tf.placeholder(tf.int32, [None])
        y = tf.nn.embedding_lookup(emb, ids)
        assert y.shape.as_list() == [None, 4]
        g = tf.gradients(tf.reduce_sum(y * y), emb)[0]
        assert isinstance(g, IndexedSlices)
        sess.run(tf.global_variables_initializer())
        vals, idx = sess.run([g.values, g.indices], {ids: [3, 9999, 3]})
        assert vals.shape == (3, 4) and idx.tolist() == [3, 9999, 3]
        np.testing.assert_allclose(vals, 2 * np.arange(40000).reshape(10000, 4)[[3, 9999, 3]])


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_embedding_lookup_partitioned(strategy):
    full = np.arange(22, dtype=np.float64).reshape(11, 2)
    if strategy == "mod":
        parts = [full[i::3] for i in range(3)]
    else:
        parts = [full[0:4], full[4:8], full[8:11]]
    ids = np.array([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 4], np.int32)
    check_op(lambda a, b, c, i: tf.nn.embedding_lookup([a, b, c], i, partition_strategy=strategy),
             lambda a, b, c, i: full[i], shapes=[([4, 2], [4, 2], [3, 2], [None])],
             inputs=parts + [ids], dtype=np.float64)
    with pytest.raises(ValueError, match="strategy"):
        tf.nn.embedding_lookup(parts, ids, partition_strategy="foo")


def test_embedding_lookup_partitioned_static_shapes_and_grads():
    full = np.random.RandomState(1).randn(5, 2)
    parts = [full[0::2], full[1::2]]
    ids = np.array([4, 1, 0], np.int32)
    check_op(lambda a, b: tf.nn.embedding_lookup([a, b], ids), lambda a, b: full[ids],
             shapes=[((3, 2), (2, 2))], inputs=parts, dtype=np.float64, grad=True)


def test_embedding_lookup_max_norm():
    params = np.array([[3., 4.], [0.3, 0.4], [0., 0.]])
    ids = np.array([0, 1, 2], np.int32)

    def ref(p, i):
        rows = p[i]
        n = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows * 1.0 / np.maximum(n, 1.0)
    check_op(lambda p, i: tf.nn.embedding_lookup(p, i, max_norm=1.0), ref,
             shapes=[((3, 2), (3,))], inputs=[params, ids], dtype=np.float64)


def test_crelu_and_log_poisson_loss():
    check_op(tf.nn.crelu, lambda x: np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1),
             shapes=[(None, 3)], grad=True)

    def full(z, x):
        st = z * np.log(np.maximum(z, 1)) - z + 0.5 * np.log(2 * np.pi * np.maximum(z, 1))
        return np.exp(x) - x * z + np.where(z <= 1, 0, st)
    z = np.array([0.3, 0.5, 0.9, 2., 7.])   # away from the jumps at 0 and 1
    x = np.random.RandomState(0).randn(5)
    check_op(lambda z, x: tf.nn.log_poisson_loss(z, x), lambda z, x: np.exp(x) - x * z,
             shapes=[((5,), (5,))], inputs=[z, x], grad=True, dtype=np.float64)
    check_op(lambda z, x: tf.nn.log_poisson_loss(z, x, compute_full_loss=True), full,
             shapes=[((5,), (5,))], inputs=[z, x], grad=True, dtype=np.float64)


@pytest.mark.parametrize("shape", [(4, 3), (None, 3)])
def test_sufficient_statistics_and_normalize_moments(shape):
    def fn(x):
        count, m_ss, v_ss, _ = tf.nn.sufficient_statistics(x, [0])
        return tf.nn.normalize_moments(count, m_ss, v_ss, None)
    check_op(fn, lambda x: (x.mean(0), x.var(0)), shapes=[shape], grad=True, rtol=1e-4, atol=1e-5)

    def shifted(x):
        count, m_ss, v_ss, s = tf.nn.sufficient_statistics(x, [0], shift=[0.5, 0.5, 0.5])
        return tf.nn.normalize_moments(count, m_ss, v_ss, s)
    check_op(shifted, lambda x: (x.mean(0), x.var(0)), shapes=[shape], rtol=1e-4, atol=1e-5)


def test_batch_norm_with_global_normalization():
    def ref(x, m, v, b, g):
        return g * (x - m) / np.sqrt(v + 1e-3) + b
    check_op(lambda x, m, v, b, g: tf.nn.batch_norm_with_global_normalization(
        x, m, v, b, g, 1e-3, True), ref, shapes=[((2, 2, 2, 3),) + ((3,),) * 4], grad=True,
        low=0.2, high=1.5)
    check_op(lambda x, m, v, b, g: tf.nn.batch_norm_with_global_normalization(
        x, m, v, b, g, 1e-3, False), lambda x, m, v, b, g: ref(x, m, v, b, 1.0),
        shapes=[((2, 3),) + ((3,),) * 4], low=0.2, high=1.5)


def test_result_names_follow_tf():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        assert tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=x).name == \
            "logistic_loss:0"
        assert tf.nn.weighted_cross_entropy_with_logits(x, x, 2.0).name == "logistic_loss_1:0"
        assert tf.nn.l2_normalize(x, 1).name == "l2_normalize:0"
        y = tf.nn.batch_normalization(x, tf.zeros([3]), tf.ones([3]), tf.zeros([3]), tf.ones([3]),
                                      1e-3)
        assert y.name == "batchnorm/add_1:0"
        assert y.op.inputs[0].name == "batchnorm/mul_1:0"
