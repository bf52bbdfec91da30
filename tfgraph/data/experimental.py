"""tf.data.experimental: transformations TF1 scripts apply with `dataset.apply(...)`."""
import numpy as np

from tfgraph.data.dataset_ops import AUTOTUNE, DatasetV1
from tfgraph.data.transformations import _IgnoreErrors
from tfgraph.framework import dtypes


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """`dataset.shuffle(buffer_size, seed).repeat(count)`, reshuffled each pass."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """`dataset.map(map_func).batch(batch_size, drop_remainder)`."""
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


def unbatch():
    """`dataset.unbatch()`."""
    return lambda dataset: dataset.unbatch()


def ignore_errors(log_warning=False):
    """Drops the elements whose making failed (TF's `ignore_errors`)."""
    return lambda dataset: _IgnoreErrors(dataset)


def Counter(start=0, step=1, dtype=dtypes.int64):  # noqa: N802 - TF's name
    """start, start + step, ... without end."""
    dtype = dtypes.as_dtype(dtype)
    end = np.iinfo(dtype.np).max if step > 0 else np.iinfo(dtype.np).min
    return DatasetV1.range(start, end, step, output_type=dtype)


__all__ = ["AUTOTUNE", "Counter", "ignore_errors", "map_and_batch", "shuffle_and_repeat", "unbatch"]
