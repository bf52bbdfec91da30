"""Writes tests/data/tf_layers.json: TF's tf.compat.v1.layers on the graphs in layers_cases.py.

    TF_USE_LEGACY_KERAS=1 ~/venvs/tf/bin/python tests/reference/make_layers_reference.py
(TF 2.21 serves tf.compat.v1.layers from tf_keras, the Keras 2 code of TF1's layers.)
tests/tfgraph/layers/test_layers_parity.py builds the same graphs with tfgraph.
"""
import json
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import tensorflow.compat.v1 as tf

sys.path.insert(0, os.path.dirname(__file__))
from layers_cases import CASES

tf.disable_eager_execution()


def main():
    out = {"tensorflow": tf.__version__, "cases": {}}
    for name, build in CASES.items():
        with tf.Graph().as_default():
            out["cases"][name] = build(tf)
        print(name, [v[0] for v in out["cases"][name]["variables"]], out["cases"][name]["names"])
    path = os.path.join(os.path.dirname(__file__), "..", "data", "tf_layers.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path)


if __name__ == "__main__":
    main()
