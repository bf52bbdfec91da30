"""Sorted segment reductions over rows (ops/segment_ops.py): one pass over the data, each run of
equal ids folded into its output row (sum, max or min); rows no id names stay 0. The ids were
checked (sorted, in range) by the op before the kernel runs."""
import numpy as np

from tfgraph.kernels.jit import njit

SUM, MAX, MIN = 0, 1, 2


@njit
def _fold(data, ids, out, mode):
    prev = -1
    for i in range(data.shape[0]):
        k = ids[i]
        if k != prev:
            for j in range(data.shape[1]):
                out[k, j] = data[i, j]
            prev = k
        elif mode == SUM:
            for j in range(data.shape[1]):
                out[k, j] += data[i, j]
        elif mode == MAX:
            for j in range(data.shape[1]):
                if data[i, j] > out[k, j] or data[i, j] != data[i, j]:
                    out[k, j] = data[i, j]
        else:
            for j in range(data.shape[1]):
                if data[i, j] < out[k, j] or data[i, j] != data[i, j]:
                    out[k, j] = data[i, j]


def segment_fold(data, ids, n, mode):
    """[n] + data.shape[1:] rows: the runs of `ids` folded by `mode` (SUM, MAX or MIN)."""
    width = int(np.prod(data.shape[1:], dtype=np.int64))
    out = np.zeros((n, width), dtype=data.dtype)
    if ids.size:
        _fold(np.ascontiguousarray(data).reshape(ids.size, width), ids, out, mode)
    return out.reshape((n,) + data.shape[1:])
