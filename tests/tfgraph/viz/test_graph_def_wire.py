"""The hand-encoded GraphDef bytes against tensorboard's protobuf of the same graph."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.viz import graph_def_wire


def sample_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
        w = tf.Variable(tf.truncated_normal([5, 5, 1, 4], stddev=0.1), name="w")
        y = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")
        y = tf.nn.max_pool(tf.nn.leaky_relu(y, alpha=0.3), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        big = tf.constant(np.ones((20, 20), np.float32), name="big")
        small = tf.constant([[1, 2], [3, 0]], name="small")
        with tf.name_scope("stats"):
            s = tf.summary.scalar("m", tf.reduce_mean(y) + tf.reduce_sum(big))
        tf.constant(["a", "bc"], name="strings")
        tf.constant(0.0, name="zero")
        with tf.control_dependencies([s]):
            tf.identity(small, name="after")
        tf.reshape(y, [-1, 14 * 14 * 4], name="flat")
    return g


def test_graph_def_bytes_parse_to_tensorboards_message():
    pytest.importorskip("tensorboard", reason="tensorboard not installed (tfgraph[viz])")
    from tensorboard.compat.proto import graph_pb2

    from tfgraph.viz import tensorboard
    g = sample_graph()
    ours = graph_pb2.GraphDef.FromString(graph_def_wire.graph_def_bytes(g))
    ref = tensorboard.graph_def_proto(g)
    assert len(ours.node) == len(g.get_operations()) > 10
    assert ours == ref

