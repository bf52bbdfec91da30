"""keras.utils.plot_model / model_to_dot: the layer graph as Graphviz, laid out like Keras 3's.

The DOT is `digraph G { rankdir=TB; concentrate=true; dpi=200; splines=ortho;
node [shape=record]; }` with one HTML-table label per layer (header "<b>name</b> (Class)",
then optional activation, input/output shape, dtype and trainable cells), node ids
str(id(layer)) and penwidth=2 edges.
"""
import html
import os

from tfgraph.viz import dot as tf_dot


def _shape_text(get):
    try:
        shape = get()
    except (AttributeError, ValueError, RuntimeError):
        return "?"
    if isinstance(shape, list):
        return ", ".join(_tuple(s) for s in shape)
    return _tuple(shape)


def _tuple(shape):
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    cls = type(layer).__name__
    head = "<b>%s</b>" % cls
    if show_layer_names:
        head = "<b>%s</b> (%s)" % (html.escape(layer.name), cls)
    rows = ['<tr><td bgcolor="black" colspan="2"><font color="white">%s</font></td></tr>' % head]
    act = getattr(layer, "activation", None)
    if show_layer_activations and act is not None:
        name = getattr(act, "__name__", str(act))
        rows.append('<tr><td colspan="2">Activation: <b>%s</b></td></tr>' % html.escape(name))
    if show_shapes:
        from tfgraph_keras.layers.input_layer import InputLayer
        out = html.escape(_shape_text(lambda: layer.output_shape))
        if isinstance(layer, InputLayer):
            rows.append('<tr><td colspan="2">Output shape: <b>%s</b></td></tr>' % out)
        else:
            inp = html.escape(_shape_text(lambda: layer.input_shape))
            rows.append('<tr><td>Input shape: <b>%s</b></td><td>Output shape: <b>%s</b></td></tr>'
                        % (inp, out))
    if show_dtype:
        dtype = getattr(layer, "dtype", None) or "?"
        rows.append('<tr><td colspan="2">Output dtype: <b>%s</b></td></tr>'
                    % html.escape(getattr(dtype, "name", str(dtype))))
    if show_trainable:
        rows.append('<tr><td colspan="2" bgcolor="%s">%s</td></tr>'
                    % ((("forestgreen", "Trainable") if layer.trainable
                        else ("firebrick", "Frozen"))))
    return "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">%s</table>>" % "".join(rows)


def _is_graph_model(layer):
    return bool(getattr(layer, "_is_graph_network", False)) and hasattr(layer, "_nodes")


def _dot_lines(model, opts, expand_nested, lines, indent, subgraph_counter):
    """Emits the model's layers; returns (entry ids per input index, exit id) for nesting."""
    ids = {}
    layers = list(model.layers)
    for t in model.inputs:   # a Sequential model's `layers` leaves out its InputLayer
        layer = t._keras_history[0]
        if not any(layer is known for known in layers):
            layers.insert(0, layer)
    for layer in layers:
        if expand_nested and _is_graph_model(layer) and layer is not model:
            subgraph_counter[0] += 1
            lines.append('%ssubgraph cluster_%d { label="%s"; style=dashed;'
                         % (indent, subgraph_counter[0], html.escape(layer.name)))
            inner = _dot_lines(layer, opts, expand_nested, lines, indent + "  ", subgraph_counter)
            lines.append("%s}" % indent)
            ids[id(layer)] = inner
            continue
        nid = str(id(layer))
        lines.append('%s"%s" [label=%s];' % (indent, nid, _label(layer, *opts)))
        ids[id(layer)] = ([nid], nid)
    for node in model._nodes:
        dst = ids.get(id(node.layer))
        if dst is None:
            continue
        for t in node.flat_inputs:
            hist = getattr(t, "_keras_history", None)
            if hist is None or id(hist[0]) not in ids or hist[0] is node.layer:
                continue
            src = ids[id(hist[0])][1]
            for entry in dst[0]:
                lines.append('%s"%s" -> "%s";' % (indent, src, entry))
    entries = []
    for t in model.inputs:
        entries += [ids[id(t._keras_history[0])][1]]
    exit_id = ids[id(model.outputs[0]._keras_history[0])][1]
    return entries, exit_id


def model_to_dot_text(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                      rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False,
                      show_trainable=False, **kwargs):
    """The DOT source model_to_dot and plot_model use."""
    if not _is_graph_model(model):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    lines = ["digraph G {", "  graph [rankdir=%s, concentrate=true, dpi=%d, splines=ortho];"
             % (rankdir, dpi),
             "  node [shape=record, fontname=Helvetica, margin=0];", "  edge [penwidth=2];"]
    opts = (show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    _dot_lines(model, opts, expand_nested, lines, "  ", [0])
    lines.append("}")
    return "\n".join(lines) + "\n"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, **kwargs):
    """keras.utils.model_to_dot: a pydot.Dot of the layer graph (needs the `pydot` package)."""
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to "
                          "work.") from None
    text = model_to_dot_text(model, show_shapes, show_dtype, show_layer_names, rankdir,
                             expand_nested, dpi, show_layer_activations, show_trainable)
    return pydot.graph_from_dot_data(text)[0]


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """keras.utils.plot_model: writes the layer graph to `to_file`.

    The format comes from the extension: .dot writes DOT source (no Graphviz needed); .png, .svg,
    .pdf ... are rendered by Graphviz's `dot` (Debian package `graphviz`).
    """
    text = model_to_dot_text(model, show_shapes, show_dtype, show_layer_names, rankdir,
                             expand_nested, dpi, show_layer_activations, show_trainable)
    ext = os.path.splitext(to_file)[1].lstrip(".").lower() or "png"
    if ext in ("dot", "gv"):
        with open(to_file, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        tf_dot.render_dot(text, to_file, ext)


__all__ = ["model_to_dot", "plot_model"]
