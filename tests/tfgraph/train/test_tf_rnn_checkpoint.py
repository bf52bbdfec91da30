"""A TF1 BasicLSTMCell + dynamic_rnn classifier trained and saved by TensorFlow's tf.compat.v1
Saver (tests/data/tf_rnn_checkpoint, from tests/reference/make_tf_rnn_checkpoint.py) restores
into the same tfgraph graph by TF1's variable names: the same outputs, states and predictions as
TensorFlow, and the same losses when training goes on with the restored Adam slots."""
import json
import os
import shutil
import sys

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "tf_rnn_checkpoint")
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
from make_tf_rnn_checkpoint import build, data  # noqa: E402

with open(os.path.join(DATA, "expected.json")) as _f:
    EXPECTED = json.load(_f)


@pytest.fixture
def ckpt_dir(tmp_path):
    dst = tmp_path / "rnn_ckpt"
    shutil.copytree(DATA, dst)
    return str(dst)


def test_lists_tf1_names(ckpt_dir):
    assert [[n, s] for n, s in tf.train.list_variables(ckpt_dir)] == EXPECTED["variables"]


def test_restores_and_predicts_as_tensorflow(ckpt_dir):
    x_val, seq_val, labels_val = data()
    with tf.Graph().as_default():
        m = build(tf)
        assert "LSTMSequence" in {op.type for op in tf.get_default_graph().get_operations()}
        saver = tf.train.Saver()
        with tf.Session() as sess:
            prefix = tf.train.latest_checkpoint(ckpt_dir)
            assert os.path.basename(prefix) == EXPECTED["prefix"]
            saver.restore(sess, prefix)
            short = {m["x"]: x_val[:, :4], m["seq"]: np.minimum(seq_val, 4),
                     m["labels"]: labels_val}
            got = sess.run({k: m[k] for k in EXPECTED["short"]}, short)
            feed = {m["x"]: x_val, m["seq"]: seq_val, m["labels"]: labels_val}
            probs = sess.run(m["probs"], feed)
            losses = [float(sess.run([m["loss"], m["train"]], feed)[0]) for _ in range(2)]
            assert sess.run(tf.train.get_global_step()) == 7
    for k, want in EXPECTED["short"].items():
        np.testing.assert_allclose(got[k], want, rtol=1e-5, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(probs, EXPECTED["probs"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(losses, EXPECTED["losses_after_restore"], rtol=1e-5)


def test_inference_graph_restores_the_cell_alone(ckpt_dir):
    # an inference-only graph: a Saver over the model's variables reads just those entries
    x_val, seq_val, _ = data()
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 3])
        cell = tf.nn.rnn_cell.BasicLSTMCell(8)
        _, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq_val, dtype=tf.float32)
        with tf.variable_scope("softmax"):
            logits = tf.matmul(state.h, tf.get_variable("w", [8, 4])) + \
                tf.get_variable("b", [4])
        probs = tf.nn.softmax(logits)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, os.path.join(ckpt_dir, EXPECTED["prefix"]))
            got = sess.run(probs, {x: x_val})
    np.testing.assert_allclose(got, EXPECTED["probs"], rtol=1e-5, atol=1e-6)
