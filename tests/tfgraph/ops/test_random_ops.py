"""Random ops: distributions, shapes, dtypes, and seeds reproducible as TF1's."""
import numpy as np
import pytest

import tfgraph as tf


def _build(seed_graph=None, seed_a=None, seed_b=None):
    g = tf.Graph()
    with g.as_default():
        if seed_graph is not None:
            tf.set_random_seed(seed_graph)
        a = tf.random_normal([100], seed=seed_a)
        b = tf.random_uniform([100], seed=seed_b)
    return g, [a, b]


def _values(g, ts, runs=1):
    with tf.Session(graph=g) as sess:
        return [sess.run(ts) for _ in range(runs)]


def test_op_seeds_reproduce_across_sessions_and_graphs():
    g, ts = _build(None, 1, 2)
    first, second = _values(g, ts, runs=2)
    again = _values(g, ts)[0]
    g2, ts2 = _build(None, 1, 2)
    other_graph = _values(g2, ts2)[0]
    for i in range(2):
        np.testing.assert_array_equal(first[i], again[i])        # new session restarts the stream
        np.testing.assert_array_equal(first[i], other_graph[i])  # same graph + seeds
        assert not np.array_equal(first[i], second[i])           # a stream advances run to run


def test_graph_seed_alone_is_reproducible_and_gives_distinct_ops():
    g, ts = _build(seed_graph=42)
    g2, ts2 = _build(seed_graph=42)
    a, b = _values(g, ts)[0]
    a2, b2 = _values(g2, ts2)[0]
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    g3, ts3 = _build(seed_graph=43)
    assert not np.array_equal(_values(g3, ts3)[0][0], a)


def test_different_op_seeds_differ_and_unseeded_sessions_differ():
    g = tf.Graph()
    with g.as_default():
        a = tf.random_normal([50], seed=1)
        b = tf.random_normal([50], seed=2)
        c = tf.random_normal([50])
    va, vb, vc = _values(g, [a, b, c])[0]
    assert not np.array_equal(va, vb)
    assert not np.array_equal(vc, _values(g, [c])[0][0])


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_distributions(dtype):
    g = tf.Graph()
    with g.as_default():
        n = tf.random_normal([200, 100], mean=2.0, stddev=3.0, dtype=dtype, seed=1)
        t = tf.truncated_normal([200, 100], mean=-1.0, stddev=0.5, dtype=dtype, seed=1)
        u = tf.random_uniform([200, 100], minval=-2.0, maxval=4.0, dtype=dtype, seed=1)
        i = tf.random_uniform([200, 100], minval=3, maxval=7, dtype=tf.int32, seed=1)
        s = tf.random_normal(tf.constant([3, 4]), seed=3)
        assert n.shape.as_list() == [200, 100] and s.shape.as_list() == [3, 4]
        assert n.dtype == dtype and i.dtype == tf.int32
    nv, tv, uv, iv, sv = _values(g, [n, t, u, i, s])[0]
    assert nv.dtype == dtype.as_numpy_dtype and sv.shape == (3, 4)
    assert abs(nv.mean() - 2.0) < 0.1 and abs(nv.std() - 3.0) < 0.06
    assert np.abs(tv + 1.0).max() <= 1.0 and abs(tv.std() - 0.5 * 0.8796) < 0.01
    assert uv.min() >= -2.0 and uv.max() < 4.0 and abs(uv.mean() - 1.0) < 0.05
    assert iv.min() == 3 and iv.max() == 6
    with pytest.raises(ValueError):
        tf.random_uniform([2], dtype=tf.int32)


def test_random_shape_from_placeholder_and_shuffle():
    g = tf.Graph()
    with g.as_default():
        shape = tf.placeholder(tf.int32, [2])
        r = tf.random_uniform(shape, seed=4)
        assert r.shape.as_list() == [None, None]
        sh = tf.random_shuffle(tf.range(10), seed=5)
        with tf.Session() as sess:
            assert sess.run(r, {shape: [2, 5]}).shape == (2, 5)
            perm = sess.run(sh)
    assert sorted(perm.tolist()) == list(range(10))


def test_random_op_names_like_tf():
    with tf.Graph().as_default() as g:
        assert tf.random_normal([2]).name == "random_normal:0"
        assert tf.random_uniform([2]).name == "random_uniform:0"
        assert tf.truncated_normal([2], name="tn").name == "tn:0"
        assert tf.random_uniform([2], maxval=3, dtype=tf.int64).op.type == "RandomUniformInt"
        names = [o.name for o in g.get_operations()]
    assert names[:6] == ["random_normal/shape", "random_normal/mean", "random_normal/stddev",
                         "random_normal/RandomStandardNormal", "random_normal/mul",
                         "random_normal"]
    assert "random_uniform/sub" in names and "random_uniform/max" in names
