"""tfgraph/kernels/blas.py: GEMMs with BLAS threads sized to the work."""
import numpy as np
import pytest

from tfgraph.kernels import blas


@pytest.mark.parametrize("shape", [(3, 4, 5), (100, 784, 10), (128, 700, 256)])
def test_matmul_matches_numpy_for_small_and_large_products(shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    got = blas.matmul(a, b)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(blas.matmul(a.T.copy().T, b.T.copy().T), got)


def test_small_products_restore_the_default_thread_count(monkeypatch):
    calls = []
    monkeypatch.setattr(blas, "_set_threads", calls.append)
    monkeypatch.setattr(blas, "DEFAULT_THREADS", 4)
    blas.matmul(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32))
    assert calls == [1, 4]
    calls.clear()
    blas.matmul(np.ones((200, 300), np.float32), np.ones((300, 200), np.float32))  # 24 MFLOP
    assert calls == []
    with pytest.raises(ValueError):
        blas.matmul(np.ones((2, 3)), np.ones((4, 2)))
    assert calls == [1, 4]   # restored even when the product fails
