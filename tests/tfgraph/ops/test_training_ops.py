"""Every Apply*/SparseApply* op: the fused Numba kernel (in place) against the OpDef's numpy
reference, for variables and slots, plus static shape checks."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework.op_def import get_op_def
from tfgraph.ops import training_ops as T

OPS = [T.ApplyGradientDescent, T.SparseApplyGradientDescent, T.ApplyMomentum, T.SparseApplyMomentum,
       T.ApplyAdam, T.SparseApplyAdam, T.ApplyRMSProp, T.ApplyKerasRMSProp, T.SparseApplyRMSProp,
       T.ApplyCenteredRMSProp, T.SparseApplyCenteredRMSProp, T.ApplyAdagrad, T.SparseApplyAdagrad,
       T.ApplyAdadelta, T.SparseApplyAdadelta]
SCALARS = {"lr": 0.05, "alpha": 0.05, "momentum": 0.7, "beta1_power": 0.81, "beta2_power": 0.98,
           "beta1": 0.9, "beta2": 0.99, "epsilon": 1e-3, "rho": 0.9}


def _case(op_class, nesterov, dtype):
    rng = np.random.RandomState(1)
    shape = (6, 4)
    arrays, idx = [], np.array([4, 0, 4, 2])
    for name in op_class.inputs:
        if name in SCALARS:
            arrays.append(np.array(SCALARS[name], dtype))
        elif name == "indices":
            arrays.append(idx)
        elif name in ("grad", "delta"):
            rows = len(idx) if "indices" in op_class.inputs else shape[0]
            arrays.append(rng.uniform(-1, 1, (rows,) + shape[1:]).astype(dtype))
        elif name == "mg":   # centered RMSProp: keep ms - mg^2 positive
            arrays.append(rng.uniform(-0.1, 0.1, shape).astype(dtype))
        else:   # the variable and its slots (accumulators kept positive)
            arrays.append(rng.uniform(0.1, 1, shape).astype(dtype))
    attrs = {"use_nesterov": nesterov} if "use_nesterov" in op_class.attrs else {}
    return arrays, attrs


VARIANTS = [(c, nest) for c in OPS for nest in ([False, True] if "use_nesterov" in c.attrs
                                                 else [False])]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op_class,nesterov", VARIANTS,
                         ids=[c.type + ("-nesterov" if n else "") for c, n in VARIANTS])
def test_kernel_matches_reference(op_class, nesterov, dtype):
    arrays, attrs = _case(op_class, nesterov, dtype)
    n = op_class.n_refs
    with tf.Graph().as_default():
        refs = [tf.Variable(a, name=name) for a, name in zip(arrays[:n], op_class.inputs)]
        phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in arrays[n:]]
        out = op_class.apply(*[r._ref() for r in refs], *phs, **attrs)
        assert out.shape.as_list() == list(arrays[0].shape) and out.dtype == refs[0].dtype
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_out = sess.run(out, dict(zip(phs, arrays[n:])))
            got = sess.run(refs)
    expected = get_op_def(op_class.type).reference(*arrays, **attrs)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    for g, e, name in zip(got, expected, op_class.inputs):
        np.testing.assert_allclose(g, e, err_msg=name, **tol)
    np.testing.assert_allclose(got_out, expected[0], **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_keras_rmsprop_is_rmsprop_with_momentum_zero_bit_for_bit(dtype):
    rng = np.random.RandomState(2)
    var, ms, grad = (rng.uniform(0.1, 1, 1000).astype(dtype) for _ in range(3))
    grad[:3] = [0, -0.0, 1e-30]
    with tf.Graph().as_default(), tf.Session() as sess:
        v1, v2, m1, m2 = (tf.Variable(a) for a in (var, var, ms, ms))
        mom = tf.Variable(np.zeros_like(var))
        a = T.apply_keras_rms_prop(v1, m1, dtype(0.01), dtype(0.9), dtype(1e-7), grad)
        b = T.apply_rms_prop(v2, m2, mom, dtype(0.01), dtype(0.9), dtype(0.0), dtype(1e-7), grad)
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run([a, b])
        got1, got2, ms1, ms2 = sess.run([v1, v2, m1, m2])
    np.testing.assert_array_equal(got1, got2)
    np.testing.assert_array_equal(ms1, ms2)


def test_static_checks():
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros((3, 2), np.float32))
        a = tf.Variable(np.zeros((3, 2), np.float32))
        with pytest.raises(ValueError, match="do not have the same shape"):
            T.apply_gradient_descent(v, 0.1, tf.zeros([2, 3]))
        with pytest.raises(ValueError, match="lr is not a scalar"):
            T.apply_adagrad(v, a, tf.zeros([2]), tf.zeros([3, 2]))
        with pytest.raises(TypeError, match="mutable tensor"):
            T.apply_gradient_descent(tf.zeros([3, 2]), 0.1, tf.zeros([3, 2]))
        with pytest.raises(ValueError, match="dimension 1 and above"):
            T.sparse_apply_adagrad(v, a, 0.1, tf.zeros([2, 3]), tf.constant([0, 1]))
        with pytest.raises(TypeError):
            T.apply_gradient_descent(v, 0.1, tf.zeros([3, 2], tf.float64))
