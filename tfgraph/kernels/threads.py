"""Batch parallelism for kernels built on BLAS: one block of rows per core, one BLAS thread each.

A training step's GEMMs are too small for OpenBLAS to split well over the cores (it meets its
workers once per GEMM, and on a busy machine a descheduled worker stalls the whole product: see
blas.py), while the rows of a batch are independent. `by_rows(n, fn)` runs `fn(lo, hi, matmul)` on
contiguous blocks of rows, one per core, each on its own thread with OpenBLAS held to one thread:
numpy's matmul and the nogil Numba kernels release the GIL, and the threads meet once per kernel
instead of once per GEMM. Users: the LSTM sequence op (ops/rnn_ops.py), the direct convolutions
(kernels/conv.py) and, in plans that run those, the plan's multi-threaded GEMMs. `by_chunks(n,
chunk, fn)` hands fixed chunks to the threads as they come free instead (the im2col convolutions,
kernels/im2col.py), for work whose pieces need no state carried from one to the next.

How a plan uses the cores is its `ThreadPolicy`: the plan makes one at compile time (does it run a
kernel that splits the batch? see `OpDef.splits_batch`) and makes it the current policy while it
runs; `matmul` here is the current policy's, which is what kernels call for a GEMM.

When one core is taken by another process the two blocks share the other, which costs about what one
thread doing both would; a multi-threaded GEMM in that situation can take many times longer.
"""
import concurrent.futures
import contextlib
import functools
import itertools
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


def by_rows(n, fn, min_rows=1, first=0):
    """[fn(lo, hi, matmul) for blocks [lo, hi) covering first..n], in order. With one block `fn`
    runs here with the current policy's `matmul` (which picks the BLAS threads itself); with
    several, on the pool's threads and this one, with `np.matmul` on a one-thread BLAS."""
    blocks = blocks_for(n - first, min_rows)
    if blocks == 1:
        return [fn(first, n, current_policy().matmul)]
    size = n - first
    edges = [first + size * i // blocks for i in range(blocks + 1)]
    return _on_threads([functools.partial(fn, edges[i], edges[i + 1], np.matmul)
                        for i in range(blocks)])


def by_chunks(n, chunks, fn):
    """[fn(lo, hi, np.matmul) for `chunks` near-equal chunks [lo, hi) covering 0..n], in order.
    The chunks go out one at a time to whichever of the pool's threads and this one comes free
    first, each with a one-thread BLAS. Unlike `by_rows`'s one block per core, a core that another
    process takes for a while then costs the kernel only its share of the work."""
    edges = [n * i // chunks for i in range(chunks + 1)]
    results = [None] * chunks
    taken = itertools.count()   # next() on it is atomic under the GIL
    failed = []

    def work():
        while not failed:   # after a failure the other threads take no new chunk
            i = next(taken)
            if i >= chunks:
                return
            try:
                results[i] = fn(edges[i], edges[i + 1], np.matmul)
            except BaseException as e:
                failed.append(e)
                raise
    _on_threads([work] * min(THREADS, chunks))
    return results


class ThreadPolicy:
    """How one plan's GEMMs use the cores: per GEMM shape a `blas.ThreadChooser` (one thread or
    BLAS's default, by measured cost), and with `split_gemms` a multi-threaded GEMM split into one
    block per core on this module's threads instead of OpenBLAS's.

    `split_gemms` is for plans whose kernels split the batch (convolutions, LSTMs): OpenBLAS's
    worker threads spin for ~0.1 s after a multi-threaded GEMM, taking a core from the blocks that
    run next. In W6's training step the conv gradients after the Dense layer's GEMMs took 47-55 ms
    instead of 28 ms, and the whole step 171 ms instead of 123 ms. Elsewhere OpenBLAS's own
    threading is 10-40% faster for one GEMM.
    """

    SPLIT_MIN_ROWS = 32

    def __init__(self, split_gemms=False):
        self.split_gemms = split_gemms
        # (m, k, n) -> ThreadChooser: a step repeats the same few shapes, and costs per FLOP
        # differ between shapes
        self._choosers = {}

    def matmul(self, a, b, out=None):
        """np.matmul(a, b, out=out) for 2-D float arrays, on the thread count cheaper now."""
        if blas._set_threads is None or blas.DEFAULT_THREADS <= 1 or a.ndim != 2 or b.ndim != 2:
            return np.matmul(a, b, out=out)
        mnk = a.shape[0] * a.shape[1] * b.shape[1]
        if mnk <= blas.OPENBLAS_ONE_THREAD_MNK and a.shape[0] > 1 and b.shape[1] > 1:
            return np.matmul(a, b, out=out)  # one thread anyway: skip the setter calls (1.4 us)
        flops = 2.0 * mnk
        if flops < blas.SMALL_GEMM_FLOPS:
            return blas.gemm_on(1, a, b, out)
        key = (a.shape[0], a.shape[1], b.shape[1])
        chooser = self._choosers.get(key)
        if chooser is None:
            chooser = self._choosers.setdefault(key, blas.ThreadChooser(blas.DEFAULT_THREADS))
        threads = chooser.choose()
        t0 = time.perf_counter()
        result = blas.gemm_on(1, a, b, out) if threads == 1 else self._many(a, b, out)
        chooser.record(threads, time.perf_counter() - t0, flops)
        return result

    def _many(self, a, b, out):
        """a @ b on all cores: with `split_gemms`, the longer side of the result in one block per
        core, each a one-thread GEMM on its own thread (columns: each thread packs only its part
        of b), or for a small result with a long inner dimension (a conv's filter gradient,
        (25, 39200) @ (39200, 32)) that dimension, the blocks' products added in order; otherwise
        BLAS's own threading. A split plan never wakes OpenBLAS's workers: they spin for ~0.1 s
        after each GEMM, and one such GEMM per W7 step slowed the next step's convolutions by
        1.3-1.8x."""
        m, k, n = a.shape[0], a.shape[1], b.shape[1]
        if not self.split_gemms:
            return blas.gemm_on(blas.DEFAULT_THREADS, a, b, out)
        if blocks_for(max(m, n), self.SPLIT_MIN_ROWS) <= 1:
            if blocks_for(k, self.SPLIT_MIN_ROWS) <= 1:
                return blas.gemm_on(1, a, b, out)
            parts = by_rows(k, lambda lo, hi, _: np.matmul(a[:, lo:hi], b[lo:hi]),
                            min_rows=self.SPLIT_MIN_ROWS)
            if out is None:
                out = parts[0]
            else:
                out[...] = parts[0]
            for part in parts[1:]:
                out += part
            return out
        if out is None:
            out = np.empty((m, n), np.result_type(a.dtype, b.dtype))
        if m > n:
            by_rows(m, lambda lo, hi, _: np.matmul(a[lo:hi], b, out=out[lo:hi]),
                    min_rows=self.SPLIT_MIN_ROWS)
        else:
            by_rows(n, lambda lo, hi, _: np.matmul(a, b[:, lo:hi], out=out[:, lo:hi]),
                    min_rows=self.SPLIT_MIN_ROWS)
        return out


_DEFAULT_POLICY = ThreadPolicy()   # for kernels called outside a plan (tests, eager helpers)
_current = threading.local()


def current_policy():
    """The policy of the plan running on this thread (the default one outside plans)."""
    return getattr(_current, "policy", _DEFAULT_POLICY)


def activate(policy):
    """Makes `policy` current on this thread; returns the one it replaces, for `restore`."""
    previous = getattr(_current, "policy", _DEFAULT_POLICY)
    _current.policy = policy
    return previous


def restore(previous):
    _current.policy = previous


def matmul(a, b, out=None):
    """A GEMM kernel's matmul: the current plan's `ThreadPolicy.matmul`."""
    return current_policy().matmul(a, b, out)


def _on_threads(tasks):
    """[task() for task in tasks], each on its own thread (this one runs the first, the pool the
    others), all with a one-thread BLAS, once every one has finished."""
    pool = _get_pool()
    with one_blas_thread():
        futures = [pool.submit(_run_inside, task) for task in tasks[1:]]
        try:
            results = [_run_inside(tasks[0])]
        finally:  # no worker may outlive the one-thread BLAS setting (or see freed buffers)
            concurrent.futures.wait(futures)
        return results + [f.result() for f in futures]


def beside(fn, *args):
    """Starts fn(*args) on the pool's thread and returns its Future at once (a plan's update run
    beside the steps that follow: runtime/overlap.py). Kernels that split work, called inside it,
    run inline; a `by_chunks` started meanwhile has its chunks taken by this thread until the pool's
    thread is free."""
    return _get_pool().submit(_run_inside, functools.partial(fn, *args))


def _run_inside(task):
    _inside.active = True
    try:
        return task()
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
