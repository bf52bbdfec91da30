"""Records TensorFlow's tf.data behaviour (tf.compat.v1 graph mode): tests/data/tf_data_cases.json

Run with the TensorFlow virtualenv from the repository root:
    /root/venvs/tf/bin/python tests/reference/make_tf_data_cases.py
For every pipeline in tf_data_cases.CASES: output_types/output_shapes, the elements a one-shot
iterator yields (an element whose making fails is recorded as its error, and iteration goes on),
and the error get_next raises at the end (twice: the end is sticky). Then a few
iterator behaviours (errors before initialization, re-initialization with new feeds, handles).
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf1

sys.path.insert(0, os.path.dirname(__file__))
from tf_data_cases import CASES, DATA, describe  # noqa: E402

tf = tf1.compat.v1
tf.disable_eager_execution()
OUT = os.path.join(os.path.dirname(__file__), "..", "data", "tf_data_cases.json")


def first_line(e):
    """The error's own text: TF 2.x wraps it in 'Graph execution error:' and node tracebacks."""
    lines = [ln for ln in str(e.message).split("\n") if ln.strip() and not ln.startswith("\t")]
    return lines[-1]


def record_case(code):
    with tf.Graph().as_default():
        ds = eval(code, {"tf": tf, "np": np, "DATA": DATA})
        it = tf.data.make_one_shot_iterator(ds)
        nxt = it.get_next()
        out = {"code": code,
               "output_types": describe(tf.data.get_output_types(ds)),
               "output_shapes": describe(tf.data.get_output_shapes(ds)),
               "next_shapes": describe(tf1.nest.map_structure(lambda t: t.shape, nxt)),
               "elements": []}
        with tf.Session() as sess:
            for _ in range(100):
                try:
                    out["elements"].append(describe(sess.run(nxt)))
                except tf.errors.OutOfRangeError as e:
                    out["end"] = [type(e).__name__, first_line(e), e.op.type if e.op else None]
                    break
                except tf.errors.OpError as e:  # one element failed: the iterator goes on
                    out["elements"].append({"error": type(e).__name__, "message": first_line(e)})
            try:
                sess.run(nxt)
                out["end_again"] = None
            except tf.errors.OpError as e:
                out["end_again"] = [type(e).__name__, first_line(e)]
            out["usable_after"] = int(sess.run(tf.constant(7)))
    return out


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - recording whatever TensorFlow raises
        msg = first_line(e) if isinstance(e, tf.errors.OpError) else str(e).split("\n")[0]
        return [type(e).__name__, msg]
    return None


def behaviours():
    res = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2])
        ds = tf.data.Dataset.from_tensor_slices(x).map(lambda v: v * 2.0).batch(2)
        it = tf.data.make_initializable_iterator(ds)
        nxt = it.get_next()
        res["init_output_shapes"] = describe(tf.data.get_output_shapes(ds))
        with tf.Session() as sess:
            res["before_init"] = error_of(lambda: sess.run(nxt))
            runs = []
            for feed in (np.arange(6, dtype=np.float32).reshape(3, 2),
                         np.ones((1, 2), np.float32)):
                sess.run(it.initializer, {x: feed})
                vals = []
                while True:
                    try:
                        vals.append(sess.run(nxt).tolist())
                    except tf.errors.OutOfRangeError:
                        break
                runs.append(vals)
            res["reinit_runs"] = runs
            sess.run(it.initializer, {x: np.zeros((3, 2), np.float32)})
            a = sess.run([nxt, nxt])
            res["same_run_twice"] = [a[0].tolist(), a[1].tolist()]
        res["one_shot_placeholder"] = error_of(
            lambda: tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensor_slices(x)))
    with tf.Graph().as_default():
        # reinitializable: one iterator, two datasets of one structure
        it = tf.data.Iterator.from_structure(tf.int64, tf.TensorShape([]))
        nxt = it.get_next()
        init_a = it.make_initializer(tf.data.Dataset.range(3))
        init_b = it.make_initializer(tf.data.Dataset.range(10, 12))
        res["from_structure_types"] = describe(it.output_types)
        with tf.Session() as sess:
            res["from_structure_before_init"] = error_of(lambda: sess.run(nxt))
            seq = []
            for init in (init_a, init_b, init_a):
                sess.run(init)
                seq.append([int(sess.run(nxt)) for _ in range(2)])
            res["reinitializable"] = seq
        res["make_initializer_mismatch"] = error_of(
            lambda: it.make_initializer(tf.data.Dataset.range(3).map(
                lambda v: tf.cast(v, tf.float32))))
    with tf.Graph().as_default():
        handle = tf.placeholder(tf.string, shape=[])
        ds_a = tf.data.Dataset.range(100)
        ds_b = tf.data.Dataset.range(5).map(lambda v: v * -1)
        it = tf.data.Iterator.from_string_handle(handle, ds_a.output_types, ds_a.output_shapes)
        nxt = it.get_next()
        a_it = ds_a.make_one_shot_iterator()
        b_it = ds_b.make_initializable_iterator()
        with tf.Session() as sess:
            ha, hb = sess.run([a_it.string_handle(), b_it.string_handle()])
            sess.run(b_it.initializer)
            seq = [int(sess.run(nxt, {handle: h})) for h in (ha, ha, hb, ha, hb)]
            res["string_handle"] = seq
            res["string_handle_type"] = type(ha).__name__
    return res


def main():
    data = {"tensorflow": tf1.__version__, "cases": {}}
    for name, code in CASES.items():
        data["cases"][name] = record_case(code)
        print(name, data["cases"][name].get("end"), len(data["cases"][name]["elements"]))
    data["behaviours"] = behaviours()
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
