"""JSON GraphDef round trips, meta graphs with collections, and freezing variables to constants."""
import json

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework import graph_io
from tfgraph.train import meta_graph


def _mlp(seed=0):
    rs = np.random.RandomState(seed)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    with tf.name_scope("layer1"):
        w1 = tf.Variable(rs.randn(4, 8).astype(np.float32), name="W")
        b1 = tf.Variable(np.zeros(8, np.float32), name="b")
        h = tf.tanh(tf.matmul(x, w1) + b1)
    with tf.name_scope("out"):
        w2 = tf.Variable(rs.randn(8, 3).astype(np.float32), name="W")
        y = tf.sigmoid(tf.matmul(h, w2), name="y")
    return x, y


def test_graph_def_lists_every_op_with_shapes_and_locations():
    g = tf.Graph()
    with g.as_default():
        x, y = _mlp()
    gd = graph_io.as_graph_def(g)
    assert gd["format"] == "tfgraph.GraphDef" and gd["version"] == 1
    assert [n.name for n in gd.node] == [op.name for op in g.get_operations()]
    node = {n.name: n for n in gd.node}
    assert node["x"]["output_shapes"] == [[None, 4]]
    assert node["out/y"].op == "Sigmoid"
    assert "test_graph_io.py" in node["out/y"]["location"]
    assert json.loads(gd.SerializeToString())["node"][0]["name"] == gd.node[0].name


def test_write_graph_and_import_graph_def_give_same_outputs(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x, y = _mlp()
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        feed = np.random.RandomState(1).randn(5, 4).astype(np.float32)
        ref = sess.run(y, {x: feed})
        frozen = graph_io.convert_variables_to_constants(sess, graph_io.as_graph_def(g), ["out/y"])
    assert not any(n.op == "VariableV2" for n in frozen.node)
    assert not any(n.op == "Assign" for n in frozen.node)
    path = graph_io.write_graph(frozen, str(tmp_path), "frozen.json")
    g2 = tf.Graph()
    with g2.as_default():
        x2 = tf.placeholder(tf.float32, [None, 4], name="new_input")
        y2, = tf.import_graph_def(graph_io.read_graph(path), input_map={"x:0": x2},
                                  return_elements=["out/y:0"], name="frozen")
    assert y2.name == "frozen/out/y:0" and y2.shape.as_list() == [None, 3]
    with tf.Session(graph=g2) as sess:
        np.testing.assert_array_equal(sess.run(y2, {x2: feed}), ref)


def test_import_graph_def_rejects_unknown_input_map_keys_and_newer_versions():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="c")
    gd = graph_io.as_graph_def(g)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="nope:0"):
            tf.import_graph_def(gd, input_map={"nope": tf.constant(2.0)})
    bad = dict(gd, version=99)
    with pytest.raises(ValueError, match="newer"):
        graph_io.GraphDef(bad)


def test_meta_graph_restores_collections_and_trains_on(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x, y = _mlp()
        loss = tf.reduce_mean(tf.square(y - 0.5), name="loss")
        tf.add_to_collection("my_outputs", y)
        tf.add_to_collection("notes", "hello")
        path = str(tmp_path / "model.meta")
        meta_graph.export_meta_graph(path)
    g2 = tf.Graph()
    with g2.as_default():
        tf.train.import_meta_graph(path)
        assert [v.op.name for v in tf.global_variables()] == [
            "layer1/W", "layer1/b", "out/W"]
        assert len(tf.trainable_variables()) == 3
        assert tf.get_collection("notes") == ["hello"]
        y2 = tf.get_collection("my_outputs")[0]
        assert y2.name == "out/y:0"
        x2 = g2.get_tensor_by_name("x:0")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = np.ones((2, 4), np.float32)
            out = sess.run(g2.get_tensor_by_name("loss:0"), {x2: feed})
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(out, sess.run(loss, {x: feed}))


def test_training_resumes_from_saver_files_alone(tmp_path):
    rs = np.random.RandomState(3)
    data = rs.randn(16, 4).astype(np.float32), rs.rand(16, 3).astype(np.float32)

    def steps(sess, train_op, loss, n):
        return [sess.run([train_op, loss], {"x:0": data[0], "t:0": data[1]})[1] for _ in range(n)]
    g = tf.Graph()
    with g.as_default():
        x, y = _mlp()
        target = tf.placeholder(tf.float32, [None, 3], name="t")
        loss = tf.reduce_mean(tf.square(y - target), name="loss")
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
        tf.add_to_collection("train_op", train_op)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            steps(sess, train_op, loss, 3)
            prefix = saver.save(sess, str(tmp_path / "ckpt"), global_step=3)
            expected = steps(sess, train_op, loss, 3)
    g2 = tf.Graph()
    with g2.as_default():
        saver2 = tf.train.import_meta_graph(prefix + ".meta")
        assert saver2 is not None
        train_op2 = tf.get_collection("train_op")[0]
        with tf.Session() as sess:
            saver2.restore(sess, prefix)
            resumed = steps(sess, train_op2, g2.get_tensor_by_name("loss:0"), 3)
    np.testing.assert_allclose(resumed, expected, rtol=1e-6)
