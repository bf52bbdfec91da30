"""Erf: kernel against math.erf, dtypes, shape rule, numeric gradient."""
import math

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.special_fn_ops import erf, erf_reference


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_erf_matches_math_erf(dtype):
    xv = np.array([[-3.0, -1.2, -0.1, 0.0], [1e-4, 0.5, 2.0, 6.0]], dtype)
    want = np.array([[math.erf(float(v)) for v in row] for row in xv], dtype)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.as_dtype(np.dtype(dtype).name), [None, 4])
        y = erf(x)
        assert y.dtype == x.dtype and y.shape.as_list() == [None, 4]
        got = tf.Session().run(y, {x: xv})
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=1e-3 if dtype == np.float16 else 1e-7)
    np.testing.assert_array_equal(erf_reference(xv), got)


def test_erf_refuses_integers():
    with tf.Graph().as_default(), pytest.raises(TypeError, match="Erf"):
        erf(tf.constant([1, 2]))


def test_erf_gradient():
    xv = np.linspace(-2.5, 2.5, 12).reshape(3, 4)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3, 4])
        y = erf(x)
        with tf.Session() as sess:
            err = tf.test.compute_gradient_error(x, [3, 4], y, [3, 4], x_init_value=xv,
                                                 delta=1e-6, sess=sess)
    assert err < 1e-7
