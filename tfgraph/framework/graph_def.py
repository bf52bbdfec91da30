"""The graph file format: a documented, versioned JSON GraphDef and MetaGraphDef, and the GraphDef
of a graph (Graph.as_graph_def). Importing and freezing are graph_io.py; meta graphs with their
variables and saver are tfgraph/train/meta_graph.py.

Format "tfgraph.GraphDef" version 1 (what `as_graph_def`, `tf.train.write_graph` and
`SerializeToString` produce; UTF-8 JSON):

    {"format": "tfgraph.GraphDef", "version": 1,
     "node": [{"name": "layer1/MatMul", "op": "MatMul",
               "input": ["x", "layer1/W/read", "^init"],  # "op" = output 0; "op:k"; "^op" control
               "device": "", "location": "train.py:12",       # file:line that created the op
               "attr": {"transpose_a": {"b": false}, ...},
               "output_shapes": [[null, 128]],  # null dim = unknown; null = unknown rank
               "output_types": ["float32"]}]}

Attr values are tagged: {"b": bool}, {"i": int}, {"f": float}, {"s": str}, {"type": "float32"},
{"shape": [dims] | null}, {"none": null}, {"list": [values], "tuple": bool}, {"dict": {k: value}},
{"tensor": {"dtype": "float32", "shape": [2, 3], "b64": base64 of the C-order bytes}}
(string tensors use "values": [str, ...] instead of "b64"),
{"function": {"name", "node": [...], "inputs", "outputs", "targets"}} (a cond branch or loop body:
its own graph's nodes, its argument and result tensor names and the ops it runs for effect; a
node standing in for an outer variable carries "variable_source": that variable's op name).

"tfgraph.MetaGraphDef" version 1 = {"format", "version", "graph_def", "collection_def", "saver_def",
"meta_info_def"}; each collection is
{"kind": "node_list" | "variable_list" | "value_list", "value": [...]}.
"""
import base64
import json

import numpy as np

from tfgraph.framework import dtypes, tensor_shape

GRAPH_FORMAT = "tfgraph.GraphDef"
META_FORMAT = "tfgraph.MetaGraphDef"
FORMAT_VERSION = 1


class NodeDef(dict):
    """One node of a GraphDef: a dict with attribute access (node.name, node.op, node.input ...)."""

    name = property(lambda self: self["name"])
    op = property(lambda self: self["op"])
    input = property(lambda self: self["input"])
    device = property(lambda self: self.get("device", ""))
    attr = property(lambda self: self.get("attr", {}))


class GraphDef(dict):
    """A JSON GraphDef (see module docstring). `graph_def.node` lists NodeDefs, as in TF."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setdefault("format", GRAPH_FORMAT)
        self.setdefault("version", FORMAT_VERSION)
        self["node"] = [n if isinstance(n, NodeDef) else NodeDef(n) for n in self.get("node", [])]
        _check_format(self, GRAPH_FORMAT)

    @property
    def node(self):
        return self["node"]

    def SerializeToString(self):
        return json.dumps(self, sort_keys=True).encode("utf-8")

    def ParseFromString(self, data):
        self.clear()
        self.update(GraphDef(json.loads(data)))

    @classmethod
    def FromString(cls, data):
        return cls(json.loads(data))


def _check_format(d, fmt):
    if d.get("format") != fmt:
        raise ValueError("Not a %s file: format field is %r." % (fmt, d.get("format")))
    if d.get("version", 0) > FORMAT_VERSION:
        raise ValueError("%s version %s is newer than this tfgraph reads (%d)."
                         % (fmt, d.get("version"), FORMAT_VERSION))


# -- attr values -----------------------------------------------------------------------------------
def encode_attr(v):
    if v is None:
        return {"none": None}
    if isinstance(v, (bool, np.bool_)):
        return {"b": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"i": int(v)}
    if isinstance(v, (float, np.floating)):
        return {"f": float(v)}
    if isinstance(v, str):
        return {"s": v}
    if isinstance(v, dtypes.DType):
        return {"type": v.name}
    if isinstance(v, tensor_shape.TensorShape):
        return {"shape": shape_list(v)}
    if isinstance(v, np.ndarray):
        return {"tensor": encode_tensor(v)}
    if isinstance(v, (list, tuple)):
        return {"list": [encode_attr(x) for x in v], "tuple": isinstance(v, tuple)}
    if isinstance(v, dict):
        return {"dict": {str(k): encode_attr(x) for k, x in v.items()}}
    if _is_function(v):
        return {"function": _encode_function(v)}
    return {"repr": repr(v)}


def decode_attr(d, decode_function=None):
    """The attr value of `d`; "function" values go to `decode_function` (graph_io's importer)."""
    (key, value), = [(k, d[k]) for k in d if k != "tuple"] or [("none", None)]
    if key == "none":
        return None
    if key in ("b", "i", "f", "s"):
        return value
    if key == "type":
        return dtypes.as_dtype(value)
    if key == "shape":
        return tensor_shape.TensorShape(value)
    if key == "tensor":
        return decode_tensor(value)
    if key == "list":
        items = [decode_attr(x, decode_function) for x in value]
        return tuple(items) if d.get("tuple") else items
    if key == "dict":
        return {k: decode_attr(x, decode_function) for k, x in value.items()}
    if key == "function" and decode_function is not None:
        return decode_function(value)
    raise ValueError("Attr value %r cannot be imported (it was not serializable)." % (value,))


def encode_tensor(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind in "USO":
        vals = [x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in arr.ravel()]
        return {"dtype": "string", "shape": list(arr.shape), "values": vals}
    data = base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")
    return {"dtype": dtypes.as_dtype(arr.dtype).name, "shape": list(arr.shape), "b64": data}


def decode_tensor(d):
    if "values" in d:
        arr = np.empty(len(d["values"]), dtype=object)
        arr[:] = d["values"]
        return arr.reshape(d["shape"])
    np_dtype = dtypes.as_dtype(d["dtype"]).np
    arr = np.frombuffer(base64.b64decode(d["b64"]), dtype=np_dtype).reshape(d["shape"]).copy()
    arr.setflags(write=False)
    return arr


def shape_list(shape):
    shape = tensor_shape.as_shape(shape)
    return None if shape.ndims is None else list(shape.as_tuple())


# -- GraphDef --------------------------------------------------------------------------------------
def _input_name(t):
    return t.op.name if t.value_index == 0 else t.name


def node_def(op):
    inputs = [_input_name(t) for t in op.inputs] + ["^" + c.name for c in op.control_inputs]
    node = NodeDef(name=op.name, op=op.type, input=inputs, device=op.device or "",
                   location=op.location,
                   attr={k: encode_attr(v) for k, v in op.attrs.items() if not k.startswith("_")},
                   output_shapes=[shape_list(t.shape) for t in op.outputs],
                   output_types=[t.dtype.name for t in op.outputs])
    source = getattr(op, "_variable_source", None)
    if source is not None:  # a function graph's stand-in for a variable of the outermost graph
        node["variable_source"] = source.name
    return node


# -- functions (cond branches, loop bodies) ----------------------------------------------------
# {"function": {"name": "while/body", "node": [NodeDefs of its graph], "inputs": [_Arg tensor
# names], "outputs": [tensor names], "targets": [op names]}}; a function's graph is written whole
# for each function that views it (a forward body and its gradient each carry their own copy).
def _is_function(v):
    # func_graph.Function, recognised by its parts: func_graph.py sits above this module
    return all(hasattr(v, a) for a in ("graph", "inputs", "outputs", "targets"))


def _encode_function(fn):
    return {"name": fn.graph.name, "node": [node_def(op) for op in fn.graph.get_operations()],
            "inputs": [t.name for t in fn.inputs], "outputs": [t.name for t in fn.outputs],
            "targets": [op.name for op in fn.targets]}


def as_graph_def(graph, add_shapes=True):
    """The graph as a JSON GraphDef (Graph.as_graph_def); output shapes/types always included."""
    return GraphDef(node=[node_def(op) for op in graph.get_operations()])


def _load(graph_def_or_bytes, cls=GraphDef):
    if isinstance(graph_def_or_bytes, (bytes, bytearray, str)):
        return cls(json.loads(graph_def_or_bytes))
    return graph_def_or_bytes if isinstance(graph_def_or_bytes, cls) else cls(graph_def_or_bytes)


# -- MetaGraphDef ----------------------------------------------------------------------------------
class MetaGraphDef(dict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setdefault("format", META_FORMAT)
        self.setdefault("version", FORMAT_VERSION)
        _check_format(self, META_FORMAT)
        self["graph_def"] = _load(self.get("graph_def", {}))

    graph_def = property(lambda self: self["graph_def"])
    collection_def = property(lambda self: self.get("collection_def", {}))

    def SerializeToString(self):
        return json.dumps(self, sort_keys=True).encode("utf-8")
