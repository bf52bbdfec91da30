"""FULL_TRACE runs: per-op wall times and output sizes in RunMetadata; Chrome trace export."""
import json

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.client import timeline


def _graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 16], name="x")
        w = tf.Variable(np.ones((16, 8), np.float32), name="W")
        h = tf.tanh(tf.matmul(x, w), name="h")
        y = tf.reduce_sum(h, name="y")
        init = tf.global_variables_initializer()
    return g, x, h, y, init


def test_full_trace_records_every_executed_op_and_same_values():
    g, x, h, y, init = _graph()
    feed = {x: np.full((4, 16), 0.01, np.float32)}
    with tf.Session(graph=g) as sess:
        sess.run(init)
        plain = sess.run([h, y], feed)
        md = tf.RunMetadata()
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        traced = sess.run([h, y], feed, options=opts, run_metadata=md)
        untraced = sess.run([h, y], feed, options=tf.RunOptions(), run_metadata=tf.RunMetadata())
    for a, b, c in zip(plain, traced, untraced):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    stats = md.step_stats.node_stats()
    names = [ns.node_name for ns in stats]
    assert {"W", "MatMul", "h", "y"} <= set(names)
    assert names.index("MatMul") < names.index("h") < names.index("y")
    by = {ns.node_name: ns for ns in stats}
    assert by["h"].output_bytes == 4 * 8 * 4 and by["h"].output_shapes == [[4, 8]]
    assert by["y"].output_bytes == 4
    assert all(ns.all_end_rel_micros >= 0 for ns in stats)
    starts = [ns.all_start_micros for ns in stats]
    assert starts == sorted(starts)
    assert by["MatMul"].timeline_label == "MatMul = MatMul(x:0, W/read:0)"
    assert md.step_stats.dev_stats[0].device.endswith("CPU:0")


def test_traced_run_names_the_failing_op():
    g, x, h, y, init = _graph()
    with tf.Session(graph=g) as sess:  # W never initialized
        with pytest.raises(tf.errors.FailedPreconditionError, match="W"):
            sess.run(y, {x: np.zeros((1, 16), np.float32)},
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                     run_metadata=tf.RunMetadata())


def test_chrome_trace_format():
    g, x, h, y, init = _graph()
    md = tf.RunMetadata()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        sess.run(y, {x: np.zeros((2, 16), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    trace = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format())
    ops = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert [e["args"]["name"] for e in ops] == [ns.node_name for ns in md.step_stats.node_stats()]
    mm = next(e for e in ops if e["args"]["name"] == "MatMul")
    assert mm["name"] == "MatMul" and mm["cat"] == "Op" and mm["dur"] >= 0
    assert mm["args"]["input0"] == "x:0"
    flows = [e for e in trace["traceEvents"] if e["ph"] in "st"]
    assert flows and len(flows) % 2 == 0
    assert any(e["ph"] == "M" and "CPU:0" in e["args"]["name"] for e in trace["traceEvents"])
