"""The HistogramSummary kernel against numpy (bins, sums) and against TensorFlow's own bytes."""
import os

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.kernels import histogram as hk
from tfgraph.viz import summary_proto

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "histogram_summary.npz")


def numpy_histogram(values):
    """TF's Histogram::Add value by value: upper_bound over the limits, double accumulators."""
    v = np.asarray(values, np.float64).ravel()
    counts = np.bincount(np.searchsorted(hk.LIMITS, v, side="right"),
                         minlength=hk.LIMITS.size).astype(np.float64)
    total = squares = 0.0
    for x in v.tolist():
        total += x
        squares += x * x
    return counts, total, squares


@pytest.mark.parametrize("values", [
    np.random.default_rng(1).standard_normal(5000).astype(np.float32) * 0.05,
    np.maximum(np.random.default_rng(2).standard_normal(3000), 0),
    10.0 ** np.random.default_rng(3).uniform(-16, 25, 4000) * np.sign(
        np.random.default_rng(4).standard_normal(4000)),
    hk.LIMITS[1:-1],                       # every limit itself: the bucket above it
    np.nextafter(hk.LIMITS[1:-1], -np.inf),  # just below every limit: its own bucket
])
def test_kernel_matches_numpy_reference(values):
    counts = np.zeros(hk.LIMITS.size)
    x = np.ascontiguousarray(values).ravel()
    lo, hi, total, squares, bad = hk.histogram(x, hk.LIMITS, hk._TABLE, hk._KEY0, counts)
    ref_counts, ref_total, ref_squares = numpy_histogram(values)
    assert bad == -1
    np.testing.assert_array_equal(counts, ref_counts)
    assert (lo, hi) == (float(x.min()), float(x.max()))
    assert total == ref_total and squares == ref_squares   # same order of additions: exact


def test_summary_bytes_equal_tensorflow():
    d = np.load(DATA)
    names = [k[:-2] for k in d.files if k.endswith("/x")]
    assert len(names) == 7
    for name in names:
        assert summary_proto.histogram(name, d[name + "/x"]) == d[name + "/summary"].tobytes(), name


def test_collapse_runs_of_empty_buckets():
    limits = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    out_l, out_c = hk.collapse(limits, np.array([0.0, 0.0, 2.0, 0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(out_l, [2.0, 3.0, 4.0, 5.0, 6.0])
    np.testing.assert_array_equal(out_c, [0.0, 2.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("bad, message", [(np.nan, "Nan in summary histogram for: h"),
                                          (np.inf, "Infinity in Histogram for: h")])
def test_histogram_op_rejects_nan_and_inf_as_tensorflow(bad, message):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        s = tf.summary.histogram("h", x)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(s, {x: np.array([1.0, bad, 2.0], np.float32)})
