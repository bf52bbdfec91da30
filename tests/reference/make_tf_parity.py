"""Writes tests/data/tf_parity.json: loss trajectories from real TensorFlow (TF1 graph mode).

Run in a separate virtualenv that has tensorflow-cpu (never a tfgraph dependency):
    ~/venvs/tf/bin/python tests/reference/make_tf_parity.py
tests/tfgraph/test_tf_parity.py rebuilds the same graphs with tfgraph and compares step by step.
"""
import json
import os

import tensorflow as tf

from parity_cases import OPTIMIZERS, SPARSE_OPTIMIZERS, build_and_train, build_and_train_embedding  # same model code for both engines

v1 = tf.compat.v1
v1.disable_eager_execution()


def main():
    out = {"tensorflow": tf.__version__, "cases": {}}
    for name in OPTIMIZERS:
        g = tf.Graph()
        with g.as_default():
            out["cases"][name] = build_and_train(v1, name)
    for name in SPARSE_OPTIMIZERS:
        g = tf.Graph()
        with g.as_default():
            out["cases"]["embedding_" + name] = build_and_train_embedding(v1, name)
    path = os.path.join(os.path.dirname(__file__), "..", "data", "tf_parity.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
