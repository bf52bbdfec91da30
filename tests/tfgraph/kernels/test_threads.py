"""tfgraph/kernels/threads.py: blocks of batch rows on threads with a one-thread BLAS."""
import threading

import numpy as np
import pytest

from tfgraph.kernels import blas, threads


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.setattr(threads, "THREADS", 2)


def test_blocks_cover_the_rows_in_order_on_two_threads(two_threads, monkeypatch):
    calls = []
    monkeypatch.setattr(blas, "_set_threads", calls.append)
    seen = []

    def fn(lo, hi, matmul):
        seen.append(threading.get_ident())
        assert matmul is np.matmul          # BLAS is held to one thread: plain numpy
        return lo, hi
    assert threads.by_rows(10, fn, min_rows=2, first=1) == [(1, 5), (5, 10)]
    assert len(set(seen)) == 2 and calls == [1, blas.DEFAULT_THREADS]


def test_few_rows_run_here_with_the_thread_choosing_matmul(two_threads):
    got = threads.by_rows(5, lambda lo, hi, matmul: (lo, hi, matmul), min_rows=4)
    assert got == [(0, 5, threads.current_policy().matmul)]


def test_a_block_that_splits_again_runs_inline(two_threads):
    def inner(lo, hi, matmul):
        return threads.by_rows(hi - lo, lambda a, b, m: (a, b), min_rows=1)
    assert threads.by_rows(8, inner, min_rows=1) == [[(0, 4)], [(0, 4)]]


def test_errors_propagate_and_blas_threads_are_restored(two_threads, monkeypatch):
    calls = []
    monkeypatch.setattr(blas, "_set_threads", calls.append)

    def fn(lo, hi, matmul):
        if lo:
            raise ValueError("block %d" % lo)
        return lo
    with pytest.raises(ValueError, match="block 4"):
        threads.by_rows(8, fn, min_rows=1)
    assert calls[-1] == blas.DEFAULT_THREADS


def test_chunks_go_to_whichever_thread_is_free(two_threads, monkeypatch):
    """by_chunks hands out fixed chunks one at a time: a thread held up on one chunk leaves the
    rest to the other, and the results come back in chunk order."""
    calls = []
    monkeypatch.setattr(blas, "_set_threads", calls.append)
    held = threading.Event()
    ran = {}

    def fn(lo, hi, matmul):
        assert matmul is np.matmul
        if lo == 0:
            held.wait(5)            # chunk 0 stalls until the other thread has done the rest
        ran[lo] = threading.get_ident()
        if hi == 10:
            held.set()
        return lo, hi
    assert threads.by_chunks(10, 5, fn) == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]
    assert len({ran[lo] for lo in (2, 4, 6, 8)}) == 1 and ran[0] != ran[2]
    assert calls == [1, blas.DEFAULT_THREADS]


def test_a_failing_chunk_stops_the_others_and_raises(two_threads):
    done = []

    def fn(lo, hi, matmul):
        if lo == 0:
            raise ValueError("chunk 0")
        done.append(lo)
    with pytest.raises(ValueError, match="chunk 0"):
        threads.by_chunks(1000, 1000, fn)
    assert len(done) < 999


def test_blocked_products_equal_one_product(two_threads):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 40)).astype(np.float32)
    b = rng.standard_normal((40, 7)).astype(np.float32)
    out = np.empty((300, 7), np.float32)

    def fn(lo, hi, matmul):
        matmul(a[lo:hi], b, out=out[lo:hi])
    threads.by_rows(300, fn, min_rows=64)
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)
