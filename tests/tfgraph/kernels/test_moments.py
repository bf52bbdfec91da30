"""tfgraph/kernels/moments.py: per-channel mean and variance over rows against numpy."""
import numpy as np
import pytest

from tfgraph.kernels import moments


@pytest.mark.parametrize("rows, channels", [(1, 4), (255, 3), (257, 32), (70000, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_moments_match_numpy(rows, channels, dtype):
    rng = np.random.default_rng(rows)
    x = (rng.standard_normal((rows, channels)) * 3 + 5).astype(dtype)
    mean, var = moments.column_moments(x)
    assert mean.dtype == dtype and var.dtype == dtype and mean.shape == var.shape == (channels,)
    x64 = x.astype(np.float64)
    tol = 1e-7 if dtype == np.float32 else 1e-13   # float64 sums: the exact value, rounded once
    np.testing.assert_allclose(mean, x64.mean(0), rtol=tol)
    np.testing.assert_allclose(var, x64.var(0), rtol=tol)


def test_large_mean_small_variance_keeps_its_digits():
    # E[x^2] - E[x]^2 in float32 would lose every digit here, and so would deviations from a mean
    # summed in float32 (a sum near 1e9 has a float32 ulp of 64)
    x = (1e4 + np.arange(100000, dtype=np.float64) % 7 * 1e-2).astype(np.float32).reshape(-1, 1)
    mean, var = moments.column_moments(x)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(mean, x64.mean(0), rtol=1e-7)
    np.testing.assert_allclose(var, x64.var(0), rtol=1e-6)
