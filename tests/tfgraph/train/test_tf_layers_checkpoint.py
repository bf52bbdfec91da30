"""A tf.layers model's checkpoint written by TensorFlow 2.21's tf.compat.v1 Saver (conv2d,
batch_normalization with moving statistics, dense, Adam slots; tests/data/tf_checkpoints/layers,
from tests/reference/make_tf_layers_checkpoint.py) restores into the same model built with
tfgraph's tf.layers: same variables, same predictions, and training goes on as in TensorFlow.
The reverse direction (TensorFlow restoring tfgraph's checkpoint) was checked by the generator,
whose recorded logits the last test holds tfgraph's writer to."""
import json
import os
import sys

import numpy as np

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "tf_checkpoints")
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import layers_ckpt_cases as cases  # noqa: E402

with open(os.path.join(DATA, "layers.json")) as _f:
    EXPECTED = json.load(_f)
TF_PREFIX = os.path.join(DATA, EXPECTED["prefix"])


def test_tf_layers_checkpoint_restores_and_predicts_as_tensorflow():
    with tf.Graph().as_default():
        m = cases.build(tf)
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(os.path.dirname(TF_PREFIX)))
            predict = cases.predict(sess, m)
            assert sess.run(tf.train.get_global_step()) == cases.STEPS_BEFORE
    assert names == EXPECTED["variables"]
    np.testing.assert_allclose(predict, EXPECTED["predict"], rtol=1e-5, atol=1e-5)


def test_training_continues_from_tensorflow_checkpoint():
    """Adam's slots and beta powers and the moving statistics come back: the next step's loss
    and the logits after it are TensorFlow's."""
    with tf.Graph().as_default():
        m = cases.build(tf)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, TF_PREFIX)
            loss = cases.train_steps(sess, m, 1)[0]
            after = cases.predict(sess, m)
    np.testing.assert_allclose(loss, EXPECTED["next_loss"], rtol=1e-5)
    np.testing.assert_allclose(after, EXPECTED["predict_after_step"], rtol=1e-4, atol=1e-5)


def test_reader_lists_tensorflow_layer_variables():
    listed = dict(tf.train.list_variables(TF_PREFIX))
    assert listed == EXPECTED["variables"]
    moving_var = tf.train.load_variable(TF_PREFIX, "batch_normalization/moving_variance")
    assert moving_var.shape == (4,) and not np.allclose(moving_var, 1.0)   # trained statistics


def test_tfgraph_checkpoint_is_what_tensorflow_read(tmp_path):
    """tfgraph restores TF's checkpoint, trains two steps and saves: the logits it then predicts
    are those TensorFlow computed after restoring tfgraph's file (recorded by the generator), and
    the fixture tfgraph wrote then restores in tfgraph to the same logits."""
    reverse = EXPECTED["tfgraph_to_tf"]
    assert reverse["max_abs_diff"] < 1e-5
    predict = cases.write_tfgraph(TF_PREFIX, str(tmp_path / "model.ckpt"))
    np.testing.assert_allclose(predict, reverse["tf_predict"], rtol=1e-5, atol=1e-5)
    with tf.Graph().as_default():
        m = cases.build(tf)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, os.path.join(DATA, reverse["prefix"]))
            np.testing.assert_allclose(cases.predict(sess, m), reverse["tf_predict"],
                                       rtol=1e-5, atol=1e-5)
