"""The classic MNIST CNN (TF1 style, trained a few steps) and a Keras functional model (shared Dense
layer, two outputs, trained with fit): every export shows the same node set; the frozen graph and the
ONNX file predict what the live session predicts."""
import json
import re

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import viz
from tfgraph.framework import graph_io


@pytest.fixture(scope="module")
def cnn():
    rs = np.random.RandomState(0)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
        labels = tf.placeholder(tf.int32, [None], name="labels")

        def conv(name, inp, shape):
            with tf.name_scope(name):
                w = tf.Variable(tf.truncated_normal(shape, stddev=0.1, seed=1), name="W")
                b = tf.Variable(tf.constant(0.1, shape=[shape[-1]]), name="b")
                h = tf.nn.relu(tf.nn.conv2d(inp, w, [1, 1, 1, 1], "SAME") + b)
                return tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = conv("conv2", conv("conv1", x, [5, 5, 1, 4]), [5, 5, 4, 8])
        with tf.name_scope("fc"):
            flat = tf.reshape(h, [-1, 7 * 7 * 8])
            w = tf.Variable(tf.truncated_normal([7 * 7 * 8, 10], stddev=0.1, seed=2), name="W")
            logits = tf.nn.bias_add(tf.matmul(flat, w), tf.Variable(tf.zeros([10]), name="b"))
        probs = tf.nn.softmax(logits, name="probs")
        with tf.name_scope("loss"):
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=labels, logits=logits))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        tf.summary.scalar("xent", loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    images = rs.rand(8, 28, 28, 1).astype(np.float32)
    for _ in range(2):
        sess.run(train, {x: images, labels: np.arange(8) % 10})
    yield sess, x, probs, images
    sess.close()


@pytest.fixture(scope="module")
def functional():
    import tfgraph_keras as keras
    rs = np.random.RandomState(1)
    inp = keras.Input((28, 28, 1), name="image")
    h = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inp)
    h = keras.layers.Flatten()(keras.layers.MaxPooling2D(name="pool")(h))
    shared = keras.layers.Dense(16, activation="relu", name="shared")
    digits = keras.layers.Dense(10, activation="softmax", name="digits")(shared(h))
    aux = keras.layers.Dense(1, name="aux")(shared(h))
    model = keras.Model(inp, [digits, aux])
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                  metrics=[["accuracy"], []])
    images = rs.rand(16, 28, 28, 1).astype(np.float32)
    model.fit(images, [np.arange(16) % 10, rs.rand(16, 1).astype(np.float32)], batch_size=8,
              epochs=1, verbose=0)
    sess = keras.backend.get_session(model.inputs[0].graph)
    return sess, model.inputs[0], model.outputs[0], images


@pytest.fixture(params=["cnn", "functional"])
def model(request):
    return request.getfixturevalue(request.param)


def test_every_export_shows_the_same_node_set(model, tmp_path):
    sess, *_ = model
    g = sess.graph
    ops = {op.name for op in g.get_operations()}
    assert len(ops) > 90  # gradients, optimizer, summaries included
    assert set(viz.to_networkx(g).nodes) == ops
    assert set(viz.read_graphml(viz.write_graphml(g, str(tmp_path / "g.graphml"))).nodes) == ops
    dot = viz.to_dot(g, depth=None)
    assert set(re.findall(r'^\s*"([^"]+)" \[label=', dot, re.M)) == ops
    pytest.importorskip("tensorboard", reason="tensorboard not installed (tfgraph[viz])")
    from tfgraph.viz import tensorboard
    assert {n.name for n in tensorboard.graph_def_proto(g).node} == ops
    assert {o["n"] for o in viz.html.graph_data(g)["ops"]} == ops
    assert {n.name for n in graph_io.as_graph_def(g).node} == ops
    text = viz.to_html(g)
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', text, re.S).group(1)
                      .replace("<\\/", "</"))
    assert len(data["ops"]) == len(ops)


def test_frozen_graph_predicts_like_the_live_session(model, tmp_path):
    sess, x, probs, images = model
    live = sess.run(probs, {x: images})
    frozen = tf.graph_util.convert_variables_to_constants(
        sess, sess.graph.as_graph_def(), [probs.op.name])
    path = tf.train.write_graph(frozen, str(tmp_path), "frozen.json")
    g2 = tf.Graph()
    with g2.as_default():
        p2, = tf.import_graph_def(graph_io.read_graph(path), return_elements=[probs.name], name="")
        x2 = g2.get_tensor_by_name(x.name)
    assert not any(op.type in ("VariableV2", "ApplyGradientDescent") for op in g2.get_operations())
    with tf.Session(graph=g2) as s2:
        np.testing.assert_array_equal(s2.run(p2, {x2: images}), live)


def test_onnx_export_matches(model, tmp_path):
    pytest.importorskip("onnx", reason="onnx not installed (tfgraph[viz])")
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed (tfgraph[viz])")
    import tfgraph.onnx
    sess, x, probs, images = model
    path = str(tmp_path / "mnist.onnx")
    tfgraph.onnx.export(sess, path, inputs=[x], outputs=[probs])
    got = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
        None, {x.name: images})[0]
    np.testing.assert_allclose(got, sess.run(probs, {x: images}), atol=1e-5, rtol=1e-5)


def test_html_viewer_shows_the_cnn(cnn, tmp_path, browser):
    from cdp import visible_ids
    sess, *_ = cnn
    g = sess.graph
    path = viz.write_html(g, str(tmp_path / "cnn.html"))
    browser.navigate("file://" + str(path))
    count = "document.querySelectorAll('g.node').length"
    assert browser.eval(count) == len(visible_ids(g, set()))
    browser.eval("tfgraphViewer.reveal('conv1/Conv2D')")
    assert browser.eval(count) == len(visible_ids(g, {"conv1"}))
    assert browser.eval("document.querySelector('#details h2').textContent") == "conv1/Conv2D"
    hits = [op.name for op in g.get_operations() if "conv2d" in op.name.lower()]
    assert browser.eval("tfgraphViewer.search('conv2d')") == len(hits)
    assert browser.errors() == []
