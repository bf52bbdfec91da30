"""A tf.layers model (conv2d + batch_normalization + max_pooling2d + dense) shared by TensorFlow
(make_tf_layers_checkpoint.py) and tfgraph (tests/tfgraph/train/test_tf_layers_checkpoint.py).

`build(tf)` takes the TF1 module (`tf.compat.v1` with TF_USE_LEGACY_KERAS=1, or `tfgraph`) and
makes the same graph with the same variable names. Run as a script with tfgraph's python for the
generator's reverse direction:
    python tests/reference/layers_ckpt_cases.py write-tfgraph TF_PREFIX OUT_PREFIX
restores TensorFlow's checkpoint, trains STEPS_AFTER more steps, saves to OUT_PREFIX and prints
{"predict": inference-mode logits of X} as JSON.
"""
import json
import os
import sys

import numpy as np

_rs = np.random.RandomState(0)
X = _rs.randn(16, 8, 8, 2).astype(np.float32)
LABELS = _rs.randint(0, 3, 16).astype(np.int64)
STEPS_BEFORE = 5        # TensorFlow trains this many steps before saving
STEPS_AFTER = 2         # tfgraph's extra steps before writing its own checkpoint


def build(tf):
    """x [N, 8, 8, 2] -> conv2d(4, 3x3, same, relu) -> batch_normalization -> max_pool 2x2 ->
    flatten -> dense(5, relu) -> dense(3); sparse softmax loss, Adam(0.01) after UPDATE_OPS."""
    x = tf.placeholder(tf.float32, [None, 8, 8, 2], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    training = tf.placeholder_with_default(False, [], name="training")
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.batch_normalization(h, training=training)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.flatten(h)
    h = tf.layers.dense(h, 5, activation=tf.nn.relu)
    logits = tf.layers.dense(h, 3)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    global_step = tf.train.get_or_create_global_step()
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=global_step)
    return {"x": x, "labels": labels, "training": training, "logits": logits, "loss": loss,
            "train_op": train_op}


def train_steps(sess, m, n):
    """n training steps on (X, LABELS); the losses before each update."""
    feed = {m["x"]: X, m["labels"]: LABELS, m["training"]: True}
    return [float(sess.run([m["loss"], m["train_op"]], feed)[0]) for _ in range(n)]


def predict(sess, m):
    return sess.run(m["logits"], {m["x"]: X})


def write_tfgraph(tf_prefix, out_prefix):
    import tfgraph as tf
    with tf.Graph().as_default():
        m = build(tf)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, tf_prefix)
            train_steps(sess, m, STEPS_AFTER)
            saver.save(sess, out_prefix, write_meta_graph=False)
            return predict(sess, m)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "write-tfgraph":
        sys.exit(__doc__)
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[3])), exist_ok=True)
    print(json.dumps({"predict": write_tfgraph(sys.argv[2], sys.argv[3]).tolist()}))
