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
            ph = v1.placeholder(tf.as_dtype(value.dtype), case["ph"].get(key, value.shape), name=key)
            feeds[ph] = value
            tensors[key] = ph
        out = case["build"](v1, **tensors)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        with v1.Session() as sess:
            values = sess.run(outs, feeds)
            rec = {"outputs": [{"value": np.asarray(v).tolist(), "dtype": o.dtype.name,
                                "shape": list(np.shape(v)), "static": _static(o)}
                               for o, v in zip(outs, values)]}
            if case["grad"] and case["tf_grad"]:
                loss = tf.add_n([tf.reduce_sum(o * tf.constant(w)) for o, w in
                                 zip(outs, weights_for(values)) if o.dtype.is_floating])
                grads = [tf.convert_to_tensor(gr) for gr in
                         v1.gradients(loss, [tensors[k] for k in case["grad"]])]
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


def record_samplers():
    """The log-uniform sampler's draws with their expected counts (the counts follow from the
    draws), and the static shapes and dtypes of the categorical draws."""
    out = {}
    g = tf.Graph()
    with g.as_default():
        v1.set_random_seed(5)
        labels = tf.constant([[1, 4], [0, 9]], tf.int64)
        for unique in (False, True):
            s = v1.nn.log_uniform_candidate_sampler(labels, 2, 12, unique, 40)
            with v1.Session() as sess:
                vals = sess.run(s)
            out["log_uniform_unique_%s" % unique] = {
                "labels": [[1, 4], [0, 9]], "num_sampled": 12, "range_max": 40,
                "sampled": vals[0].tolist(), "true_expected": vals[1].tolist(),
                "sampled_expected": vals[2].tolist(),
                "static": [_static(t) for t in s], "dtypes": [t.dtype.name for t in s]}
        logits = v1.placeholder(tf.float32, [None, 5])
        for key, t in (("categorical", v1.random.categorical(logits, 7)),
                       ("categorical_int32", v1.random.categorical(logits, 3, dtype=tf.int32)),
                       ("multinomial", v1.multinomial(logits, 4))):
            out[key] = {"static": _static(t), "dtype": t.dtype.name, "name": t.name}
    return out


def main():
    data = {"version": tf.__version__, "cases": {}, "errors": {}}
    for name, case in sorted(CASES.items()):
        data["cases"][name] = record_case(case)
    data["samplers"] = record_samplers()
    for name, (build, text) in sorted(ERROR_CASES.items()):
        rec = record_error(build)
        assert rec["type"] is not None and text in rec["message"], (name, rec)
        data["errors"][name] = rec
    with open(OUT, "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
    print("wrote", OUT, len(data["cases"]), "cases", len(data["errors"]), "errors")


if __name__ == "__main__":
    main()
