"""Writes tests/data/tf_checkpoints/: checkpoints written by TensorFlow's tf.compat.v1 Saver, the
values and predictions they hold (expected.json), TensorFlow's init_from_checkpoint results, and
the check that a checkpoint written by tfgraph restores in TensorFlow.

Run with the TensorFlow virtualenv (never a tfgraph dependency):
    /root/venvs/tf/bin/python tests/reference/make_tf_checkpoints.py
The reverse direction runs tests/reference/ckpt_cases.py with tfgraph's python (TFGRAPH_PYTHON,
default `python3` on PATH) to write tests/data/tf_checkpoints/tfgraph_written/, then loads it here
with tf.train.load_checkpoint, tf.train.latest_checkpoint and Saver.restore, and records the
result under "tfgraph_to_tf" in expected.json.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf

import ckpt_cases

v1 = tf.compat.v1
v1.disable_eager_execution()
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "tests", "data", "tf_checkpoints")


def _values(d):
    return {k: np.asarray(v).tolist() for k, v in d.items()}


def write_model():
    """Seed-0 model saved twice (steps 4 and 7 by assigning the step), relative state paths."""
    out_dir = os.path.join(OUT, "model")
    with tf.Graph().as_default():
        x, y, vs = ckpt_cases.build_model(v1, ckpt_cases.model_values(0))
        saver = v1.train.Saver(max_to_keep=2, save_relative_paths=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out_dir, "model.ckpt"), global_step=4,
                       write_meta_graph=False)
            sess.run(vs["dense/bias"].assign(vs["dense/bias"] * 2.0))
            sess.run(vs["global_step"].assign(7))
            saver.save(sess, os.path.join(out_dir, "model.ckpt"), global_step=7,
                       write_meta_graph=False)
            values = sess.run(vs)
            pred = sess.run(y, {x: ckpt_cases.X})
    return {"prefix": "model/model.ckpt-7", "older": "model/model.ckpt-4",
            "values": _values(values), "dtypes": {k: v.dtype.name for k, v in values.items()},
            "y": pred.tolist()}


def write_adam():
    """Three Adam steps, a save (with the optimizer's slots), then two more steps recorded."""
    out_dir = os.path.join(OUT, "adam")
    feed = None
    with tf.Graph().as_default():
        x, t, loss, train, vs = ckpt_cases.build_training(v1, ckpt_cases.model_values(2))
        feed = {x: ckpt_cases.X, t: ckpt_cases.T}
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(3):
                sess.run(train, feed)
            saver.save(sess, os.path.join(out_dir, "model.ckpt"), global_step=vs["global_step"],
                       write_meta_graph=False)
            losses = [float(sess.run([loss, train], feed)[0]) for _ in range(2)]
            final = sess.run({k: vs[k] for k in ("dense/kernel", "dense_1/bias")})
    saved = v1.train.list_variables(out_dir)
    return {"prefix": "adam/model.ckpt-%d" % (ckpt_cases.model_values(2)["global_step"] + 3),
            "losses_after_restore": losses, "final": _values(final),
            "list_variables": [[n, s] for n, s in saved]}


def write_strings():
    out_dir = os.path.join(OUT, "strings")
    with tf.Graph().as_default():
        for name, value in ckpt_cases.string_values().items():
            v1.Variable(value, name=name)
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out_dir, "str.ckpt"), write_meta_graph=False)
    reader = tf.train.load_checkpoint(os.path.join(out_dir, "str.ckpt"))
    return {"prefix": "strings/str.ckpt",
            "dtypes": {n: d.name for n, d in reader.get_variable_to_dtype_map().items()}}


def write_sharded():
    """Saver(sharded=True) over two CPU devices: two data files, one merged index."""
    out_dir = os.path.join(OUT, "sharded")
    os.makedirs(out_dir)
    vals = ckpt_cases.model_values(3)
    with tf.Graph().as_default():
        for i, (name, value) in enumerate(sorted(vals.items())):
            with tf.device("/cpu:%d" % (i % 2)):
                v1.Variable(value, name=name)
        saver = v1.train.Saver(sharded=True, save_relative_paths=True)
        config = v1.ConfigProto(device_count={"CPU": 2})
        with v1.Session(config=config) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out_dir, "sh.ckpt"), write_meta_graph=False)
    files = sorted(f for f in os.listdir(out_dir) if ".data-" in f)
    return {"prefix": "sharded/sh.ckpt", "data_files": files}


def write_partitioned():
    """A variable split by fixed_size_partitioner: TF saves it as slices of 'emb/weights'."""
    out_dir = os.path.join(OUT, "partitioned")
    vals = ckpt_cases.partitioned_values()
    with tf.Graph().as_default():
        w = v1.get_variable("emb/weights", initializer=tf.constant(vals["emb/weights"]),
                            partitioner=v1.fixed_size_partitioner(3))
        v1.get_variable("emb/bias", initializer=tf.constant(vals["emb/bias"]))
        v1.get_variable("emb/big", initializer=tf.constant(vals["emb/big"]),
                        partitioner=v1.fixed_size_partitioner(2))
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out_dir, "emb.ckpt"), write_meta_graph=False)
        parts = [p.name for p in w]
    listed = v1.train.list_variables(os.path.join(out_dir, "emb.ckpt"))
    return {"prefix": "partitioned/emb.ckpt", "tf_parts": parts,   # values: ckpt_cases
            "list_variables": [[n, s] for n, s in listed]}


def init_cases():
    ckpt = os.path.join(OUT, "model")
    out = {}
    for case, (variables, amap) in ckpt_cases.INIT_CASES.items():
        with tf.Graph().as_default():
            result = ckpt_cases.run_init_case(v1, ckpt, variables, amap)
        if "message" in result:   # the test passes its own copy of the directory
            result["message"] = result["message"].replace(ckpt, "<CKPT>")
        out[case] = result
    return out


def _tfgraph(*args):
    """Runs tests/reference/ckpt_cases.py with tfgraph's python; its last stdout line."""
    python = os.environ.get("TFGRAPH_PYTHON", "python3")
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([python, os.path.join(HERE, "ckpt_cases.py"), *args],
                          env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode:
        sys.exit("tfgraph %s failed:\n%s" % (args[0], proc.stderr))
    lines = proc.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def many_tensors():
    """Indexes of several table blocks, both ways (kept out of the fixtures: ~1 MB)."""
    tmp = tempfile.mkdtemp()
    try:
        prefix = os.path.join(tmp, "tf_many")
        with tf.Graph().as_default():
            names = [ckpt_cases.many_name(i) for i in range(ckpt_cases.MANY)]
            values = [tf.constant(np.float32(i)) for i in range(ckpt_cases.MANY)]
            save = tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names,
                                     shape_and_slices=[""] * len(names), tensors=values)
            with v1.Session() as sess:
                sess.run(save)
        tf_prefix = prefix
        index_bytes = os.path.getsize(prefix + ".index")
        tf_to_tfgraph = json.loads(_tfgraph("read-many", prefix))
        prefix = os.path.join(tmp, "tfgraph_many")
        _tfgraph("write-many", prefix)
        same = all(open(tf_prefix + suffix, "rb").read() == open(prefix + suffix, "rb").read()
                   for suffix in (".index", ".data-00000-of-00001"))
        reader = tf.train.load_checkpoint(prefix)
        ok = all(reader.get_tensor(ckpt_cases.many_name(i)) == np.float32(i)
                 for i in range(ckpt_cases.MANY))
        return {"tf_index_bytes": index_bytes, "tf_to_tfgraph": tf_to_tfgraph,
                "tfgraph_to_tf": {"count": len(reader.get_variable_to_shape_map()),
                                  "values_equal": bool(ok),
                                  "index_bytes": os.path.getsize(prefix + ".index"),
                                  "files_identical_to_tf": same}}
    finally:
        shutil.rmtree(tmp)


def state_files():
    tmp = tempfile.mkdtemp()
    try:
        read = {}
        for case, text in ckpt_cases.STATE_TEXTS.items():
            with open(os.path.join(tmp, "checkpoint"), "w") as f:
                f.write(text)
            read[case] = ckpt_cases.read_state(v1, tmp)
        written = {}
        for case, (model, paths, kwargs) in ckpt_cases.STATE_WRITES.items():
            v1.train.update_checkpoint_state(tmp, model, paths, **kwargs)
            with open(os.path.join(tmp, "checkpoint"), "rb") as f:
                written[case] = f.read().decode("utf-8")
        return {"read": read, "written": written}
    finally:
        shutil.rmtree(tmp)


def tfgraph_to_tf():
    """tfgraph writes the seed-1 model; TensorFlow reads it three ways."""
    out_dir = os.path.join(OUT, "tfgraph_written")
    os.makedirs(out_dir)
    written = json.loads(_tfgraph("write-tfgraph", out_dir))
    expected = ckpt_cases.model_values(1)
    result = {}
    prefix = v1.train.latest_checkpoint(out_dir)
    result["latest_checkpoint"] = os.path.relpath(prefix, OUT) if prefix else None
    reader = tf.train.load_checkpoint(prefix)
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    same = all(np.array_equal(reader.get_tensor(n), v) and shapes[n] == list(np.shape(v))
               and dtypes[n].as_numpy_dtype == np.asarray(v).dtype for n, v in expected.items())
    result["load_checkpoint_values_equal"] = bool(same and set(shapes) == set(expected))
    with tf.Graph().as_default():
        x, y, vs = ckpt_cases.build_model(v1, {k: np.zeros_like(v) for k, v in expected.items()})
        with v1.Session() as sess:
            v1.train.Saver().restore(sess, prefix)
            restored = sess.run(vs)
            pred = sess.run(y, {x: ckpt_cases.X})
    result["saver_restore_values_equal"] = all(np.array_equal(restored[n], expected[n])
                                               for n in expected)
    result["prediction_max_abs_diff"] = float(np.max(np.abs(pred - np.array(written["y"]))))
    return result


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    out = {"tensorflow": tf.__version__, "model": write_model(),
           "partitioned": write_partitioned(), "adam": write_adam(),
           "strings": write_strings(), "sharded": write_sharded()}
    out["init_from_checkpoint"] = init_cases()
    out["state_files"] = state_files()
    out["tfgraph_to_tf"] = tfgraph_to_tf()
    out["tfgraph_to_tf"]["many_tensors"] = many_tensors()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("tfgraph-written checkpoint read by TensorFlow:", json.dumps(out["tfgraph_to_tf"]))
    ok = out["tfgraph_to_tf"]
    many = ok["many_tensors"]
    if not (ok["load_checkpoint_values_equal"] and ok["saver_restore_values_equal"]
            and ok["prediction_max_abs_diff"] < 1e-5 and many["tf_to_tfgraph"]["values_equal"]
            and many["tfgraph_to_tf"]["values_equal"]):
        sys.exit("FAILED: TensorFlow did not restore the tfgraph checkpoint")
    sizes = sum(os.path.getsize(p) for p in glob.glob(os.path.join(OUT, "**"), recursive=True)
                if os.path.isfile(p))
    print("wrote", OUT, "(%d bytes)" % sizes)


if __name__ == "__main__":
    main()
