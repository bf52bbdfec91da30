"""The counter-based uniform stream of RandomUniform: Numba kernel vs its numpy reference, range,
moments and independence, keys drawn from the op's seeded generator."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework.op_def import get_op_def
from tfgraph.kernels import random as R


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 1000, 1001])
def test_kernel_matches_numpy_reference(dtype, n):
    gen = np.random.Generator(np.random.Philox(key=[5, 6]))
    key = np.random.Generator(np.random.Philox(key=[5, 6])).bit_generator.random_raw()
    got = R.uniform(gen, (n,), dtype)
    assert got.dtype == dtype and got.shape == (n,)
    np.testing.assert_array_equal(got, R.uniform_reference(key, n, dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_moments_range_and_correlation(dtype):
    u = R.uniform(np.random.Generator(np.random.Philox(key=[1, 2])), (1000, 1000), dtype)
    assert 0 <= u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 2e-3 and abs(u.var() - 1 / 12) < 1e-3    # sd ~3e-4, 7e-5
    hist = np.histogram(u, bins=20, range=(0, 1))[0]
    assert np.all(np.abs(hist - 50000) < 1500)                            # sd ~220
    flat = u.reshape(-1).astype(np.float64) - 0.5
    for lag in (1, 2, 1000):                                               # pairs share a hash
        assert abs(np.mean(flat[:-lag] * flat[lag:])) < 1e-3               # sd ~8e-5


def test_each_call_takes_a_new_key_and_distinct_ops_differ():
    gen = np.random.Generator(np.random.Philox(key=[3, 4]))
    a, b = R.uniform(gen, (64,), np.float32), R.uniform(gen, (64,), np.float32)
    assert not np.array_equal(a, b)


def test_random_uniform_op_kernel_first_run_equals_reference():
    with tf.Graph().as_default() as g:
        u = tf.random_uniform([3, 50], seed=11)
        with tf.Session(graph=g) as sess:
            first = sess.run(u)
        op = [o for o in g.get_operations() if o.type == "RandomUniform"][0]
        ref = get_op_def("RandomUniform").compute(np.array([3, 50]), **op.attrs)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, ref)     # minval 0, maxval 1: the affine ops are exact
