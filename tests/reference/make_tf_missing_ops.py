"""Writes tests/data/tf_missing_ops.json: TensorFlow's values, static shapes, gradients and error
messages for the cases in missing_ops_cases.py, in TF1 graph mode (tf.compat.v1):
    /root/venvs/tf/bin/python tests/reference/make_tf_missing_ops.py
tests/tfgraph/ops/test_tf1_missing_ops.py builds the same graphs with tfgraph and compares.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from missing_ops_cases import CASES, ERROR_CASES, weights_for  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "tf_missing_ops.json")


def _static(t):
    return None if t.shape.rank is None else [d for d in t.shape.as_list()]


def record_case(case):
    g = tf.Graph()
    with g.as_default():
        feeds, tensors = {}, {}
        for key, value in case["inputs"].items():
            ph = v1.placeholder(tf.as_dtype(value.dtype), value.shape, name=key)
            feeds[ph] = value
            tensors[key] = ph
        out = case["build"](v1, **tensors)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        with v1.Session() as sess:
            values = sess.run(outs, feeds)
            rec = {"outputs": [{"value": np.asarray(v).tolist(), "dtype": o.dtype.name,
                                "shape": list(np.shape(v)), "static": _static(o)}
                               for o, v in zip(outs, values)]}
            if case["grad"]:
                loss = tf.add_n([tf.reduce_sum(o * tf.constant(w)) for o, w in
                                 zip(outs, weights_for(values)) if o.dtype.is_floating])
                grads = v1.gradients(loss, [tensors[k] for k in case["grad"]])
                rec["grads"] = {k: sess.run(gr, feeds).tolist()
                                for k, gr in zip(case["grad"], grads)}
    return rec


def record_error(build):
    g = tf.Graph()
    with g.as_default():
        try:
            fetch = build(v1)
            with v1.Session() as sess:
                sess.run(fetch)
        except Exception as e:  # noqa: BLE001 - recording whatever TF raises
            msg = e.message if isinstance(e, tf.errors.OpError) else str(e)
            return {"type": type(e).__name__, "message": msg}
    return {"type": None}


def main():
    data = {"version": tf.__version__, "cases": {}, "errors": {}}
    for name, case in sorted(CASES.items()):
        data["cases"][name] = record_case(case)
    for name, (build, text) in sorted(ERROR_CASES.items()):
        rec = record_error(build)
        assert rec["type"] is not None and text in rec["message"], (name, rec)
        data["errors"][name] = rec
    with open(OUT, "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
    print("wrote", OUT, len(data["cases"]), "cases", len(data["errors"]), "errors")


if __name__ == "__main__":
    main()
