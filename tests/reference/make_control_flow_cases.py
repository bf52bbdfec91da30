"""Writes tests/data/control_flow_cases.json: TensorFlow's values for control_flow_cases.CASES.

Run with the TensorFlow virtualenv (never a tfgraph dependency):
    /root/venvs/tf/bin/python tests/reference/make_control_flow_cases.py
"""
import json
import os

import numpy as np
import tensorflow as tf

from control_flow_cases import CASES, train_while_rnn

v1 = tf.compat.v1
v1.disable_eager_execution()


def main():
    out = {"tensorflow": tf.__version__, "cases": {}}
    for name, build in CASES.items():
        g = tf.Graph()
        with g.as_default():
            fetches, feeds = build(v1)
            with v1.Session() as sess:
                values = sess.run(fetches, feeds)
        out["cases"][name] = {k: np.asarray(v).tolist() for k, v in values.items()}
        print(name, sorted(values))
    g = tf.Graph()
    with g.as_default():
        out["train_while_rnn"] = train_while_rnn(v1)
    print("train_while_rnn", out["train_while_rnn"])
    path = os.path.join(os.path.dirname(__file__), "..", "data", "control_flow_cases.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
