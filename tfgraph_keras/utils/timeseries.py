"""keras.utils.timeseries_dataset_from_array: sliding windows over an array, as a Dataset."""
import numpy as np

import tfgraph as tf
from tfgraph.data import Dataset


def _check(data, start_index, end_index, sampling_rate, sequence_stride):
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError("`start_index` must be 0 or greater. Received: start_index=%d"
                             % start_index)
        if start_index >= n:
            raise ValueError("`start_index` must be lower than the length of the data. "
                             "Received: start_index=%d, for data of length %d" % (start_index, n))
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. Received: "
                             "start_index=%d, and end_index=%d " % (start_index, end_index))
        if end_index >= n:
            raise ValueError("`end_index` must be lower than the length of the data. Received: "
                             "end_index=%d, for data of length %d" % (end_index, n))
        if end_index <= 0:
            raise ValueError("`end_index` must be higher than 0. Received: end_index=%d"
                             % end_index)
    for what, v in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if v <= 0:
            raise ValueError("`%s` must be higher than 0. Received: %s=%d" % (what, what, v))
        if v >= n:
            raise ValueError("`%s` must be lower than the length of the data. Received: %s=%d, "
                             "for data of length %d" % (what, what, v, n))


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """Windows data[start + p : start + p + sequence_length * sampling_rate : sampling_rate]
    for p = 0, sequence_stride, ..., with targets[start + p] (targets may be None), in batches
    of `batch_size`. shuffle=True shuffles the start positions with RandomState(seed) as Keras
    does (then a shuffle buffer of 8 batches). The data is held once; windows are gathered as
    the dataset runs."""
    if format != "tf":
        raise ValueError("`format` should be either \"tf\" or \"grain\". Received: format=%s; "
                         "tfgraph supports \"tf\" only." % (format,))
    _check(data, start_index, end_index, sampling_rate, sequence_stride)
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    dtype = np.int32 if num_seqs < 2147483647 else np.int64
    positions = np.arange(0, num_seqs, sequence_stride, dtype=dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    series = np.asarray(data)[start:end]
    span, rate = sequence_length * sampling_rate, sampling_rate

    def window(p):
        return tf.gather(tf.constant(series), tf.range(p, p + span, rate))
    ds = Dataset.from_tensor_slices(positions)
    if targets is not None:
        labels = np.asarray(targets)[start:end]
        ds = ds.map(lambda p: (window(p), tf.gather(tf.constant(labels), p)))
    else:
        ds = ds.map(window)
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
        return ds.batch(batch_size)
    return ds.shuffle(buffer_size=1024, seed=seed) if shuffle else ds


__all__ = ["timeseries_dataset_from_array"]
