"""Batch parallelism for kernels built on BLAS: one block of rows per core, one BLAS thread each.

A training step's GEMMs are too small for OpenBLAS to split well over the cores (it meets its
workers once per GEMM, and on a busy machine a descheduled worker stalls the whole product: see
blas.py), while the rows of a batch are independent. `by_rows(n, fn)` runs `fn(lo, hi, matmul)` on
contiguous blocks of rows, one per core, each on its own thread with OpenBLAS held to one thread:
numpy's matmul and the nogil Numba kernels release the GIL, and the threads meet once per kernel
instead of once per GEMM. Users: the LSTM sequence op (ops/rnn_ops.py), the im2col convolutions
(kernels/im2col.py) and, while those run, blas.matmul's multi-threaded GEMMs.

When one core is taken by another process the two blocks share the other, which costs about what one
thread doing both would; a multi-threaded GEMM in that situation can take many times longer.
"""
import concurrent.futures
import contextlib
import os
import threading
import time

import numpy as np

from tfgraph.kernels import blas

THREADS = blas.DEFAULT_THREADS
_pool = None                    # (pid, ThreadPoolExecutor): a forked child has none of the threads
_pool_lock = threading.Lock()
_inside = threading.local()     # a block that splits again runs inline (no pool deadlock)


def blocks_for(n, min_rows):
    """How many blocks `by_rows` makes of n rows: up to one per thread, each at least min_rows."""
    if THREADS <= 1 or getattr(_inside, "active", False):
        return 1
    return max(1, min(THREADS, n // max(min_rows, 1)))


def by_rows(n, fn, min_rows=1, first=0, _kernel=True):
    """[fn(lo, hi, matmul) for blocks [lo, hi) covering first..n], in order. With one block `fn`
    runs here with `blas.matmul` (which picks the BLAS threads itself); with several, on the pool's
    threads and this one, with `np.matmul` on a one-thread BLAS."""
    global _last_kernel_split
    blocks = blocks_for(n - first, min_rows)
    if blocks == 1:
        return [fn(first, n, blas.matmul)]
    if _kernel:
        _last_kernel_split = time.perf_counter()
    size = n - first
    edges = [first + size * i // blocks for i in range(blocks + 1)]
    pool = _get_pool()
    with one_blas_thread():
        futures = [pool.submit(_run_inside, fn, edges[i], edges[i + 1])
                   for i in range(1, blocks)]
        try:
            results = [_run_inside(fn, edges[0], edges[1])]
        finally:  # no worker may outlive the one-thread BLAS setting (or see freed buffers)
            concurrent.futures.wait(futures)
        return results + [f.result() for f in futures]


# OpenBLAS's worker threads spin for ~0.1 s after a multi-threaded GEMM, taking a core from the
# blocks that run next: in W6's training step the conv gradients after the Dense layer's GEMMs took
# 47-55 ms instead of 28 ms, and the whole step 171 ms instead of 123 ms. So while kernels split the
# batch (within the last SPLIT_MEMORY_S), blas.matmul splits its GEMMs the same way instead of
# waking OpenBLAS's threads; otherwise OpenBLAS's own threading is 10-40% faster for one GEMM.
SPLIT_MEMORY_S = 1.0
_last_kernel_split = -1e9


def kernels_split_recently():
    return time.perf_counter() - _last_kernel_split < SPLIT_MEMORY_S


def _run_inside(fn, lo, hi):
    _inside.active = True
    try:
        return fn(lo, hi, np.matmul)
    finally:
        _inside.active = False


def _get_pool():
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = os.getpid(), concurrent.futures.ThreadPoolExecutor(
                max(THREADS - 1, 1), "tfgraph-rows")
        return _pool[1]


@contextlib.contextmanager
def one_blas_thread():
    """OpenBLAS on one thread while several threads call it (its thread count is global)."""
    if blas._set_threads is None:
        yield
        return
    blas._set_threads(1)
    try:
        yield
    finally:
        blas._set_threads(blas.DEFAULT_THREADS)
