"""W4's and W9's test accuracy over seeds, the same script on both engines (one epoch; prints one
JSON line). From the repository's root:

    python -m benchmarks.seeds W4|W9 tfgraph SEED
    <venv-tf>/bin/python -m benchmarks.seeds W4|W9 tf SEED

The engines draw different initial weights for a seed (tfgraph's random ops are not TensorFlow's
stream), so one run each says little: compare means over several seeds (benchmarks/RESULTS.md).
W4 is the Keras LSTM(128) of `workloads.py` (Keras shuffles with the seed too); W9 the TF1
`dynamic_rnn` LSTM, its batches in a permutation drawn from the seed.
"""
import json
import os
import sys

import numpy as np

from benchmarks import workloads

workload, engine, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = np.load(workloads.mnist_path())
X, Xt = d["x_train"].astype("float32") / 255, d["x_test"].astype("float32") / 255


def w4():
    if engine == "tf":
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import keras
    else:
        import tfgraph_keras as keras
    keras.utils.set_random_seed(seed)
    model = workloads.keras_model("W4", keras)
    model.fit(X, d["y_train"], batch_size=128, epochs=1, verbose=0)
    return model.evaluate(Xt, d["y_test"], verbose=0)[1]


def w9():
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
    Y, Yt = (np.eye(10, dtype="float32")[d[k]] for k in ("y_train", "y_test"))
    tf.set_random_seed(seed)
    x, y, step, acc = workloads.w9_graph(tf, xent)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    order = np.random.default_rng(seed).permutation(len(X))
    for i in range(-(-len(X) // 128)):
        idx = order[i * 128:(i + 1) * 128]
        sess.run(step, {x: X[idx], y: Y[idx]})
    return sess.run(acc, {x: Xt, y: Yt})


acc = {"W4": w4, "W9": w9}[workload]()
print(json.dumps({"workload": workload, "engine": engine, "seed": seed, "acc": float(acc)}))
