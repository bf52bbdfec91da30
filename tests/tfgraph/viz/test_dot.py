"""to_dot: scopes as clusters, collapse depth, shape labels; render via Graphviz."""
import re
import shutil

import pytest

from tfgraph import viz
from tfgraph.viz import dot as dot_mod


def _node_ids(text):
    return set(re.findall(r'^\s*"([^"]+)" \[label=', text, re.M))


def test_expanded_dot_has_every_op_and_scope_clusters(model):
    text = viz.to_dot(model.graph, depth=None)
    assert _node_ids(text) == {op.name for op in model.graph.get_operations()}
    labels = re.findall(r"label=\"([^\"]+)\"; style=rounded", text)
    assert {"layer1", "out", "W", "b"} <= set(labels)
    assert '"x" -> "layer1/MatMul" [label="?x4"]' in text
    assert "style=dashed" in text  # the init op's control edges


def test_collapse_depth(model):
    text = viz.to_dot(model.graph, depth=0)
    ids = _node_ids(text)
    assert {"scope:layer1", "scope:out", "x", "loss"} <= ids
    assert not any(i.startswith("layer1/") for i in ids)
    assert "cluster" not in text
    one = _node_ids(viz.to_dot(model.graph, depth=1))
    assert "layer1/MatMul" in one and "scope:layer1/W" in one


def test_render_svg(model, tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` not installed (Debian package graphviz; .ci/run installs it)")
    path = viz.render(model.graph, str(tmp_path / "g.svg"), depth=None)
    svg = open(path).read()
    assert "<svg" in svg and "layer1" in svg and "MatMul" in svg


def test_missing_dot_names_the_debian_package(model, monkeypatch, tmp_path):
    monkeypatch.setattr(dot_mod.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Debian package `graphviz`"):
        viz.render(model.graph, str(tmp_path / "g.png"))
