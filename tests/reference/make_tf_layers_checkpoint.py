"""Writes tests/data/tf_checkpoints/layers/: a checkpoint of a tf.layers model (conv2d,
batch_normalization with its moving statistics, dense, Adam slots, global_step) written by
TensorFlow 2.21's tf.compat.v1 Saver, and layers.json with what TensorFlow computed from it.

    /root/venvs/tf/bin/python tests/reference/make_tf_layers_checkpoint.py

Recorded: the variables (name -> shape), inference-mode logits of layers_ckpt_cases.X after the
save, and one more training step's loss and the logits after it. The reverse direction: tfgraph
(TFGRAPH_PYTHON, default `python3`, with this repository on PYTHONPATH) restores the checkpoint,
trains two more steps and writes its own checkpoint (layers/tfgraph_written/); TensorFlow restores
that one into its graph and its logits are recorded beside tfgraph's, with the largest difference.
The script fails if TensorFlow cannot restore tfgraph's checkpoint or the logits differ.
"""
import json
import os
import shutil
import subprocess
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")   # TF 2.21 keeps tf.compat.v1.layers there

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import layers_ckpt_cases as cases  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "tests", "data", "tf_checkpoints", "layers")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    prefix = os.path.join(OUT, "model.ckpt")
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        m = cases.build(v1)
        saver = v1.train.Saver()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            losses = cases.train_steps(sess, m, cases.STEPS_BEFORE)
            path = saver.save(sess, prefix, global_step=cases.STEPS_BEFORE,
                              write_meta_graph=False)
            variables = {v.op.name: v.shape.as_list() for v in v1.global_variables()}
            predict = cases.predict(sess, m)
            next_loss = cases.train_steps(sess, m, 1)[0]
            predict_after_step = cases.predict(sess, m)
    with open(os.path.join(OUT, "checkpoint")) as f:    # relative paths: the folder can move
        text = f.read().replace(OUT + os.sep, "")
    with open(os.path.join(OUT, "checkpoint"), "w") as f:
        f.write(text)

    tfgraph_prefix = os.path.join(OUT, "tfgraph_written", "model.ckpt")
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([os.environ.get("TFGRAPH_PYTHON", "python3"),
                           os.path.join(HERE, "layers_ckpt_cases.py"), "write-tfgraph", path,
                           tfgraph_prefix], env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode:
        sys.exit("tfgraph failed:\n" + proc.stderr)
    tfgraph_predict = np.array(json.loads(proc.stdout.strip().splitlines()[-1])["predict"])
    with tf.Graph().as_default():
        m = cases.build(v1)
        with v1.Session() as sess:
            v1.train.Saver().restore(sess, tfgraph_prefix)
            tf_reads_tfgraph = cases.predict(sess, m)
    diff = float(np.max(np.abs(tf_reads_tfgraph - tfgraph_predict)))
    if diff > 1e-5:
        sys.exit("TensorFlow's logits from tfgraph's checkpoint differ by %g" % diff)
    for name in os.listdir(os.path.dirname(tfgraph_prefix)):
        if name == "checkpoint":
            os.remove(os.path.join(os.path.dirname(tfgraph_prefix), name))  # the files suffice

    expected = {
        "prefix": os.path.relpath(path, os.path.dirname(OUT)),
        "variables": variables,
        "losses_before_save": losses,
        "predict": predict.tolist(),
        "next_loss": next_loss,
        "predict_after_step": predict_after_step.tolist(),
        "tfgraph_to_tf": {"prefix": os.path.relpath(tfgraph_prefix, os.path.dirname(OUT)),
                          "tf_predict": tf_reads_tfgraph.tolist(),
                          "tfgraph_predict": tfgraph_predict.tolist(), "max_abs_diff": diff},
    }
    with open(os.path.join(os.path.dirname(OUT), "layers.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote %s; tfgraph -> TF max |diff| %.2g" % (OUT, diff))


if __name__ == "__main__":
    main()
