"""GEMM with BLAS threads sized to the work and to how busy the machine is.

OpenBLAS splits every GEMM but the tiniest over all cores, and the calling thread then waits for its
workers. On an idle machine that pays for big products (128x784 @ 784x512: 105-140 GFLOP/s on two
threads against 75-86 on one, 2-core machine). But when other processes compete for the cores, a
split GEMM waits for a descheduled worker: under a load of 5-7 on 2 cores the same product ran at
3-6 GFLOP/s on two threads against 26-48 on one, and a W1 training step took 8.2 ms against 1.3 ms.
TensorFlow's own thread pool degrades gracefully there; OpenBLAS does not. So:

- products under `SMALL_GEMM_FLOPS` always run on one thread (they gain little from two: a one-sample
  GEMV over W5's 5408x128 kernel took 68-83 us on one thread and 160-2400 us on two);
- for larger ones, a `ThreadChooser` per GEMM shape keeps the recent costs per FLOP of one
  thread and of BLAS's default, uses the cheaper by their minimum, and re-measures the other on a
  random 1 in `EXPLORE_EVERY` calls (fewer when the other was much slower), so it follows the
  machine's load. The choosers belong to a plan's `threads.ThreadPolicy`, whose `matmul` is the
  GEMM kernels call.

The thread count is restored after each call, so numpy code outside tfgraph keeps BLAS's default.
The setter is found with ctypes in the OpenBLAS that numpy loaded; with any other BLAS this module
just calls np.matmul.
"""
import collections
import ctypes
import glob
import os
import random

import numpy as np

SMALL_GEMM_FLOPS = 8e6
# OpenBLAS itself runs a GEMM with m*n*k at or below this on one thread (SMP_THRESHOLD_MIN 65536 x
# GEMM_MULTITHREAD_THRESHOLD 4 in interface/gemm.c). Not so a product with one row or column: numpy
# calls GEMV for it, which OpenBLAS splits from m*n >= 9216 on.
OPENBLAS_ONE_THREAD_MNK = 65536 * 4
EXPLORE_EVERY = 24

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "openblas_get_num_threads")


def _openblas():
    """(set_num_threads, default thread count) of numpy's bundled OpenBLAS, or (None, 1)."""
    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)   # already loaded by numpy: the same library, not a second copy
        except OSError:
            continue
        for set_name, get_name in zip(_SETTERS, _GETTERS):
            setter, getter = getattr(lib, set_name, None), getattr(lib, get_name, None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                return setter, int(getter())
    return None, 1


_set_threads, DEFAULT_THREADS = _openblas()


class ThreadChooser:
    """Picks 1 or `many` BLAS threads for large GEMMs from measured costs (seconds per FLOP).

    Each choice is judged by the lowest of its last `window` costs. The noise in a GEMM's time is
    almost all upward (a descheduled worker, a page fault, a worker thread waking up), so the
    minimum recovers from a bad measurement at the next good one, where an average or a median
    needs several re-measurements of the worse-looking choice, which is rarely explored: W2's and
    W3's first-layer GEMMs stayed on one thread for whole epochs that way (1.6 against 0.85 ms a
    call, and 3.0 against 2.0). The first call of each choice pays one-time costs (OpenBLAS starting
    its workers, the output's first touch: ~10x the usual time) and is not recorded. A load change
    shows after `window` calls of the current choice.
    """

    def __init__(self, many, explore_every=EXPLORE_EVERY, window=4):
        self.many = many
        self.explore_every = explore_every
        self.samples = {1: collections.deque(maxlen=window), many: collections.deque(maxlen=window)}
        self.warmed_up = set()
        self.min_samples = 2

    def cost(self, threads):
        """Lowest recent seconds per FLOP on `threads`, or None before any was recorded."""
        samples = self.samples[threads]
        return min(samples) if samples else None

    def choose(self):
        n_one, n_many = len(self.samples[1]), len(self.samples[self.many])
        if n_one < self.min_samples or n_many < self.min_samples:
            return self.many if n_many <= n_one else 1   # measure both first, BLAS's default first
        one, many = self.cost(1), self.cost(self.many)
        best, other = (1, self.many) if one < many else (self.many, 1)
        # re-measure the other choice now and then; less often the worse it was, so that a choice
        # 10x slower (two threads on a busy machine) costs little to keep an eye on
        ratio = min(1.0, 2.0 * min(one, many) / max(one, many))
        if random.random() * self.explore_every < ratio:
            return other
        return best

    def record(self, threads, seconds, flops):
        if threads not in self.warmed_up:
            self.warmed_up.add(threads)
            return
        self.samples[threads].append(seconds / flops)


def gemm_on(threads, a, b, out=None):
    """np.matmul(a, b, out=out) with OpenBLAS on `threads` threads, its default restored after."""
    _set_threads(threads)
    try:
        return np.matmul(a, b, out=out)
    finally:
        _set_threads(DEFAULT_THREADS)
