"""GEMM with BLAS threads sized to the work: small products run on one thread.

OpenBLAS splits every GEMM but the tiniest over all cores, and its worker threads spin between calls.
For the small GEMMs of a training step (W1: 100x784 @ 784x10) two threads save ~15 us on an idle
2-core machine, but when other processes compete for the cores a split GEMM waits for a descheduled
worker: on a loaded 2-core machine a W1 step measured 8.2 ms with OpenBLAS's default against 1.3 ms
single-threaded, and a 128x784x512 GEMM ran at 3 GFLOP/s against 48. Products under
`SMALL_GEMM_FLOPS` therefore run single-threaded, and the thread count is restored right after, so
numpy code outside tfgraph keeps BLAS's default. Found with ctypes in the OpenBLAS that numpy loaded;
with any other BLAS this module just calls np.matmul.
"""
import ctypes
import glob
import os

import numpy as np

SMALL_GEMM_FLOPS = 8e6

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


def matmul(a, b):
    """np.matmul(a, b), single-threaded when the product is small."""
    if _set_threads is None or DEFAULT_THREADS <= 1 or a.ndim != 2 or b.ndim != 2:
        return np.matmul(a, b)
    if 2.0 * a.shape[0] * a.shape[1] * b.shape[1] >= SMALL_GEMM_FLOPS:
        return np.matmul(a, b)
    _set_threads(1)
    try:
        return np.matmul(a, b)
    finally:
        _set_threads(DEFAULT_THREADS)
