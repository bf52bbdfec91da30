"""MonitoredTrainingSession with StopAtStepHook and checkpointing: train, stop, resume."""
import numpy as np
import pytest

import tfgraph as tf


def _graph():
    x = tf.constant([[1.0], [2.0], [3.0]])
    y = tf.constant([[2.0], [4.0], [6.0]])
    w = tf.Variable([[0.0]], name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss, global_step=step)
    return w, loss, step, train


def test_train_stop_checkpoint_and_resume(tmp_path, capsys):
    d = str(tmp_path / "run")
    with tf.Graph().as_default():
        w, loss, step, train = _graph()
        hooks = [tf.train.StopAtStepHook(last_step=20), tf.train.NanTensorHook(loss),
                 tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=10)]
        with tf.train.MonitoredTrainingSession(checkpoint_dir=d, save_checkpoint_steps=10,
                                               hooks=hooks) as sess:
            n = 0
            while not sess.should_stop():
                sess.run(train)
                n += 1
        assert n == 20
        assert tf.get_default_graph().finalized
    assert tf.train.latest_checkpoint(d).endswith("model.ckpt-20")
    assert "loss = " in capsys.readouterr().out
    w20 = tf.train.load_variable(d, "w")
    with tf.Graph().as_default():
        w, loss, step, train = _graph()
        with tf.train.MonitoredTrainingSession(
                checkpoint_dir=d, save_checkpoint_steps=10,
                hooks=[tf.train.StopAtStepHook(num_steps=5)]) as sess:
            assert sess.run(step) == 20   # restored, not re-initialized
            np.testing.assert_array_equal(sess.run(w), w20)
            while not sess.should_stop():
                sess.run(train)
            final = sess.run(loss)
    assert tf.train.latest_checkpoint(d).endswith("model.ckpt-25")
    assert final < 0.05


def test_hooks_need_global_step_and_nan_hook_raises():
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        with pytest.raises(RuntimeError, match="Global step should be created"):
            tf.train.MonitoredTrainingSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])
    with tf.Graph().as_default():
        v = tf.Variable(-1.0)
        bad = tf.sqrt(v)
        with pytest.raises(tf.train.NanLossDuringTrainingError):
            with tf.train.MonitoredTrainingSession(hooks=[tf.train.NanTensorHook(bad)]) as sess:
                sess.run(v)
