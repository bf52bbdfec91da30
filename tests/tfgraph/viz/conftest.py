import os
import sys

import numpy as np
import pytest

import tfgraph as tf

# cdp.py (the Chromium driver) sits next to this file; importable in any pytest import mode.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class Model:
    """A small scoped MLP graph: x -> layer1 (tanh) -> out (sigmoid), a loss, and an init op."""

    def __init__(self):
        self.graph = tf.Graph()
        rs = np.random.RandomState(0)
        with self.graph.as_default():
            self.x = tf.placeholder(tf.float32, [None, 4], name="x")
            with tf.name_scope("layer1"):
                w = tf.Variable(rs.randn(4, 8).astype(np.float32), name="W")
                b = tf.Variable(np.zeros(8, np.float32), name="b")
                h = tf.tanh(tf.matmul(self.x, w) + b)
            with tf.name_scope("out"):
                w2 = tf.Variable(rs.randn(8, 3).astype(np.float32), name="W")
                self.y = tf.sigmoid(tf.matmul(h, w2), name="y")
            self.loss = tf.reduce_mean(tf.square(self.y), name="loss")
            self.init = tf.global_variables_initializer()


@pytest.fixture
def model():
    return Model()


@pytest.fixture
def browser():
    pytest.importorskip("websocket", reason="websocket-client not installed (tfgraph[viz])")
    import cdp
    if cdp.chromium_binary() is None:
        pytest.skip("chromium not installed (Debian package chromium; .ci/run installs it)")
    b = cdp.Browser()
    yield b
    b.close()
