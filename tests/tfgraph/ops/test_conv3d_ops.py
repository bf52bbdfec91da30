"""conv3d, conv3d_transpose, max_pool3d, avg_pool3d: TensorFlow's values and gradients
(tests/data/tf_conv3d_ops.npz from tests/reference/make_conv3d_ops.py), a naive numpy loop,
the numeric gradient checker, and errors."""
import itertools
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_conv3d_ops as cases  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "tf_conv3d_ops.npz")
REF = dict(np.load(DATA))
RNG = np.random.RandomState(2)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@pytest.mark.parametrize("name", sorted(cases.CONV))
def test_conv3d_and_gradients_match_tensorflow(name):
    _, _, st, pad, dil = cases.CONV[name]
    r = {k: REF["conv_%s_%s" % (name, k)] for k in ("x", "w", "y", "dy", "gx", "gw")}
    with tf.Graph().as_default():
        x, w = tf.constant(r["x"]), tf.constant(r["w"])
        y = tf.nn.conv3d(x, w, strides=(1,) + st + (1,), padding=pad)
        assert y.shape.as_list() == list(r["y"].shape)
        gx, gw = tf.gradients(y, [x, w], grad_ys=tf.constant(r["dy"]))
        got = _run([y, gx, gw])
    for g, k in zip(got, ("y", "gx", "gw")):
        np.testing.assert_allclose(g, r[k], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", sorted(cases.POOL))
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool3d_and_gradients_match_tensorflow(name, kind):
    _, ks, st, pad = cases.POOL[name]
    r = {k: REF["%s_%s_%s" % (kind, name, k)] for k in ("x", "y", "dy", "gx")}
    fn = tf.nn.max_pool3d if kind == "max" else tf.nn.avg_pool3d
    with tf.Graph().as_default():
        x = tf.constant(r["x"])
        y = fn(x, ksize=(1,) + ks + (1,), strides=(1,) + st + (1,), padding=pad)
        assert y.shape.as_list() == list(r["y"].shape)
        got = _run([y, tf.gradients(y, x, grad_ys=tf.constant(r["dy"]))[0]])
    np.testing.assert_allclose(got[0], r["y"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got[1], r["gx"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(cases.TRANSPOSE))
def test_conv3d_transpose_matches_tensorflow(name):
    _, _, st, pad, out_shape = cases.TRANSPOSE[name]
    r = {k: REF["transpose_%s_%s" % (name, k)] for k in ("x", "w", "y")}
    with tf.Graph().as_default():
        y = tf.nn.conv3d_transpose(tf.constant(r["x"]), tf.constant(r["w"]), out_shape,
                                   strides=(1,) + st + (1,), padding=pad)
        assert y.shape.as_list() == list(out_shape)
        np.testing.assert_allclose(_run(y), r["y"], rtol=1e-9, atol=1e-9)


def _naive_conv3d(x, w, strides, dilations, pads, outs):
    n, f = x.shape[0], w.shape[4]
    out = np.zeros((n,) + tuple(outs) + (f,))
    for b, i, j, k in itertools.product(range(n), *(range(o) for o in outs)):
        for p, q, r in itertools.product(*(range(s) for s in w.shape[:3])):
            pos = [o * s + t * d - pd for o, s, t, d, pd in zip(
                (i, j, k), strides, (p, q, r), dilations, pads)]
            if all(0 <= v < m for v, m in zip(pos, x.shape[1:4])):
                out[b, i, j, k] += x[b, pos[0], pos[1], pos[2]] @ w[p, q, r]
    return out


def test_dilated_conv3d_matches_naive_loop_and_gradient_checker():
    x = RNG.randn(1, 5, 4, 6, 2)
    w = RNG.randn(2, 2, 3, 2, 3)
    with tf.Graph().as_default():
        xt, wt = tf.constant(x), tf.constant(w)
        y = tf.nn.conv3d(xt, wt, strides=[1, 1, 1, 1, 1], padding="SAME", dilations=[2, 1, 2])
        got = _run(y)
        # SAME, stride 1: pad_total = (k - 1) * d, pad_before = pad_total // 2
        want = _naive_conv3d(x, w, (1, 1, 1), (2, 1, 2), (1, 0, 2), (5, 4, 6))
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
        with tf.Session():
            err = tf.test.compute_gradient_error([xt, wt], [x.shape, w.shape], y, got.shape,
                                                 x_init_value=[x, w])
    assert err < 1e-6


def test_conv3d_transpose_and_pool_gradients_numeric():
    x = RNG.randn(1, 2, 3, 2, 2)
    w = RNG.randn(2, 2, 3, 3, 2)
    with tf.Graph().as_default():
        xt, wt = tf.constant(x), tf.constant(w)
        y = tf.nn.conv3d_transpose(xt, wt, [1, 4, 3, 4, 3], strides=[1, 2, 1, 2, 1],
                                   padding="SAME")
        with tf.Session():
            err = tf.test.compute_gradient_error([xt, wt], [x.shape, w.shape], y, (1, 4, 3, 4, 3),
                                                 x_init_value=[x, w])
        assert err < 1e-6
        # distinct values so the max is unique (the max-pool gradient is piecewise constant)
        v = RNG.permutation(60).reshape(1, 3, 4, 5, 1).astype(np.float64) / 10
        vt = tf.constant(v)
        for fn in (tf.nn.max_pool3d, tf.nn.avg_pool3d):
            p = fn(vt, ksize=[1, 2, 2, 3, 1], strides=[1, 1, 2, 2, 1], padding="SAME")
            with tf.Session() as sess:
                shape = sess.run(p).shape
                err = tf.test.compute_gradient_error(vt, v.shape, p, shape, x_init_value=v,
                                                     delta=1e-3)
            assert err < 1e-6, fn


def test_second_order_through_conv3d():
    x = RNG.randn(1, 3, 3, 3, 1)
    w = RNG.randn(2, 2, 2, 1, 1)
    with tf.Graph().as_default():
        xt, wt = tf.constant(x), tf.constant(w)
        y = tf.nn.conv3d(xt, wt, strides=[1, 1, 1, 1, 1], padding="VALID")
        gx = tf.gradients(tf.reduce_sum(tf.square(y)), xt)[0]
        with tf.Session():
            err = tf.test.compute_gradient_error(wt, w.shape, gx, x.shape, x_init_value=w)
    assert err < 1e-6


def test_bad_arguments_raise_clearly():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 4, 4, 2])
        with pytest.raises(ValueError, match="input depth"):
            tf.nn.conv3d(x, tf.zeros([2, 2, 2, 3, 1]), strides=[1, 1, 1, 1, 1], padding="VALID")
        with pytest.raises(ValueError, match="5-dimensional"):
            tf.nn.conv3d(tf.zeros([4, 4, 4, 2]), tf.zeros([2, 2, 2, 2, 1]), strides=1,
                         padding="VALID")
        with pytest.raises(ValueError, match="padding"):
            tf.nn.max_pool3d(x, 2, 2, "FULL")
        with pytest.raises(ValueError, match="zero output size"):
            tf.nn.conv3d(x, tf.zeros([5, 2, 2, 2, 1]), strides=1, padding="VALID")
        with pytest.raises(ValueError, match="NDHWC"):
            tf.nn.avg_pool3d(x, 2, 2, "VALID", data_format="NCDHW")
        with pytest.raises(TypeError, match="Conv3D"):
            tf.nn.conv3d(tf.zeros([1, 2, 2, 2, 1], tf.int32), tf.zeros([1, 1, 1, 1, 1], tf.int32),
                         strides=1, padding="VALID")
        y = tf.nn.conv3d(x, tf.zeros([2, 3, 1, 2, 5]), strides=[1, 2, 1, 1, 1], padding="SAME")
        assert y.shape.as_list() == [None, 2, 4, 4, 5]
