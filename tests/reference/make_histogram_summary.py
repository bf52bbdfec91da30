"""Records TensorFlow's HistogramSummary bytes for tests/data/histogram_summary.npz.

    /root/venvs/tf/bin/python tests/reference/make_histogram_summary.py

Inputs cover exact zeros and bucket limits (TF bins with upper_bound: a value equal to a limit
goes to the bucket above it), negatives, tiny and huge magnitudes, float64, an integer tensor,
one value and an empty tensor. Stored: each input and the serialized Summary TF's op returned.
"""
import os

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()
rng = np.random.default_rng(0)
cases = {
    "normal_f32": rng.standard_normal((300, 7)).astype(np.float32),
    "relu_f32": np.maximum(rng.standard_normal(1000), 0).astype(np.float32),
    "limits_f64": np.array([0.0, 1e-12, -1e-12, 1.1e-12, 1.0, -1.0, 1e-13, -1e-13, 1e25, -1e25,
                            1e20, 5e-300], np.float64),
    "wide_f64": np.concatenate([10.0 ** rng.uniform(-15, 22, 500),
                                -(10.0 ** rng.uniform(-15, 22, 500))]),
    "int32": rng.integers(-50, 50, 200).astype(np.int32),
    "one_f32": np.array([3.5], np.float32),
    "empty_f32": np.zeros((0, 3), np.float32),
}
out = {}
for name, value in cases.items():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.as_dtype(value.dtype), value.shape)
        s = tf1.summary.histogram(name, x)
        with tf1.Session() as sess:
            out[name + "/x"] = value
            out[name + "/summary"] = np.frombuffer(sess.run(s, {x: value}), np.uint8)
path = os.path.join(os.path.dirname(__file__), "..", "data", "histogram_summary.npz")
np.savez(path, **out)
print("wrote", path)
