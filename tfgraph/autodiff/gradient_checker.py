"""tf.test.compute_gradient / compute_gradient_error: symbolic vs numeric Jacobians.

The numeric Jacobian uses central differences on the values fed for `x`; build the graph in float64
for tight comparisons (the test suite does).
"""
import numpy as np

from tfgraph.autodiff.gradients import gradients
from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.ops import array_ops


def _session(sess, graph):
    from tfgraph.runtime.session import Session, get_default_session
    sess = sess or get_default_session()
    if sess is None or sess.graph is not graph:
        sess = Session(graph=graph)
    return sess


def _jacobians(x, x_shape, x_value, y, y_shape, delta, extra_feed, sess):
    x_size = int(np.prod(x_shape))
    y_size = int(np.prod(y_shape))
    with y.graph.as_default():
        dy = array_ops.placeholder(y.dtype, y_shape)
        grad = gradients(y, x, grad_ys=dy)[0]
    if isinstance(grad, IndexedSlices):
        grad = convert_to_tensor(grad)
    theoretical = np.zeros((x_size, y_size))
    if grad is not None:
        g_fn = sess.make_callable(grad, [x, dy] + list(extra_feed))
        onehot = np.zeros(y_shape, dtype=y.dtype.np)
        flat = onehot.reshape(-1)
        for j in range(y_size):
            flat[:] = 0
            flat[j] = 1
            theoretical[:, j] = np.asarray(g_fn(x_value, onehot, *extra_feed.values())).reshape(-1)
    y_fn = sess.make_callable(y, [x] + list(extra_feed))
    numerical = np.zeros((x_size, y_size))
    xv = np.array(x_value, dtype=x.dtype.np, copy=True)
    flat_x = xv.reshape(-1)
    for i in range(x_size):
        orig = flat_x[i]
        flat_x[i] = orig + delta
        y_pos = np.asarray(y_fn(xv, *extra_feed.values()), dtype=np.float64).reshape(-1)
        flat_x[i] = orig - delta
        y_neg = np.asarray(y_fn(xv, *extra_feed.values()), dtype=np.float64).reshape(-1)
        flat_x[i] = orig
        numerical[i, :] = (y_pos - y_neg) / (2 * delta)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None, sess=None):
    """(theoretical, numerical) Jacobians of shape (x_size, y_size); lists when `x` is a list."""
    sess = _session(sess, y.graph)
    if init_targets:
        sess.run(init_targets)
    extra = dict(extra_feed_dict or {})
    if isinstance(x, (list, tuple)):
        values = x_init_value or [None] * len(x)
        out = []
        for xi, si, vi in zip(x, x_shape, values):
            others = {k: v for k, v in zip(x, values) if k is not xi and v is not None}
            vi = _default_value(xi, si) if vi is None else vi
            out.append(_jacobians(xi, si, vi, y, y_shape, delta, {**extra, **others}, sess))
        return out
    value = _default_value(x, x_shape) if x_init_value is None else x_init_value
    return _jacobians(x, x_shape, value, y, y_shape, delta, extra, sess)


def _default_value(x, shape):
    rng = np.random.RandomState(0)
    return rng.uniform(-1, 1, size=shape).astype(x.dtype.np)


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None, sess=None):
    """Max |theoretical - numerical| over the Jacobian entries (over all xs for a list)."""
    result = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                              extra_feed_dict, sess)
    if isinstance(result, list):
        return max(float(np.max(np.abs(t - n))) if t.size else 0.0 for t, n in result)
    t, n = result
    return float(np.max(np.abs(t - n))) if t.size else 0.0
