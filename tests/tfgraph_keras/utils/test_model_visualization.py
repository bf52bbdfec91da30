"""keras.utils.plot_model / model_to_dot: Keras 3's DOT layout, rendered by Graphviz."""
import re
import shutil

import pytest

import tfgraph_keras as keras
from tfgraph_keras.utils.model_visualization import model_to_dot, model_to_dot_text, plot_model


def _model():
    keras.backend.clear_session()
    inner_in = keras.Input((8,))
    inner_out = keras.layers.Dense(8, activation="relu", name="inner_dense")(inner_in)
    inner = keras.Model(inner_in, inner_out, name="block")
    inp = keras.Input((8,), name="features")
    a = keras.layers.Dense(8, activation="tanh", name="a")(inp)
    b = inner(inp)
    summed = keras.layers.Add(name="sum")([a, b])
    out = keras.layers.Dense(2, activation="softmax", name="out")(summed)
    return keras.Model(inp, out, name="net")


def test_dot_text_has_layers_edges_and_shapes(tmp_path):
    model = _model()
    assert keras.utils.plot_model is plot_model and keras.utils.model_to_dot is model_to_dot
    text = model_to_dot_text(model, show_shapes=True, show_layer_activations=True)
    assert text.startswith("digraph G {") and "splines=ortho" in text and "dpi=200" in text
    for layer in model.layers:
        assert '"%d" [label=' % id(layer) in text
        assert "<b>%s</b> (%s)" % (layer.name, type(layer).__name__) in text
    assert "Input shape: <b>(None, 8)</b></td><td>Output shape: <b>(None, 2)</b>" in text
    assert "Activation: <b>softmax</b>" in text
    edges = re.findall(r'"(\d+)" -> "(\d+)"', text)
    ids = {layer.name: str(id(layer)) for layer in model.layers}
    assert (ids["features"], ids["a"]) in edges and (ids["sum"], ids["out"]) in edges
    assert (ids["block"], ids["sum"]) in edges and len(edges) == 5
    nested = model_to_dot_text(model, expand_nested=True)
    assert "subgraph cluster_1" in nested and "inner_dense" in nested
    plot_model(model, str(tmp_path / "m.dot"), show_shapes=True)
    assert (tmp_path / "m.dot").read_text() == model_to_dot_text(model, show_shapes=True,
                                                                 show_layer_names=False)


def test_plot_model_renders_png_and_model_to_dot_is_pydot(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` not installed (Debian package graphviz; .ci/run installs it)")
    pydot = pytest.importorskip("pydot", reason="pydot not installed (tfgraph[viz])")
    model = _model()
    path = tmp_path / "m.png"
    assert plot_model(model, str(path), show_shapes=True, expand_nested=True, dpi=72) is None
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    d = model_to_dot(model)
    assert isinstance(d, pydot.Dot) and len(d.get_nodes()) >= len(model.layers)
    assert b"<svg" in d.create(prog="dot", format="svg")


def test_sequential_model_plots_with_its_input_layer(tmp_path):
    """Used to raise a bare KeyError: a Sequential model's `layers` has no InputLayer."""
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"),
                              keras.layers.Dense(1, name="d2")], name="seq")
    text = model_to_dot_text(model, show_shapes=True)
    inp = model.inputs[0]._keras_history[0]
    edges = re.findall(r'"(\d+)" -> "(\d+)"', text)
    d1, d2 = (str(id(model.get_layer(n))) for n in ("d1", "d2"))
    assert edges == [(str(id(inp)), d1), (d1, d2)]
    assert "(InputLayer)" in text
    plot_model(model, str(tmp_path / "seq.dot"))
    assert (tmp_path / "seq.dot").read_text().count(" -> ") == 2
