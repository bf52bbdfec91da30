"""The one door to Numba: `njit` with the project's cache and fastmath settings.

Kernels are compiled on first use and cached on disk (cache=True), so the compile cost is paid once per
machine. fastmath stays off: results must match the numpy references within float32 tolerance. The
one exception is {"contract"} alone (a*b+c may become one FMA, one rounding instead of two) in the
LSTM gate kernels (kernels/rnn.py), whose rational tanh is mostly multiply-adds.
"""
import os

# Numba's OpenMP pool and OpenBLAS's threads take turns on the same cores (a parallel im2col, then a GEMM).
# By default OpenMP threads spin after a parallel region and starve BLAS: on 2 cores the W3 training step
# measured 54 ms spinning vs 32 ms passive. Must be set before Numba loads the OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402

NUMBA_THREADS = numba.config.NUMBA_NUM_THREADS


def njit(*args, parallel=False, **kwargs):
    """numba.njit(cache=True, nogil=True) for tfgraph kernels; `parallel=True` enables prange."""
    kwargs.setdefault("cache", True)
    kwargs.setdefault("nogil", True)
    if parallel:
        kwargs["parallel"] = True
    if args and callable(args[0]):
        return numba.njit(**kwargs)(args[0])
    return numba.njit(*args, **kwargs)


prange = numba.prange
