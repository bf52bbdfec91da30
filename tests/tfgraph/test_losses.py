import numpy as np
import pytest

import tfgraph as tf
from tfgraph.testing.op_check import check_op

R = tf.losses.Reduction
W = np.array([1.0, 0.0, 2.0, 0.5])


def _reduce(losses, weights, reduction):
    """numpy reference of compute_weighted_loss."""
    weighted = losses * weights
    w = np.broadcast_to(weights, losses.shape)
    if reduction == R.NONE:
        return weighted
    total = weighted.sum()
    den = {R.SUM: 1.0, R.MEAN: w.sum(), R.SUM_OVER_BATCH_SIZE: losses.size,
           R.SUM_BY_NONZERO_WEIGHTS: np.count_nonzero(w)}[reduction]
    return total / den if den else 0.0 * total


def _sigmoid_xent(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _log_softmax(x):
    s = x - x.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


def _huber(e, d=1.0):
    a = np.abs(e)
    return np.where(a <= d, 0.5 * a * a, d * (a - 0.5 * d))


# loss function, per-element numpy reference (labels, predictions)
POINTWISE = [
    (tf.losses.mean_squared_error, lambda y, p: (p - y) ** 2),
    (tf.losses.absolute_difference, lambda y, p: np.abs(p - y)),
    (tf.losses.huber_loss, lambda y, p: _huber(p - y)),
    (lambda y, p, **kw: tf.losses.huber_loss(y, p, delta=0.3, **kw),
     lambda y, p: _huber(p - y, .3)),
    (tf.losses.hinge_loss, lambda y, p: np.maximum(0, 1 - (2 * y - 1) * p)),
    (tf.losses.sigmoid_cross_entropy, _sigmoid_xent),
]
IDS = ["mse", "absolute_difference", "huber", "huber_delta", "hinge", "sigmoid_xent"]


@pytest.mark.parametrize("fn,ref", POINTWISE, ids=IDS)
@pytest.mark.parametrize("reduction", [R.SUM_BY_NONZERO_WEIGHTS, R.MEAN, R.SUM,
                                       R.SUM_OVER_BATCH_SIZE, R.NONE])
def test_pointwise_losses_with_weights_and_reductions(fn, ref, reduction):
    rng = np.random.RandomState(0)
    labels = (rng.rand(4, 3) > 0.5).astype(np.float32)
    preds = rng.uniform(-2, 2, (4, 3)).astype(np.float32)
    weights = W[:, None]
    check_op(lambda y, p: fn(y, p, weights=weights, reduction=reduction),
             lambda y, p: _reduce(ref(y, p), weights, reduction), shapes=[((None, 3), (None, 3))],
             inputs=[labels, preds], rtol=1e-5)
    check_op(lambda y, p: fn(y, p, weights=weights, reduction=reduction),
             lambda y, p: _reduce(ref(y, p), weights, reduction), shapes=[((4, 3), (4, 3))],
             inputs=[labels.astype(np.float64), preds.astype(np.float64)], grad=True)


@pytest.mark.parametrize("fn,ref", POINTWISE, ids=IDS)
def test_pointwise_losses_default_is_mean_over_nonzero_weights(fn, ref):
    rng = np.random.RandomState(1)
    y, p = (rng.rand(5, 2) > 0.5).astype(np.float32), rng.randn(5, 2).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        loss = fn(y, p)
        assert loss.shape.as_list() == [] and loss.dtype == tf.float32
        assert tf.losses.get_losses() == [loss]
        np.testing.assert_allclose(sess.run(loss), ref(y, p).mean(), rtol=1e-5)


def test_log_loss():
    def ref(y, p):
        return -y * np.log(p + 1e-7) - (1 - y) * np.log(1 - p + 1e-7)
    rng = np.random.RandomState(2)
    y, p = (rng.rand(6) > 0.5).astype(np.float64), rng.uniform(0.05, 0.95, 6)
    check_op(lambda y, p: tf.losses.log_loss(y, p), lambda y, p: ref(y, p).mean(),
             shapes=[((6,), (6,))], inputs=[y, p], grad=True)


def test_cosine_distance():
    rng = np.random.RandomState(3)
    a, b = rng.randn(4, 3), rng.randn(4, 3)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    check_op(lambda y, p: tf.losses.cosine_distance(y, p, axis=1),
             lambda y, p: (1 - (y * p).sum(1)).mean(), shapes=[((4, 3), (4, 3))], inputs=[a, b],
             grad=True)
    with pytest.raises(ValueError, match="axis"):
        tf.losses.cosine_distance(a, b)


@pytest.mark.parametrize("smoothing", [0, 0.1])
def test_softmax_cross_entropy(smoothing):
    rng = np.random.RandomState(4)
    onehot = np.eye(5)[rng.randint(0, 5, 6)]
    logits = rng.uniform(-3, 3, (6, 5))
    w = np.array([1., 0., 2., 1., 1., 3.])

    def ref(z, x):
        z = z * (1 - smoothing) + smoothing / 5
        return _reduce(-(z * _log_softmax(x)).sum(-1), w, R.SUM_BY_NONZERO_WEIGHTS)

    def fn(x):  # labels are constants: no gradient flows into them
        z = tf.constant(onehot.astype(x.dtype.np))
        return tf.losses.softmax_cross_entropy(z, x, weights=w, label_smoothing=smoothing)
    check_op(fn, lambda x: ref(onehot, x), shapes=[(None, 5)], inputs=[logits], grad=True,
             dtype=np.float64)
    check_op(fn, lambda x: ref(onehot, x), shapes=[(6, 5)], inputs=[logits.astype(np.float32)])


def test_softmax_cross_entropy_no_label_gradient():
    with tf.Graph().as_default():
        z, x = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 3])
        loss = tf.losses.softmax_cross_entropy(z, x)
        assert tf.gradients(loss, z)[0] is None
        assert loss.op.name.startswith("softmax_cross_entropy_loss/")


@pytest.mark.parametrize("label_shape,weights", [((None,), 1.0), ((None, 1), 1.0),
                                                 ((None,), W), ((None,), W[:, None])])
def test_sparse_softmax_cross_entropy(label_shape, weights):
    rng = np.random.RandomState(5)
    ids = rng.randint(0, 3, 4).astype(np.int32)
    logits = rng.uniform(-3, 3, (4, 3))

    def ref(i, x):
        losses = -_log_softmax(x)[np.arange(4), i.reshape(-1)]
        return _reduce(losses, np.asarray(weights).reshape(-1), R.SUM_BY_NONZERO_WEIGHTS)
    check_op(lambda i, x: tf.losses.sparse_softmax_cross_entropy(i, x, weights=weights), ref,
             shapes=[(label_shape, (None, 3))], inputs=[ids.reshape(-1, *label_shape[1:]), logits],
             grad=True, dtype=np.float64)


def test_sigmoid_cross_entropy_label_smoothing():
    rng = np.random.RandomState(6)
    z, x = (rng.rand(3, 2) > 0.5).astype(np.float64), rng.randn(3, 2)
    check_op(lambda z, x: tf.losses.sigmoid_cross_entropy(z, x, label_smoothing=0.2),
             lambda z, x: _sigmoid_xent(z * 0.8 + 0.1, x).mean(), shapes=[((3, 2), (3, 2))],
             inputs=[z, x], grad=True)


def test_all_zero_weights_give_zero_loss_and_finite_gradient():
    with tf.Graph().as_default(), tf.Session() as sess:
        p = tf.placeholder(tf.float32, [3])
        loss = tf.losses.mean_squared_error([1., 2., 3.], p, weights=[0., 0., 0.])
        g = tf.gradients(loss, p)[0]
        lv, gv = sess.run([loss, g], {p: np.zeros(3, np.float32)})
    assert lv == 0 and np.all(np.isfinite(gv)) and np.all(gv == 0)


def test_compute_weighted_loss_dtype_and_errors():
    with tf.Graph().as_default(), tf.Session() as sess:
        losses = tf.constant([[1., 2.], [3., 4.]])
        assert sess.run(tf.losses.compute_weighted_loss(losses, [[1.], [0.]])) == 1.5
        assert sess.run(tf.losses.compute_weighted_loss(losses, [[2., 1.]], reduction=R.SUM)) == 14
        half = tf.losses.compute_weighted_loss(tf.constant([1., 2.], tf.float16))
        assert half.dtype == tf.float16 and sess.run(half) == 1.5
        with pytest.raises(ValueError, match="weights can not be broadcast"):
            tf.losses.compute_weighted_loss(losses, [1., 2., 3.])
        with pytest.raises(ValueError, match="Invalid Reduction Key"):
            tf.losses.compute_weighted_loss(losses, reduction="mean")
        with pytest.raises(ValueError, match="labels must not be None"):
            tf.losses.mean_squared_error(None, losses)
        with pytest.raises(ValueError):
            tf.losses.mean_squared_error(tf.zeros([2, 3]), tf.zeros([3, 2]))
    assert set(R.all()) == {"none", "weighted_sum", "weighted_mean", "weighted_sum_over_batch_size",
                            "weighted_sum_by_nonzero_weights"}


def test_collections_and_total_loss():
    with tf.Graph().as_default(), tf.Session() as sess:
        a = tf.losses.mean_squared_error([1., 2.], [2., 4.])                      # 2.5
        b = tf.losses.absolute_difference([1.], [4.], loss_collection=None)       # not collected
        with tf.name_scope("head"):
            c = tf.losses.absolute_difference([1.], [3.], scope="abs")            # 2.0
        tf.losses.add_loss(tf.constant(0.5))
        assert tf.losses.get_losses()[:2] == [a, c] and len(tf.losses.get_losses()) == 3
        assert tf.losses.get_losses(scope="head") == [c]
        assert b not in tf.losses.get_losses()
        assert sess.run(tf.losses.get_regularization_loss()) == 0.0
        tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.25))
        tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.75))
        assert sess.run(tf.losses.get_regularization_loss()) == 1.0
        assert len(tf.losses.get_regularization_losses()) == 2
        assert sess.run(tf.losses.get_total_loss()) == 6.0
        total = tf.losses.get_total_loss(add_regularization_losses=False)
        assert sess.run(total) == 5.0 and total.op.name.startswith("total_loss")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="No losses"):
            tf.losses.get_total_loss()


def test_loss_trains_a_linear_model():
    """A tf.losses loss drives GradientDescent-style updates down (loss trajectory)."""
    rng = np.random.RandomState(7)
    xv = rng.randn(64, 3).astype(np.float32)
    yv = (xv @ np.array([[1.], [-2.], [0.5]], np.float32)).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x, y = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable(tf.zeros([3, 1]))
        loss = tf.losses.mean_squared_error(y, tf.matmul(x, w))
        step = tf.assign_sub(w, 0.1 * tf.gradients(loss, w)[0])
        sess.run(tf.global_variables_initializer())
        traj = [sess.run([loss, step], {x: xv, y: yv})[0] for _ in range(30)]
    assert traj[0] > 1 and traj[-1] < 0.05 * traj[0]
    assert all(b < a for a, b in zip(traj, traj[1:]))


def _pairwise_ref(y, p, w):
    d = p - y
    out = 0.0
    for b in range(d.shape[0]):
        v = d[b].reshape(-1)
        n = v.size if np.ravel(w)[b if np.size(w) > 1 else 0] != 0 else 0
        if n > 1:
            pairs = (v[:, None] - v[None, :]) ** 2
            out += pairs.sum() / (n * (n - 1)) * np.ravel(w)[b if np.size(w) > 1 else 0]
    return out


@pytest.mark.parametrize("weights", [1.0, np.array([[1.], [0.], [2.]])])
def test_mean_pairwise_squared_error(weights):
    rng = np.random.RandomState(8)
    y, p = rng.randn(3, 4), rng.randn(3, 4)
    check_op(lambda y, p: tf.losses.mean_pairwise_squared_error(y, p, weights=weights),
             lambda y, p: _pairwise_ref(y, p, weights), shapes=[((3, 4), (3, 4))], inputs=[y, p],
             grad=True, dtype=np.float64)
