"""The graph as a networkx MultiDiGraph (ops = nodes, tensors = edges); GraphML, node-link JSON.

Node attributes: type, device, location ("file:line" that created the op), attrs (a short text per
attr), output_dtypes and output_shapes (lists). Edge attributes: tensor ("op:k"), src_output,
dst_input, dtype, shape ("?x784"), control (True for control dependencies, which carry no tensor).
"""
import json

import numpy as np

from tfgraph.framework.graph import get_default_graph


def _nx():
    """networkx, imported on first use: with scipy it took 0.3-0.5 s of every `import tfgraph`
    (tf.summary and tf.keras's callbacks import this package) for the few who export graphs."""
    import networkx
    return networkx


def shape_text(shape):
    """'?x784' for [None, 784]; '()' for a scalar; '<unknown>' for an unknown rank."""
    if shape.ndims is None:
        return "<unknown>"
    dims = shape.as_tuple()
    return "x".join("?" if d is None else str(d) for d in dims) if dims else "()"


def attr_text(value, limit=80):
    if isinstance(value, np.ndarray):
        text = "%s%s" % (value.dtype, list(value.shape)) if value.size > 8 else \
            np.array2string(value, threshold=8, separator=",")
    elif hasattr(value, "as_numpy_dtype") or hasattr(value, "is_floating"):
        text = getattr(value, "name", str(value))
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def as_graph(obj=None):
    """The Graph behind `obj`: a Graph, a Session, a Keras model, or None (the default graph)."""
    if obj is None:
        return get_default_graph()
    if hasattr(obj, "get_operations"):
        return obj
    if hasattr(obj, "graph") and hasattr(obj.graph, "get_operations"):
        return obj.graph
    outputs = getattr(obj, "outputs", None)
    if outputs:
        return outputs[0].graph
    raise TypeError("Expected a tfgraph Graph, Session or Keras model, got %r" % (obj,))


def to_networkx(graph=None):
    """A networkx.MultiDiGraph of `graph` (Graph, Session or Keras model; None: default graph)."""
    graph = as_graph(graph)
    g = _nx().MultiDiGraph(name="tfgraph")
    for op in graph.get_operations():
        g.add_node(op.name, type=op.type, device=op.device or "", location=op.location,
                   attrs={k: attr_text(v) for k, v in op.attrs.items()},
                   output_dtypes=[t.dtype.name for t in op.outputs],
                   output_shapes=[shape_text(t.shape) for t in op.outputs])
    for op in graph.get_operations():
        for i, t in enumerate(op.inputs):
            g.add_edge(t.op.name, op.name, tensor=t.name, src_output=t.value_index, dst_input=i,
                       dtype=t.dtype.name, shape=shape_text(t.shape), control=False)
        for c in op.control_inputs:
            g.add_edge(c.name, op.name, tensor="", src_output=-1, dst_input=-1, dtype="",
                       shape="", control=True)
    return g


def _flat(g):
    """A copy whose attribute values are GraphML scalars (lists/dicts become JSON text)."""
    h = _nx().MultiDiGraph(name=g.graph.get("name", "tfgraph"))
    enc = {list: json.dumps, dict: json.dumps}
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: enc.get(type(v), lambda x: x)(v) for k, v in d.items()})
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **d)
    return h


def write_graphml(graph, path):
    """GraphML of to_networkx(graph); list/dict node attributes are stored as JSON text."""
    _nx().write_graphml(_flat(to_networkx(graph)), path)
    return path


def read_graphml(path):
    """Reads write_graphml output back into a MultiDiGraph with list/dict attributes decoded."""
    g = _nx().read_graphml(path, force_multigraph=True)
    for _, d in g.nodes(data=True):
        for k in ("attrs", "output_dtypes", "output_shapes"):
            if k in d:
                d[k] = json.loads(d[k])
    return g


def to_node_link(graph=None):
    """node-link JSON data (networkx.node_link_data) of to_networkx(graph)."""
    return _nx().node_link_data(to_networkx(graph), edges="edges")


def write_json(graph, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(to_node_link(graph), f)
    return path


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return _nx().node_link_graph(json.load(f), edges="edges")
