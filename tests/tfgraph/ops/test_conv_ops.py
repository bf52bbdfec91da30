"""tf.nn conv/pool ops: values vs loop references, static shapes, gradients (1st and 2nd order), errors."""
import importlib.util
import pathlib

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.testing.op_check import check_op

_spec = importlib.util.spec_from_file_location(
    "conv_reference", pathlib.Path(__file__).parents[1] / "kernels" / "conv_reference.py")
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

TOL = dict(rtol=1e-4, atol=1e-5)

# (x shape with unknown batch, filter shape, strides, padding, dilations)
CONV_CASES = [
    ((None, 5, 5, 2), (3, 3, 2, 3), (1, 1), "VALID", (1, 1)),
    ((None, 5, 4, 2), (3, 2, 2, 2), (2, 1), "SAME", (1, 1)),
    ((1, 6, 6, 1), (2, 2, 1, 2), (2, 2), "SAME", (1, 1)),
    ((None, 6, 5, 2), (2, 2, 2, 2), (1, 1), "SAME", (2, 2)),
    ((2, 4, 4, 3), (1, 1, 3, 2), (1, 1), "VALID", (1, 1)),
    ((None, 7, 7, 1), (3, 3, 1, 4), (1, 1), "VALID", (1, 1)),   # W3's first layer: direct kernels
    ((None, 6, 5, 1), (3, 3, 1, 3), (2, 1), "SAME", (1, 1)),
]


def _conv_fn(s, p, d):
    return lambda x, w: tf.nn.conv2d(x, w, strides=[1, s[0], s[1], 1], padding=p,
                                     dilations=[1, d[0], d[1], 1])


@pytest.mark.parametrize("xs,ws,s,p,d", CONV_CASES)
def test_conv2d_values_and_gradients(xs, ws, s, p, d):
    check_op(_conv_fn(s, p, d), lambda x, w: ref.conv2d(x, w, s, p, d), [(xs, ws)], grad=True,
             **TOL)


@pytest.mark.parametrize("xs,ws,s,p,d", CONV_CASES[:3])
def test_conv2d_second_order(xs, ws, s, p, d):
    """Gradients of gradients: d/dx and d/dw of sum(conv(x, w)**2) are differentiable again."""
    def grads(x, w):
        y = _conv_fn(s, p, d)(x, w)
        return tf.gradients(tf.reduce_sum(tf.square(y)), [x, w])

    def grads_ref(x, w):
        dy = 2 * ref.conv2d(x, w, s, p, d)
        return [ref.conv2d_backprop_input(x.shape, w, dy, s, p, d),
                ref.conv2d_backprop_filter(x, w.shape, dy, s, p, d)]
    check_op(grads, grads_ref, [(xs, ws)], grad=True, **TOL)


def test_conv2d_backprop_ops_and_transpose():
    rng = np.random.RandomState(0)
    x = rng.randn(2, 6, 6, 3).astype(np.float32)
    w = rng.randn(3, 3, 3, 4).astype(np.float32)
    dy = rng.randn(2, 3, 3, 4).astype(np.float32)
    dx_t = tf.nn.conv2d_backprop_input([2, 6, 6, 3], w, dy, [1, 2, 2, 1], "SAME")
    dw_t = tf.nn.conv2d_backprop_filter(x, [3, 3, 3, 4], dy, [1, 2, 2, 1], "SAME")
    tr = tf.nn.conv2d_transpose(dy, w, output_shape=[2, 6, 6, 3], strides=[1, 2, 2, 1])
    assert dx_t.op.type == "Conv2DBackpropInput" and dw_t.op.type == "Conv2DBackpropFilter"
    assert dx_t.shape.as_list() == [2, 6, 6, 3] and dw_t.shape.as_list() == [3, 3, 3, 4]
    with tf.Session() as sess:
        dx, dw, t = sess.run([dx_t, dw_t, tr])
    want_dx = ref.conv2d_backprop_input(x.shape, w, dy, (2, 2), "SAME")
    np.testing.assert_allclose(dx, want_dx, **TOL)
    np.testing.assert_allclose(t, want_dx, **TOL)
    np.testing.assert_allclose(dw, ref.conv2d_backprop_filter(x, w.shape, dy, (2, 2), "SAME"),
                               **TOL)


def test_conv2d_gradient_of_unknown_batch_has_static_shape():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    w = tf.Variable(np.zeros((3, 3, 1, 32), np.float32))
    y = tf.nn.conv2d(x, w, strides=1, padding="VALID")
    assert y.shape.as_list() == [None, 26, 26, 32] and y.op.type == "Conv2D"
    gx, gw = tf.gradients(tf.reduce_sum(y), [x, w])
    assert gx.shape.as_list() == [None, 28, 28, 1] and gw.shape.as_list() == [3, 3, 1, 32]


def test_conv2d_filters_alias_int_strides_and_float16_fallback():
    rng = np.random.RandomState(1)
    x = rng.randn(1, 5, 5, 2).astype(np.float16)
    w = rng.randn(2, 2, 2, 3).astype(np.float16)
    y = tf.nn.conv2d(tf.constant(x), filters=tf.constant(w), strides=2, padding="SAME")
    assert y.dtype == tf.float16 and y.shape.as_list() == [1, 3, 3, 3]
    with tf.Session() as sess:
        got = sess.run(y)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got, ref.conv2d(x.astype(np.float32), w.astype(np.float32),
                                               (2, 2), "SAME"), rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("stride,padding,dilation", [(1, "VALID", 1), (2, "SAME", 1),
                                                     (1, "SAME", 2)])
def test_conv1d(stride, padding, dilation):
    def fn(x, w):
        return tf.nn.conv1d(x, w, stride=stride, padding=padding, dilations=dilation)

    def want(x, w):
        return ref.conv2d(x[:, None], w[None], (1, stride), padding, (1, dilation))[:, 0]
    check_op(fn, want, [((None, 7, 2), (3, 2, 3))], grad=True, **TOL)


# (x shape, ksize, strides, padding)
POOL_CASES = [
    ((None, 4, 4, 2), (2, 2), (2, 2), "VALID"),
    ((None, 5, 5, 2), (2, 2), (2, 2), "SAME"),
    ((1, 5, 4, 1), (3, 3), (2, 1), "SAME"),
    ((None, 5, 4, 3), (2, 2), (2, 2), "VALID"),   # 2x2 fast path, odd height: last row gets 0
]


@pytest.mark.parametrize("xs,k,s,p", POOL_CASES)
def test_max_pool(xs, k, s, p):
    check_op(lambda x: tf.nn.max_pool(x, [1, k[0], k[1], 1], [1, s[0], s[1], 1], p),
             lambda x: ref.max_pool(x, k, s, p), [xs], grad=True)


@pytest.mark.parametrize("xs,k,s,p", POOL_CASES)
def test_avg_pool(xs, k, s, p):
    check_op(lambda x: tf.nn.avg_pool(x, k, s, p), lambda x: ref.avg_pool(x, k, s, p), [xs],
             grad=True)


@pytest.mark.parametrize("xs,k,s,p", POOL_CASES[1:])
def test_pool_second_order(xs, k, s, p):
    def grads(x):
        y = tf.nn.max_pool2d(x, k, s, p) + tf.nn.avg_pool2d(x, k, s, p)
        return tf.gradients(tf.reduce_sum(tf.square(y)), x)[0]

    def grads_ref(x):
        dy = 2 * (ref.max_pool(x, k, s, p) + ref.avg_pool(x, k, s, p))
        return ref.max_pool_grad(x, dy, k, s, p) + ref.avg_pool_grad(x.shape, dy, k, s, p)
    check_op(grads, grads_ref, [xs], grad=True)


def test_pool_op_types_and_1d_pools():
    x = tf.placeholder(tf.float32, [None, 8, 3])
    mp, ap = tf.nn.max_pool1d(x, 2, 2, "VALID"), tf.nn.avg_pool1d(x, 3, 2, "SAME")
    assert mp.shape.as_list() == [None, 4, 3] and ap.shape.as_list() == [None, 4, 3]
    gx = tf.gradients(tf.reduce_sum(mp) + tf.reduce_sum(ap), x)[0]
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"MaxPool", "AvgPool", "MaxPoolGrad", "AvgPoolGrad"} <= types
    xv = np.random.RandomState(2).randn(2, 8, 3).astype(np.float32)
    with tf.Session() as sess:
        m, a, g = sess.run([mp, ap, gx], {x: xv})
    np.testing.assert_allclose(m, ref.max_pool(xv[:, None], (1, 2), (1, 2), "VALID")[:, 0])
    np.testing.assert_allclose(a, ref.avg_pool(xv[:, None], (1, 3), (1, 2), "SAME")[:, 0],
                               rtol=1e-6)
    assert g.shape == xv.shape


# -- shape inference and errors -----------------------------------------------------------------------
def test_static_shapes_with_unknown_dims():
    x = tf.placeholder(tf.float32, [None, None, 10, 3])
    y = tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), strides=[1, 2, 2, 1], padding="SAME")
    assert y.shape.as_list() == [None, None, 5, 8]
    p = tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert p.shape.as_list() == [None, None, 2, 8]


def test_channel_mismatch_names_both_shapes():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    with pytest.raises(ValueError) as e:
        tf.nn.conv2d(x, tf.zeros([3, 3, 4, 8]), strides=1, padding="SAME")
    msg = str(e.value)
    assert "(?, 8, 8, 3)" in msg and "(3, 3, 4, 8)" in msg and "Conv2D" in msg


@pytest.mark.parametrize("kwargs,match", [
    (dict(strides=1, padding="FULL"), "padding"),
    (dict(strides=[2, 1, 1, 1], padding="SAME"), "batch and depth"),
    (dict(strides=[1, 2, 1], padding="SAME"), "strides"),
    (dict(strides=1, padding="SAME", data_format="NCHW"), "NCHW"),
])
def test_bad_attributes(kwargs, match):
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    with pytest.raises(ValueError, match=match):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), **kwargs)


def test_too_small_input_and_bad_rank_and_dtype():
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 5 from 3"):
        tf.nn.conv2d(tf.zeros([1, 3, 3, 1]), tf.zeros([5, 5, 1, 1]), strides=1, padding="VALID")
    with pytest.raises(ValueError, match="4-dimensional"):
        tf.nn.conv2d(tf.zeros([3, 3, 1]), tf.zeros([2, 2, 1, 1]), strides=1, padding="VALID")
    with pytest.raises(ValueError, match="4-dimensional"):
        tf.nn.max_pool(tf.zeros([3, 3]), 2, 2, "VALID")
    with pytest.raises(TypeError, match="int32"):
        tf.nn.conv2d(tf.zeros([1, 3, 3, 1], tf.int32), tf.zeros([2, 2, 1, 1], tf.int32),
                     strides=1, padding="VALID")


def test_runtime_shape_mismatch_is_invalid_argument():
    x = tf.placeholder(tf.float32, [None, None, None, None])
    y = tf.nn.conv2d(x, tf.zeros([3, 3, 2, 4]), strides=1, padding="SAME")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Conv2D"):
        sess.run(y, {x: np.zeros((1, 5, 5, 3), np.float32)})
