"""clip_by_norm, clip_by_global_norm, global_norm vs numpy: values, IndexedSlices, gradients."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.testing.op_check import check_op


def _np_clip_by_norm(x, c, axes=None):
    norm = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
    return x * c / np.maximum(norm, c)


@pytest.mark.parametrize("clip", [0.5, 100.0])
def test_clip_by_norm(clip):
    check_op(lambda x: tf.clip_by_norm(x, clip), lambda x: _np_clip_by_norm(x, clip),
             shapes=[(4, 3), (None, 5)], grad=True)
    check_op(lambda x: tf.clip_by_norm(x, clip, axes=[1]),
             lambda x: _np_clip_by_norm(x, clip, axes=1), shapes=[(4, 3)], grad=True)


def test_clip_by_norm_zero_input_has_finite_gradient():
    with tf.Graph().as_default():
        x = tf.constant(np.zeros(3, np.float32))
        y = tf.clip_by_norm(x, 1.0)
        g = tf.gradients(tf.reduce_sum(y), x)[0]
        with tf.Session() as sess:
            yv, gv = sess.run([y, g])
    np.testing.assert_array_equal(yv, 0.0)
    assert np.all(np.isfinite(gv))


def test_global_norm_and_clip_by_global_norm():
    rng = np.random.RandomState(0)
    a, b = rng.randn(3, 4).astype(np.float32), rng.randn(5).astype(np.float32)
    norm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    with tf.Graph().as_default():
        ta, tb = tf.constant(a), tf.constant(b)
        gn = tf.global_norm([ta, None, tb])
        clipped, used = tf.clip_by_global_norm([ta, None, tb], 1.0)
        big, _ = tf.clip_by_global_norm([ta, tb], 100.0)
        assert clipped[1] is None
        assert clipped[0].op.name == "clip_by_global_norm/clip_by_global_norm_0"
        with tf.Session() as sess:
            gv, (ca, cb), uv, (ba, bb) = sess.run([gn, [clipped[0], clipped[2]], used, big])
    np.testing.assert_allclose(gv, norm, rtol=1e-6)
    np.testing.assert_allclose(uv, norm, rtol=1e-6)
    np.testing.assert_allclose(ca, a / norm, rtol=1e-5)
    np.testing.assert_allclose(cb, b / norm, rtol=1e-5)
    np.testing.assert_allclose(np.sqrt(np.sum(ca ** 2) + np.sum(cb ** 2)), 1.0, rtol=1e-5)
    np.testing.assert_allclose(ba, a, rtol=1e-6)
    np.testing.assert_allclose(bb, b, rtol=1e-6)


def test_clip_by_global_norm_gradient():
    check_op(lambda x, y: tf.clip_by_global_norm([x, y], 0.7)[0],
             lambda x, y: [v * 0.7 / max(np.sqrt(np.sum(x * x) + np.sum(y * y)), 0.7)
                           for v in (x, y)], shapes=[((2, 3), (4,)), ((None, 3), (1,))], grad=True)


def test_inf_norm_gives_nan_and_indexed_slices_stay_sparse():
    with tf.Graph().as_default():
        x = tf.constant([np.inf, 1.0])
        (cx,), n = tf.clip_by_global_norm([x], 1.0)
        sl = tf.IndexedSlices(tf.constant([[3.0, 4.0]]), tf.constant([2]), tf.constant([4, 2]))
        csl = tf.clip_by_norm(sl, 1.0)
        (gsl,), _ = tf.clip_by_global_norm([sl], 2.5)
        assert isinstance(csl, tf.IndexedSlices) and isinstance(gsl, tf.IndexedSlices)
        with tf.Session() as sess:
            cxv, cv, gv = sess.run([cx, csl.values, gsl.values])
    assert np.all(np.isnan(cxv))
    np.testing.assert_allclose(cv, [[0.6, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(gv, [[1.5, 2.0]], rtol=1e-6)


def test_clip_errors():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="sequence"):
            tf.clip_by_global_norm(tf.constant([1.0]), 1.0)
