"""Trig/hyperbolic ops, expm1, atan2, float classification and composite reductions vs numpy."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.testing.op_check import check_op

UNARY = [
    (tf.expm1, np.expm1, -1, 1), (tf.tan, np.tan, -1, 1), (tf.asin, np.arcsin, -0.8, 0.8),
    (tf.acos, np.arccos, -0.8, 0.8), (tf.atan, np.arctan, -3, 3), (tf.sinh, np.sinh, -2, 2),
    (tf.cosh, np.cosh, -2, 2),
]


@pytest.mark.parametrize("fn, ref, low, high", UNARY, ids=[r[1].__name__ for r in UNARY])
def test_unary(fn, ref, low, high):
    check_op(fn, ref, [(), (5,), (None, 3)], grad=True, low=low, high=high)


def test_atan2():
    check_op(tf.atan2, np.arctan2, [((4,), (4,)), ((None, 3), (3,))], grad=True, low=0.3, high=2)


def test_classification():
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], np.float32)
    for fn, ref in [(tf.is_nan, np.isnan), (tf.is_inf, np.isinf), (tf.is_finite, np.isfinite)]:
        check_op(fn, ref, [(5,)], inputs=[x])
    with tf.Graph().as_default():
        with pytest.raises(TypeError):
            tf.is_nan(tf.constant([1]))


@pytest.mark.parametrize("axis, keep", [(None, False), (1, False), (0, True), ([0, 1], False)])
def test_composite_reductions(axis, keep):
    ax = tuple(axis) if isinstance(axis, list) else axis

    def lse(x):
        m = np.max(x, axis=ax, keepdims=True)
        out = np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True)) + m
        return out if keep else np.squeeze(out, axis=ax) if ax is not None else out.reshape(())
    check_op(lambda x: tf.reduce_logsumexp(x, axis=axis, keepdims=keep), lse,
             [(3, 4), (None, 4)], grad=True, low=-3, high=3)
    check_op(lambda x: tf.reduce_variance(x, axis=axis, keepdims=keep),
             lambda x: np.var(x, axis=ax, keepdims=keep), [(3, 4)], grad=True)
    check_op(lambda x: tf.reduce_std(x, axis=axis, keepdims=keep),
             lambda x: np.std(x, axis=ax, keepdims=keep), [(3, 4)], grad=True, grad_tol=1e-3)


def test_logsumexp_is_stable_for_large_inputs():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]], np.float32)
    check_op(lambda v: tf.reduce_logsumexp(v, axis=1), lambda v: v[:, 0] + np.log(2.0), [(2, 2)],
             inputs=[x], rtol=1e-6)


def test_count_nonzero_div_no_nan_scalar_mul_to_double():
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]], np.float32)
    check_op(lambda v: tf.count_nonzero(v, axis=1), lambda v: np.count_nonzero(v, axis=1),
             [(2, 3)], inputs=[x])
    check_op(lambda v: tf.count_nonzero(v, keep_dims=True, reduction_indices=0),
             lambda v: np.count_nonzero(v, axis=0).reshape(1, 3), [(2, 3)], inputs=[x])
    check_op(lambda a, b: tf.div_no_nan(a, b), lambda a, b: np.where(b == 0, 0, a / np.where(
        b == 0, 1, b)).astype(np.float32), [((2, 3), (2, 3))], inputs=[x + 1, x])
    check_op(lambda v: tf.scalar_mul(3, v), lambda v: 3 * v, [(2, 3)], grad=True)
    check_op(lambda v: tf.to_double(v), lambda v: v.astype(np.float64), [(2, 3)])
