"""Session.run: fetch structures, feeds, targets, lifecycle, make_callable, default sessions."""
import collections

import numpy as np
import pytest

import tfgraph as tf

Pair = collections.namedtuple("Pair", "a b")


@pytest.fixture
def g():
    graph = tf.Graph()
    with graph.as_default():
        yield graph


def test_fetch_structures(g):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = x * 2.0
    s = tf.reduce_sum(x)
    v = tf.Variable([1.0, 2.0], name="v")
    feed = {x: [[1.0, 2.0]]}
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert isinstance(sess.run(y, feed), np.ndarray)
        got = sess.run(s, feed)
        assert isinstance(got, np.float32) and got == 3.0  # rank-0 fetches are numpy scalars
        lst = sess.run([y, s], feed)
        assert isinstance(lst, list) and lst[1] == 3.0
        tup = sess.run((s, s), feed)
        assert isinstance(tup, tuple) and tup == (3.0, 3.0)
        d = sess.run({"y": y, "s": s}, feed)
        assert set(d) == {"y", "s"} and d["s"] == 3.0
        od = sess.run(collections.OrderedDict([("b", s), ("a", y)]), feed)
        assert isinstance(od, collections.OrderedDict) and list(od) == ["b", "a"]
        p = sess.run(Pair(a=s, b=[y, v]), feed)
        assert isinstance(p, Pair) and p.a == 3.0
        np.testing.assert_array_equal(p.b[1], [1.0, 2.0])
        nested = sess.run({"k": [s, (y, {"in": s})], "op": v.initializer, "n": "x:0"}, feed)
        assert nested["op"] is None and nested["k"][1][1]["in"] == 3.0
        np.testing.assert_array_equal(nested["n"], [[1.0, 2.0]])
        assert sess.run([], feed) == [] and sess.run({}) == {}
        dd = sess.run(collections.defaultdict(list, {"s": s}), feed)
        assert isinstance(dd, collections.defaultdict) and dd["s"] == 3.0 and dd["new"] == []


def test_fetch_by_name_operation_and_variable(g):
    tf.constant([1.0, 2.0], name="a")
    v = tf.Variable(5.0, name="v")
    with tf.Session() as sess:
        assert sess.run(v.initializer) is None
        assert sess.run("v/Assign") is None
        np.testing.assert_array_equal(sess.run("a:0"), [1.0, 2.0])
        assert sess.run(v) == 5.0 and sess.run("v:0") == 5.0 and sess.run(v.value()) == 5.0
        with pytest.raises(TypeError, match="has invalid type"):
            sess.run(None)
        with pytest.raises(TypeError, match="has invalid type"):
            sess.run(3)
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor"):
            sess.run("nope:0")


def test_fetched_arrays_are_private_copies(g):
    a = tf.constant([1.0, 2.0])
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run([a, v])
        got[0][0] = 100.0
        got[1][0] = 100.0
        np.testing.assert_array_equal(sess.run([a, v]), [[1.0, 2.0], [1.0, 2.0]])


def test_feed_by_tensor_or_name_and_feed_any_tensor(g):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.identity(x * 3.0, name="y")
    z = y + 1.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {"x:0": [1, 2]}), [3.0, 6.0])
        np.testing.assert_array_equal(sess.run(y, {x: np.array([1, 2])}), [3.0, 6.0])
        # any tensor can be fed: its producer then does not run
        np.testing.assert_array_equal(sess.run(z, {y: [0.0, 0.0]}), [1.0, 1.0])
        np.testing.assert_array_equal(sess.run(z, {"y:0": [1.0, 1.0]}), [2.0, 2.0])
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor"):
            sess.run(y, {x: y})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(y, {"nope:0": [1, 2]})


def test_feed_errors_match_tf(g):
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    y = tf.reduce_sum(x) + tf.cast(n, tf.float32)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"^Cannot feed value of shape \(3,\) for Tensor "
                                             r"'x:0', which has shape '\(\?, 784\)'$"):
            sess.run(y, {x: np.ones(3), n: 1})
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(1, 783\)"):
            sess.run(y, {x: np.ones((1, 783)), n: 1})
        with pytest.raises(ValueError, match="could not convert string to float"):
            sess.run(y, {x: [["a"] * 784], n: 1})
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2,\) for Tensor 'n:0'"):
            sess.run(y, {x: np.ones((1, 784)), n: [1, 2]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'n' with dtype "
                                 r"int32(.|\n)*test_session.py:\d+"):
            sess.run(y, {x: np.ones((1, 784))})
        with pytest.raises(TypeError, match="is not compatible with Tensor type int32"):
            sess.run(y, {x: np.ones((1, 784)), n: 2 ** 40})
        assert sess.run(y, {x: np.ones((2, 784)), n: 3}) == 1571.0


def test_unknown_rank_placeholder_takes_any_shape(g):
    x = tf.placeholder(tf.float32, name="x")
    y = x * 2.0
    with tf.Session() as sess:
        assert sess.run(y, {x: 1.5}) == 3.0
        assert sess.run(y, {x: np.ones((2, 3, 4))}).shape == (2, 3, 4)
        x.set_shape([None, 3])  # a later set_shape is honoured by the feed check
        with pytest.raises(ValueError, match=r"which has shape '\(\?, 3\)'"):
            sess.run(y, {x: np.ones((2, 3, 4))})


def test_placeholder_with_default(g):
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None], name="d")
    assert d.shape.as_list() == [None]
    y = d * 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [2.0, 4.0])
        np.testing.assert_array_equal(sess.run(y, {d: [5.0, 6.0, 7.0]}), [10.0, 12.0, 14.0])
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(y, {d: 1.0})
    with pytest.raises(ValueError):
        tf.placeholder_with_default(tf.constant([1.0, 2.0]), [3])


def test_targets_run_and_return_none(g):
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(inc.op) is None
        assert sess.run([inc.op, v.initializer]) == [None, None]
        sess.run(tf.group(inc))
        assert sess.run(v) == 1.0


def test_constants_and_values_come_out_with_tf_dtypes(g):
    with tf.Session() as sess:
        assert sess.run(tf.constant(1.5)).dtype == np.float32
        assert sess.run(tf.constant([1, 2])).dtype == np.int32
        assert sess.run(tf.constant([1, 2], dtype=tf.int64)).dtype == np.int64
        assert sess.run(tf.constant(2.0, shape=[2, 3])).shape == (2, 3)
        np.testing.assert_array_equal(sess.run(tf.constant([1, 2, 3, 4], shape=[2, 2])),
                                      [[1, 2], [3, 4]])


def test_lifecycle_close_and_context_manager(g):
    c = tf.constant(1.0)
    with tf.Session() as sess:
        assert tf.get_default_session() is sess
        assert sess.graph is g
    assert tf.get_default_session() is None
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        sess.run(c)
    s2 = tf.Session()
    f = s2.make_callable(c)
    s2.close()
    s2.close()  # closing twice is fine
    with pytest.raises(RuntimeError, match="closed Session"):
        f()
    with pytest.raises(RuntimeError, match="closed Session"):
        s2.make_callable(c)


def test_session_for_other_graph_and_fetch_from_other_graph():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
    sess = tf.Session(graph=g1)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        sess.run(b)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        sess.run([a, {"x": b}])
    assert sess.run(a) == 1.0


def test_make_callable(g):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    k = tf.placeholder(tf.float32, [], name="k")
    y = x * k
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        f = sess.make_callable(y, [x, k])
        np.testing.assert_array_equal(f([[1.0, 2.0]], 3.0), [[3.0, 6.0]])
        fl = sess.make_callable([y, tf.reduce_sum(y)], feed_list=["x:0", k])
        out = fl(np.ones((2, 2)), 2.0)
        assert isinstance(out, list) and out[1] == 8.0
        fd = sess.make_callable({"s": tf.reduce_sum(y), "t": (inc.op,)}, [x, k])
        assert fd(np.ones((1, 2)), 1.0) == {"s": 2.0, "t": (None,)}
        f_op = sess.make_callable(inc.op)
        assert f_op() is None
        assert sess.run(v) == 2.0
        f_one = sess.make_callable([y], [x, k])
        assert isinstance(f_one(np.ones((1, 2)), 1.0), list)
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            f(np.ones(3), 1.0)
        with pytest.raises(TypeError):
            f(np.ones((1, 2)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder tensor 'k'"):
            sess.make_callable(y, [x])(np.ones((1, 2)))


def test_interactive_session_is_default_until_closed(g):
    v = tf.Variable(2.0)
    y = v * 3.0
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess
        v.initializer.run()
        assert y.eval() == 6.0 and v.eval() == 2.0
    finally:
        sess.close()
    assert tf.get_default_session() is None
    with pytest.raises(ValueError, match="No default session"):
        y.eval()


def test_session_as_default_without_closing(g):
    c = tf.constant(4.0)
    sess = tf.Session()
    with sess.as_default():
        assert c.eval() == 4.0
    assert sess.run(c) == 4.0  # as_default does not close
    sess.close()


def test_sessions_hold_separate_variable_values(g):
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    assert s1.run(v) == 2.0 and s2.run(v) == 1.0
    with pytest.raises(tf.errors.FailedPreconditionError):
        tf.Session().run(v)


def test_fetch_indexed_slices(g):
    p = tf.Variable(np.ones((4, 2), np.float32))
    grad = tf.gradients(tf.reduce_sum(tf.gather(p, [0, 2])), p)[0]
    assert isinstance(grad, tf.IndexedSlices)
    with tf.Session() as sess:
        sess.run(p.initializer)
        got = sess.run({"g": [grad]})["g"][0]
    assert isinstance(got, tf.IndexedSlicesValue)
    np.testing.assert_array_equal(got.indices, [0, 2])
    np.testing.assert_array_equal(got.values, np.ones((2, 2)))
    np.testing.assert_array_equal(got.dense_shape, [4, 2])
