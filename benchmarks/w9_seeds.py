"""W9's accuracy over seeds, the same script on both engines (one epoch; prints one JSON line).

    python benchmarks/w9_seeds.py tfgraph SEED
    <venv-tf>/bin/python benchmarks/w9_seeds.py tf SEED

The engines draw different initial weights for a seed (tfgraph's random ops are not TensorFlow's
stream), so one run each says little: compare means over several seeds (benchmarks/RESULTS.md).
"""
import json
import os
import sys

import numpy as np

engine, seed = sys.argv[1], int(sys.argv[2])
if engine == "tf":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # TF 2.21 serves nn.rnn_cell through tf_keras
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow
    tf = tensorflow.compat.v1
    tf.disable_eager_execution()
    xent = tensorflow.nn.softmax_cross_entropy_with_logits
else:
    import tfgraph as tf
    xent = tf.nn.softmax_cross_entropy_with_logits_v2
data_dir = os.environ.get("TFGRAPH_DATASETS_DIR", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
d = np.load(os.path.join(data_dir, "mnist.npz"))
X, Y = d["x_train"].astype("float32") / 255, np.eye(10, dtype="float32")[d["y_train"]]
Xt, Yt = d["x_test"].astype("float32") / 255, np.eye(10, dtype="float32")[d["y_test"]]
tf.set_random_seed(seed)
x = tf.placeholder(tf.float32, [None, 28, 28])
y = tf.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.random_normal([128, 10]))
b = tf.Variable(tf.random_normal([10]))
cell = tf.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0)
out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
logits = tf.matmul(out[:, -1], W) + b
loss = tf.reduce_mean(xent(labels=y, logits=logits))
step = tf.train.AdamOptimizer(0.001).minimize(loss)
acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
sess = tf.Session()
sess.run(tf.global_variables_initializer())
order = np.random.default_rng(seed).permutation(len(X))
for i in range(-(-len(X) // 128)):
    idx = order[i * 128:(i + 1) * 128]
    sess.run(step, {x: X[idx], y: Y[idx]})
print(json.dumps({"engine": engine, "seed": seed, "acc": float(sess.run(acc, {x: Xt, y: Yt}))}))
