"""Shared layer-test checks: forward pass vs numpy; float64 gradients w.r.t. inputs and weights."""
import numpy as np

import tfgraph as tf
from tfgraph_keras import backend


def run_layer(layer, *arrays, training=None):
    """Builds `layer` on placeholders with an unknown batch dim and runs it on `arrays`."""
    holders = [tf.placeholder(tf.as_dtype(a.dtype), (None,) + a.shape[1:]) for a in arrays]
    kwargs = {} if training is None else {"training": training}
    y = layer(holders if len(holders) > 1 else holders[0], **kwargs)
    sess = backend.get_session()
    backend.initialize_variables(layer.weights)
    out = sess.run(y, dict(zip(holders, arrays)))
    assert list(out.shape) == [out.shape[0]] + y.shape.as_list()[1:], (out.shape, y.shape)
    return out


def check_gradients(layer, *arrays, tol=1e-5, training=None):
    """Compares symbolic and numeric (central difference) Jacobians of `layer` in float64 w.r.t.
    every input and every trainable weight (the weight values are fed through their read tensor)."""
    holders = [tf.placeholder(tf.float64, a.shape) for a in arrays]
    kwargs = {} if training is None else {"training": training}
    y = layer(holders if len(holders) > 1 else holders[0], **kwargs)
    sess = backend.get_session()
    backend.initialize_variables(layer.weights)
    weights = layer.trainable_weights
    xs = holders + [w.value() for w in weights]
    values = list(arrays) + [np.asarray(v, np.float64) for v in sess.run(weights)]
    shapes = [v.shape for v in values]
    y_shape = tuple(sess.run(tf.shape(y), dict(zip(holders, arrays))))
    err = tf.test.compute_gradient_error(xs, shapes, y, y_shape, x_init_value=values, sess=sess)
    assert err < tol, err
    return err
