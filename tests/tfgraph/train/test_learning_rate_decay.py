"""Learning-rate schedules against their closed forms, driven by a tensor global step."""
import math

import numpy as np
import pytest

import tfgraph as tf

STEPS = [0, 1, 5, 9, 10, 11, 25, 100]


def _np_poly(s, lr=0.1, ds=10, end=0.001, power=2.0, cycle=False):
    if cycle:
        ds = ds * (1 if s == 0 else math.ceil(s / ds))
    else:
        s = min(s, ds)
    return (lr - end) * (1 - s / ds) ** power + end


CASES = [
    ("exponential", lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5),
     lambda s: 0.1 * 0.5 ** (s / 10)),
    ("exponential_staircase", lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5, True),
     lambda s: 0.1 * 0.5 ** (s // 10)),
    ("natural_exp", lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5),
     lambda s: 0.1 * math.exp(-0.5 * s / 10)),
    ("inverse_time", lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5),
     lambda s: 0.1 / (1 + 0.5 * s / 10)),
    ("inverse_time_staircase", lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5, True),
     lambda s: 0.1 / (1 + 0.5 * (s // 10))),
    ("polynomial", lambda s: tf.train.polynomial_decay(0.1, s, 10, 0.001, 2.0), _np_poly),
    ("polynomial_cycle", lambda s: tf.train.polynomial_decay(0.1, s, 10, 0.001, 2.0, cycle=True),
     lambda s: _np_poly(s, cycle=True)),
    ("cosine", lambda s: tf.train.cosine_decay(0.1, s, 10, alpha=0.2),
     lambda s: 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(s, 10) / 10)) + 0.2)),
    ("piecewise", lambda s: tf.train.piecewise_constant(s, [5, 10], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 5 else 0.5 if s <= 10 else 0.1),
]


@pytest.mark.parametrize("name,build,ref", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_closed_form(name, build, ref):
    g = tf.Graph()
    with g.as_default():
        step = tf.train.get_or_create_global_step()
        lr = build(step)
        assert lr.dtype == tf.float32 and lr.shape.ndims == 0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for s in STEPS:
                step.load(s, sess)
                np.testing.assert_allclose(sess.run(lr), ref(s), rtol=1e-6, atol=1e-8)


def test_schedule_drives_optimizer_with_global_step():
    g = tf.Graph()
    with g.as_default():
        step = tf.train.get_or_create_global_step()
        lr = tf.train.exponential_decay(1.0, step, 1, 0.5, staircase=True)
        w = tf.Variable(0.0, name="w")
        train = tf.train.GradientDescentOptimizer(lr).minimize(-w, global_step=step)
        assert lr.op.name == "ExponentialDecay"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(4):
                sess.run(train)
            np.testing.assert_allclose(sess.run(w), 1 + 0.5 + 0.25 + 0.125)
            assert sess.run(step) == 4


def test_schedule_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="global_step is required"):
            tf.train.exponential_decay(0.1, None, 10, 0.5)
        with pytest.raises(ValueError, match="1 less than"):
            tf.train.piecewise_constant(tf.constant(1), [1, 2], [0.1, 0.2])
