"""Writes tests/data/tf_gfile.json: tf.compat.v1.gfile's values and errors on the local disk.

    ~/venvs/tf/bin/python tests/reference/make_gfile_reference.py
tests/tfgraph/platform/test_gfile.py runs the same gfile_cases.run_cases with tfgraph.
"""
import json
import os
import sys
import tempfile

import tensorflow.compat.v1 as tf

sys.path.insert(0, os.path.dirname(__file__))
from gfile_cases import run_cases


def main():
    with tempfile.TemporaryDirectory() as root:
        record = run_cases(tf, root)
    path = os.path.join(os.path.dirname(__file__), "..", "data", "tf_gfile.json")
    with open(path, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": record}, f, indent=1)
    for k, v in record.items():
        print(k, v)


if __name__ == "__main__":
    main()
