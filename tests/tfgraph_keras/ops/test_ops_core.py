"""keras.ops plumbing: dtype promotion table, symbolic vs eager dispatch, dynamic shapes,
Variables as inputs, errors."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import ops
from tfgraph_keras.ops.core import result_type

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "keras_ops_cases.json")
with open(DATA) as _f:
    PROMOTIONS = json.load(_f)["result_type"]


@pytest.mark.parametrize("a,b,want", PROMOTIONS, ids=["%s-%s" % (a, b) for a, b, _ in PROMOTIONS])
def test_result_type_matches_keras(a, b, want):
    weak = {"int": int, "float": float}
    assert result_type(weak.get(a, a), weak.get(b, b)) == want


def test_eager_returns_numpy_and_symbolic_returns_tensors():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = ops.mean(ops.square(x), axis=1)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32
    np.testing.assert_allclose(y, (x ** 2).mean(1))
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 3])
        t = ops.mean(ops.square(p), axis=1)
        assert isinstance(t, tf.Tensor) and t.shape.as_list() == [None]
        np.testing.assert_allclose(tf.Session().run(t, {p: x}), y)
        # Python-only arguments under an explicit graph build graph ops too (as in Layer.call)
        assert isinstance(ops.zeros((2, 2)), tf.Tensor)


def test_shape_with_unknown_batch_feeds_other_ops():
    with tf.Graph().as_default():
        z = tf.placeholder(tf.float32, [None, 4])
        batch, dim = ops.shape(z)
        assert isinstance(batch, tf.Tensor) and dim == 4
        ones = ops.ones((ops.shape(z)[0], dim))
        out = ops.concatenate([z, ones], axis=1)
        assert out.shape.as_list() == [None, 8]
        got = tf.Session().run(out, {z: np.zeros((5, 4), np.float32)})
    assert got.shape == (5, 8) and got[:, 4:].min() == 1


def test_variables_and_convert_to_numpy():
    keras.backend.clear_session()
    v = keras.backend.variable(np.array([1.0, -2.0], np.float32))
    y = ops.abs(v)
    assert isinstance(y, tf.Tensor)
    np.testing.assert_array_equal(ops.convert_to_numpy(y), [1.0, 2.0])


def test_gradients_reach_layer_weights_through_ops():
    with tf.Graph().as_default():
        w = tf.Variable(np.ones((3, 2), np.float32))
        x = tf.placeholder(tf.float32, [None, 3])
        loss = ops.mean(ops.softplus(ops.einsum("bi,ij->bj", x, w)))
        (g,) = tf.gradients(loss, [w])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            gv = sess.run(g, {x: np.ones((4, 3), np.float32)})
    sig = 1 / (1 + np.exp(-3.0))
    np.testing.assert_allclose(gv, np.full((3, 2), sig / 2), rtol=1e-6)


def test_errors_name_the_op_and_argument():
    with pytest.raises(ValueError, match=r"keras\.ops\.einsum called at .*test_ops_core\.py:\d+"):
        ops.einsum("ij,jk", np.ones((2, 2)))
    with pytest.raises(ValueError, match="einsum.*ellipses"):
        ops.einsum("...i->i", np.ones(3))
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(np.ones(3), 1, mode="reflect", constant_values=1)
    with pytest.raises(ValueError, match="order"):
        ops.normalize(np.ones(3), order=0)
    with pytest.raises(ValueError, match="padding"):
        ops.conv(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), padding="full")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="segment_sum.*num_segments"):
            ops.segment_sum(tf.ones([3]), tf.placeholder(tf.int32, [3]))
        with pytest.raises(ValueError, match="unique"):
            ops.unique(tf.placeholder(tf.int32, [3]))
        with pytest.raises(ValueError, match="MatMul|BatchMatMul|dimension"):
            ops.matmul(tf.ones([2, 3]), tf.ones([4, 2]))
