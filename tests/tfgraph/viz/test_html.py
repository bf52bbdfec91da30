"""write_html: the self-contained viewer, driven in headless Chromium over the DevTools protocol."""
import os
import re

import pytest
from cdp import visible_ids

from tfgraph import viz

ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test-artifacts")


def test_page_is_self_contained_and_carries_every_op(model, tmp_path):
    text = viz.to_html(model.graph, profile={"out/y": 1.5})
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert "fetch(" not in text and "XMLHttpRequest" not in text
    for op in model.graph.get_operations():
        assert '"n": "%s"' % op.name in text
    assert '"time_ms": 1.5' in text


def test_viewer_in_headless_chromium(model, tmp_path, browser):
    path = viz.write_html(model.graph, str(tmp_path / "graph.html"), profile={"out/y": 2.0})
    url = "file://" + os.path.abspath(path)
    browser.navigate(url)
    count = "document.querySelectorAll('g.node').length"
    g = model.graph
    assert browser.eval(count) == len(visible_ids(g, set())) == 6  # x, Square, loss, init, 2 scopes
    # expanding a scope by clicking its box
    browser.eval("document.querySelector('g.node[data-id=\"scope:layer1\"]')"
                 ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    assert browser.eval(count) == len(visible_ids(g, {"layer1"}))
    assert browser.eval("!!document.querySelector('g.node[data-id=\"layer1/MatMul\"]')")
    assert browser.eval("document.querySelectorAll('g.scope-box').length") == 1
    # searching: hit count, then Enter reveals the first hit and shows its details
    browser.eval("var s = document.getElementById('search'); s.value = 'matmul';"
                 "s.dispatchEvent(new Event('input'))")
    hits = [op.name for op in g.get_operations() if "matmul" in op.name.lower()]
    assert browser.eval("document.getElementById('hits').textContent") == "%d matches" % len(hits)
    assert browser.eval("document.querySelectorAll('#results li').length") == len(hits)
    browser.eval("document.getElementById('search').dispatchEvent("
                 "new KeyboardEvent('keydown', {key: 'Enter'}))")
    assert browser.eval("document.querySelector('#details h2').textContent") == hits[0]
    details = browser.eval("document.getElementById('details').textContent")
    assert "MatMul" in details and "conftest.py:" in details and "float32" in details
    assert browser.eval("document.querySelector('g.node.selected').dataset.id") == hits[0]
    # per-op time from the profile
    browser.eval("tfgraphViewer.reveal('out/y')")
    assert "2.0000 ms" in browser.eval("document.getElementById('details').textContent")
    # collapsing the expanded scope by clicking its frame
    browser.eval("tfgraphViewer.search('')")
    n_open = browser.eval(count)
    browser.eval("document.querySelector('g.scope-box[data-scope=\"out\"]')"
                 ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    assert browser.eval(count) < n_open
    browser.eval("tfgraphViewer.reveal('layer1/MatMul'); document.getElementById('fit').click()")
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = browser.screenshot(os.path.join(ARTIFACTS, "html_viewer.png"))
    assert os.path.getsize(shot) > 5000
    assert browser.errors() == []
    assert [u for u in browser.requested_urls() if not u.startswith("file://")] == []


def test_profile_from_a_traced_run(model):
    import numpy as np

    import tfgraph as tf
    md = tf.RunMetadata()
    with tf.Session(graph=model.graph) as sess:
        sess.run(model.init)
        sess.run(model.loss, {model.x: np.ones((3, 4), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    data = viz.html.graph_data(model.graph, md)
    ops = {o["n"]: o for o in data["ops"]}
    assert ops["out/y"]["time_ms"] >= 0 and ops["out/y"]["bytes"] == 3 * 3 * 4
    assert ops["x"]["time_ms"] is None  # fed: never ran


def test_keras_model_and_session_are_accepted(model):
    keras = pytest.importorskip("tfgraph_keras")
    keras.backend.clear_session()
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Dense(2, name="dense")(inp))
    ops = {o["n"] for o in viz.html.graph_data(viz.networkx_export.as_graph(m))["ops"]}
    assert "dense/MatMul" in ops
    assert '"n": "dense/MatMul"' in viz.to_html(m)
    import tfgraph as tf
    with tf.Session(graph=model.graph) as sess:
        assert set(viz.to_networkx(sess).nodes) == {op.name for op in model.graph.get_operations()}
