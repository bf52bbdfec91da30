"""tf.train.ExponentialMovingAverage: shadow names, update, num_updates, variables_to_restore."""
import numpy as np
import pytest

import tfgraph as tf


def test_ema_tracks_variables_and_restores_averages(tmp_path):
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        b = tf.Variable(5.0, name="b")
        step = tf.placeholder(tf.float32, [])
        ema = tf.train.ExponentialMovingAverage(0.9, num_updates=step)
        update = ema.apply([w, b])
        assert update.name == "ExponentialMovingAverage" and update.type == "NoOp"
        assert ema.average(w).op.name == "w/ExponentialMovingAverage"
        assert ema.average_name(b) == "b/ExponentialMovingAverage"
        assert tf.get_collection(tf.GraphKeys.MOVING_AVERAGE_VARIABLES) == [w, b]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(ema.average(w)), [1.0, 2.0])
            shadow, value = np.array([1.0, 2.0]), np.array([1.0, 2.0])
            for t, delta in enumerate([3.0, -1.0, 0.5]):
                sess.run(w.assign_add([delta, delta]))
                value = value + delta
                sess.run(update, {step: t + 100.0})
                decay = min(0.9, (1 + t + 100.0) / (10 + t + 100.0))
                shadow = shadow - (1 - decay) * (shadow - value)
                np.testing.assert_allclose(sess.run(ema.average(w)), shadow, rtol=1e-6)
            prefix = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        w2 = tf.Variable([0.0, 0.0], name="w")
        b2 = tf.Variable(0.0, name="b")
        ema2 = tf.train.ExponentialMovingAverage(0.9)
        mapping = ema2.variables_to_restore()
        assert mapping == {"w/ExponentialMovingAverage": w2, "b/ExponentialMovingAverage": b2}
        with tf.Session() as sess:
            tf.train.Saver(mapping).restore(sess, prefix)
            np.testing.assert_allclose(sess.run(w2), shadow, rtol=1e-6)


def test_ema_errors():
    with tf.Graph().as_default():
        w = tf.Variable(1.0, name="w")
        ema = tf.train.ExponentialMovingAverage(0.9)
        ema.apply([w])
        with pytest.raises(ValueError, match="already computed"):
            ema.apply([w])
        with pytest.raises(TypeError, match="half, float, or double"):
            ema.apply([tf.Variable(1, name="i")])
