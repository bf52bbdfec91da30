"""keras.random: shapes, dtypes, seed semantics and errors as recorded from Keras 3
(tests/data/keras_random_cases.json), distributions, and fresh noise per run in graphs."""
import builtins
import json
import os

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import ops
from tfgraph_keras import random as krandom

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras_random_cases.json")
with open(DATA) as _f:
    CASES = json.load(_f)["cases"]


def _args(case):
    return [np.asarray(a, np.float32) if is_array else tuple(a) if isinstance(a, list) else a
            for a, is_array in zip(case["args"], case["array_args"])]


def _kwargs(case):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}


@pytest.mark.parametrize("case", CASES, ids=[c["fn"] for c in CASES])
def test_matches_keras_record(case):
    fn = getattr(krandom, case["fn"])
    args, kwargs = _args(case), _kwargs(case)
    if "error" in case:
        with pytest.raises(getattr(builtins, case["error"])):
            fn(*args, seed=3, **kwargs)
        return
    a, b = fn(*args, seed=3, **kwargs), fn(*args, seed=3, **kwargs)
    gen = krandom.SeedGenerator(7)
    c, *more = (fn(*args, seed=gen, **kwargs) for _ in range(5))
    assert isinstance(a, np.ndarray)
    assert list(a.shape) == case["shape"] and str(a.dtype) == case["dtype"]
    assert np.array_equal(a, b) == case["int_seed_repeats"]
    # five draws: a small output (a 3-entry dropout mask) may repeat a few times by chance
    assert builtins.all(np.array_equal(c, m) for m in more) == case["generator_repeats"]
    # a new generator with the same seed replays the same sequence
    gen2 = krandom.SeedGenerator(7)
    np.testing.assert_array_equal(fn(*args, seed=gen2, **kwargs), c)


def test_distributions():
    n = 200000
    z = krandom.normal((n,), mean=1.0, stddev=2.0, seed=1)
    assert abs(z.mean() - 1.0) < 0.02 and abs(z.std() - 2.0) < 0.02
    t = krandom.truncated_normal((n,), stddev=0.5, seed=2)
    assert np.abs(t).max() <= 1.0 and abs(t.std() - 0.5 * 0.8796) < 0.01
    u = krandom.uniform((n,), minval=-1.0, maxval=3.0, seed=3)
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.02
    r = krandom.randint((n,), 2, 6, seed=4)
    np.testing.assert_allclose(np.bincount(r, minlength=6)[2:] / n, 0.25, atol=0.01)
    x = np.ones((400, 500), np.float32)
    dr = krandom.dropout(x, 0.3, seed=5)
    assert set(np.unique(dr)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((dr == 0).mean() - 0.3) < 0.01
    shared = krandom.dropout(x, 0.5, noise_shape=(None, 1), seed=6)
    assert (shared == shared[:, :1]).all()
    logits = np.log(np.array([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]]))
    s = krandom.categorical(logits, 20000, seed=7)
    for row, p in zip(s, np.exp(logits)):
        np.testing.assert_allclose(np.bincount(row, minlength=3) / 20000, p, atol=0.015)
    perm = krandom.shuffle(np.arange(50), seed=8)
    assert sorted(perm) == list(range(50)) and not (perm == np.arange(50)).all()


def test_graph_draws_follow_keras_seed_semantics():
    with tf.Graph().as_default():
        z = tf.placeholder(tf.float32, [None, 2])
        gen = krandom.SeedGenerator(11)
        fresh = krandom.normal((ops.shape(z)[0], 2), seed=gen)
        fixed = krandom.normal((ops.shape(z)[0], 2), seed=5)
        feed = {z: np.zeros((3, 2), np.float32)}
        with tf.Session() as sess:
            (f1, x1), (f2, x2) = sess.run([fresh, fixed], feed), sess.run([fresh, fixed], feed)
        with tf.Session() as sess:
            f1_again, _ = sess.run([fresh, fixed], feed)
    assert f1.shape == (3, 2)
    assert not np.array_equal(f1, f2)                 # a generator gives new noise each run
    np.testing.assert_array_equal(x1, x2)             # an int seed repeats, as in Keras 3
    np.testing.assert_array_equal(f1, f1_again)       # and a new session replays the stream


def test_set_random_seed_reseeds_unseeded_draws():
    keras.utils.set_random_seed(4)
    a, b = krandom.normal((3,)), krandom.uniform((2,))
    assert not np.array_equal(krandom.normal((3,)), a)   # the global generator moves on
    keras.utils.set_random_seed(4)
    np.testing.assert_array_equal(krandom.normal((3,)), a)
    np.testing.assert_array_equal(krandom.uniform((2,)), b)
    gen_a = krandom.SeedGenerator()                      # an unseeded generator follows too
    keras.utils.set_random_seed(4)
    assert krandom.SeedGenerator().seed == gen_a.seed


def test_bad_seed():
    with pytest.raises(ValueError, match=r"seed.*keras\.random\.normal called at .*test_keras_random"):
        krandom.normal((2,), seed="a")
    with pytest.raises(ValueError, match="seed"):
        krandom.SeedGenerator(1.5)


class Sampling(keras.layers.Layer):
    """The VAE sampling layer of the Keras 3 examples, written with keras.ops and keras.random."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = krandom.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = ops.shape(z_mean)
        epsilon = krandom.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def test_sampling_layer_with_unknown_batch():
    keras.backend.clear_session()
    mean_in, log_var_in = keras.Input((2,)), keras.Input((2,))
    out = Sampling()([mean_in, log_var_in])
    assert out.shape.as_list() == [None, 2]
    sess = keras.backend.get_session(out.graph)
    feed = {mean_in: np.full((4000, 2), 3.0, np.float32),
            log_var_in: np.full((4000, 2), np.log(0.25), np.float32)}
    a, b = sess.run(out, feed), sess.run(out, feed)
    assert a.shape == (4000, 2) and not np.array_equal(a, b)
    assert abs(a.mean() - 3.0) < 0.03 and abs(a.std() - 0.5) < 0.03


def test_gradient_through_seeded_dropout_and_noise():
    # an int seed draws the same mask and noise in every run, so the numeric gradient is defined
    xv = np.random.RandomState(0).uniform(-1, 1, (4, 5))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [4, 5])
        y = krandom.dropout(x, 0.4, seed=2) + x * krandom.normal((4, 5), dtype="float64", seed=3)
        with tf.Session() as sess:
            err = tf.test.compute_gradient_error(x, [4, 5], y, [4, 5], x_init_value=xv,
                                                 delta=1e-6, sess=sess)
    assert err < 1e-7
