"""Plans say once (debug log) which op types run their numpy reference as their kernel."""
import logging

import numpy as np

import tfgraph as tf
from tfgraph.runtime import plan


def test_an_op_without_its_own_kernel_is_logged_once_per_type(caplog, monkeypatch):
    monkeypatch.setattr(plan, "_reference_kernel_types", set())
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.cumsum(x, axis=1)            # Cumsum: no make_kernel of its own
    z = tf.cumsum(y, axis=1)
    w = tf.nn.relu(z)                   # Relu: a Numba kernel, never logged
    with caplog.at_level(logging.DEBUG, logger="tfgraph"), tf.Session() as sess:
        out = sess.run(w, {x: np.ones((2, 3), np.float32)})
        sess.run(z + 1.0, {x: np.ones((2, 3), np.float32)})   # a second plan: no second line
    np.testing.assert_allclose(out, [[1, 3, 6], [1, 3, 6]])
    lines = [r.getMessage() for r in caplog.records if "numpy reference" in r.getMessage()]
    assert sum("Cumsum" in line for line in lines) == 1, lines
    assert not any(" Relu " in line for line in lines), lines
