"""Writes tests/data/tf_rnn_cells.npz: TF1 RNN cells and rnn functions on TensorFlow.

    /root/venvs/tf/bin/python tests/reference/make_rnn_cells.py
TF 2.21 keeps tf.compat.v1.nn.rnn_cell on its legacy Keras (tf_keras): TF_USE_LEGACY_KERAS=1.
tests/tfgraph/ops/test_rnn_cells.py runs the same cases (rnn_cases.py) on tfgraph and compares.
"""
import json
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnn_cases import CASES, run_case  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()


def main():
    arrays, meta = {}, {"tensorflow": tf.__version__, "cases": {}}
    for name in CASES:
        r = run_case(v1, name)
        meta["cases"][name] = {"variables": r["variables"], "n_values": len(r["values"]),
                               "grads": sorted(r["grads"])}
        for i, v in enumerate(r["values"]):
            arrays["%s/value/%d" % (name, i)] = v
        for k, v in r["grads"].items():
            arrays["%s/grad/%s" % (name, k)] = v
    here = os.path.join(os.path.dirname(__file__), "..", "data")
    np.savez_compressed(os.path.join(here, "tf_rnn_cells.npz"), **arrays)
    with open(os.path.join(here, "tf_rnn_cells.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote", len(arrays), "arrays")


if __name__ == "__main__":
    main()
