"""Writes tests/data/tf_rnn_checkpoint/: a TF1 BasicLSTMCell + dynamic_rnn classifier trained a
few Adam steps and saved by TensorFlow's tf.compat.v1 Saver (V2 format), with what TensorFlow
predicts from it and the losses of two more training steps after the save (expected.json).

    /root/venvs/tf/bin/python tests/reference/make_tf_rnn_checkpoint.py
TF 2.21 keeps tf.compat.v1.nn.rnn_cell on its legacy Keras (tf_keras): TF_USE_LEGACY_KERAS=1.
tests/tfgraph/train/test_tf_rnn_checkpoint.py builds the same graph (`build`) with tfgraph,
restores the checkpoint and compares.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "tf_rnn_checkpoint")


def build(tf):
    """The model on the TF1 API (`tf` is tf.compat.v1 or tfgraph): an unknown number of steps,
    sequence lengths, the final h into a softmax layer; Adam on the cross-entropy."""
    x = tf.placeholder(tf.float32, [None, None, 3], name="x")
    seq = tf.placeholder(tf.int32, [None], name="seq")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    cell = tf.nn.rnn_cell.BasicLSTMCell(8)
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float32)
    with tf.variable_scope("softmax"):
        w = tf.get_variable("w", [8, 4])
        b = tf.get_variable("b", [4], initializer=tf.zeros_initializer())
    logits = tf.matmul(state.h, w) + b
    probs = tf.nn.softmax(logits)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.02).minimize(loss, global_step=step)
    return {"x": x, "seq": seq, "labels": labels, "outputs": outputs, "c": state.c,
            "h": state.h, "probs": probs, "loss": loss, "train": train}


def data():
    rng = np.random.RandomState(4)
    x = rng.normal(size=(6, 7, 3)).astype(np.float32)
    seq = np.array([7, 5, 3, 1, 6, 0], np.int32)
    labels = np.array([0, 1, 2, 3, 1, 0], np.int32)
    return x, seq, labels


def main():
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tensorflow as tf
    v1 = tf.compat.v1
    v1.disable_eager_execution()
    x_val, seq_val, labels_val = data()
    with tf.Graph().as_default():
        v1.set_random_seed(3)
        m = build(v1)
        feed = {m["x"]: x_val, m["seq"]: seq_val, m["labels"]: labels_val}
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(5):
                sess.run(m["train"], feed)
            prefix = saver.save(sess, os.path.join(OUT, "model.ckpt"), global_step=5,
                                write_meta_graph=False)
            got = sess.run({k: m[k] for k in ("outputs", "c", "h", "probs", "loss")},
                           {m["x"]: x_val[:, :4], m["seq"]: np.minimum(seq_val, 4),
                            m["labels"]: labels_val})
            full = sess.run(m["probs"], feed)
            losses = [float(sess.run([m["loss"], m["train"]], feed)[0]) for _ in range(2)]
        variables = v1.train.list_variables(OUT)
    expected = {"tensorflow": tf.__version__, "prefix": os.path.basename(prefix),
                "variables": [[n, s] for n, s in variables],
                "short": {k: np.asarray(v).tolist() for k, v in got.items()},
                "probs": full.tolist(), "losses_after_restore": losses}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote", prefix, losses)


if __name__ == "__main__":
    main()
