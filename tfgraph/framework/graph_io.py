"""Graph files: a documented, versioned JSON GraphDef and MetaGraphDef, import and freezing.

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
import os
import threading

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.func_graph import Function, FuncGraph
from tfgraph.framework.graph import GraphKeys, get_default_graph

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
    if isinstance(v, Function):
        return {"function": _encode_function(v)}
    return {"repr": repr(v)}


def decode_attr(d):
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
        items = [decode_attr(x) for x in value]
        return tuple(items) if d.get("tuple") else items
    if key == "dict":
        return {k: decode_attr(x) for k, x in value.items()}
    if key == "function":
        return _decode_function(value)
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
_import_state = threading.local()


def _encode_function(fn):
    return {"name": fn.graph.name, "node": [node_def(op) for op in fn.graph.get_operations()],
            "inputs": [t.name for t in fn.inputs], "outputs": [t.name for t in fn.outputs],
            "targets": [op.name for op in fn.targets]}


def _decode_function(d):
    outer = getattr(_import_state, "graph", None) or get_default_graph()
    graph = FuncGraph(d["name"], outer)
    _import_nodes(graph, d["node"], "", {}, set())
    return Function(graph, [graph.get_tensor_by_name(n) for n in d["inputs"]],
                    [graph.get_tensor_by_name(n) for n in d["outputs"]],
                    [graph.get_operation_by_name(n) for n in d["targets"]])


def as_graph_def(graph=None, add_shapes=True):
    """The graph as a JSON GraphDef (Graph.as_graph_def); output shapes/types always included."""
    graph = graph or get_default_graph()
    return GraphDef(node=[node_def(op) for op in graph.get_operations()])


def _load(graph_def_or_bytes, cls=GraphDef):
    if isinstance(graph_def_or_bytes, (bytes, bytearray, str)):
        return cls(json.loads(graph_def_or_bytes))
    return graph_def_or_bytes if isinstance(graph_def_or_bytes, cls) else cls(graph_def_or_bytes)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """tf.import_graph_def: adds the ops of `graph_def` to the default graph under scope `name`.

    `input_map` maps names in graph_def ("x", "x:0") to tensors of the default graph, which replace
    them; `return_elements` lists op/tensor names whose imported counterparts are returned.
    """
    graph_def = _load(graph_def)
    graph = get_default_graph()
    prefix = "import" if name is None else name
    if prefix:
        with graph.name_scope(prefix) as scope:
            prefix = scope
    input_map = {(k if ":" in k else k + ":0"): v for k, v in (input_map or {}).items()}
    _import_state.prefix = prefix or ""
    used_inputs = set()
    with graph.control_dependencies(None):
        _import_nodes(graph, graph_def["node"], prefix, input_map, used_inputs)
    missing = set(input_map) - used_inputs
    if missing:
        raise ValueError("Attempted to map inputs that were not found in graph_def: [%s]"
                         % ", ".join(sorted(missing)))
    if return_elements is None:
        return None
    out = []
    for r in return_elements:
        out.append(graph.as_graph_element(prefix + r))
    return out


def _import_nodes(graph, node_list, prefix, input_map, used_inputs):
    """Adds `node_list` to `graph` (names prefixed), mapping inputs through `input_map`."""
    from tfgraph.framework.op_def import convert_to_tensor, get_op_def
    imported = {}  # node name -> Operation
    nodes = {n["name"]: n for n in node_list}

    def resolve(ref):
        op_name, idx = (ref.rsplit(":", 1) + ["0"])[:2] if ":" in ref else (ref, "0")
        key = "%s:%s" % (op_name, idx)
        if key in input_map:
            used_inputs.add(key)
            return convert_to_tensor(input_map[key])
        return imported[op_name].outputs[int(idx)]

    outer_import = getattr(_import_state, "graph", None)
    _import_state.graph = graph  # functions in attrs are imported inside this graph
    try:
        for n in _topological(node_list, nodes):
            attrs = {k: decode_attr(v) for k, v in n.get("attr", {}).items()}
            data_inputs = [resolve(i) for i in n["input"] if not i.startswith("^")]
            op_def = get_op_def(n["op"])
            full = prefix + n["name"]
            op = op_def.create_op(data_inputs, name=full + "/", _graph=graph, **attrs)
            graph._names_in_use[full.lower()] = max(graph._names_in_use.get(full.lower(), 0), 1)
            op.location = n.get("location", op.location)
            op.device = n.get("device", "")
            if n.get("variable_source"):
                outermost = graph
                while isinstance(outermost, FuncGraph):
                    outermost = outermost.outer_graph
                op._variable_source = outermost.get_operation_by_name(
                    getattr(_import_state, "prefix", "") + n["variable_source"])
            for i in n["input"]:
                if i.startswith("^"):
                    op._add_control_input(imported[i[1:]])
            for t, shp in zip(op.outputs, n.get("output_shapes", [])):
                try:  # keep static shapes the exporter knew (e.g. set_shape) where compatible
                    t.set_shape(tensor_shape.TensorShape(shp))
                except ValueError:
                    pass
            imported[n["name"]] = op
    finally:
        _import_state.graph = outer_import
    return imported


def _topological(node_list, nodes):
    done, order = set(), []
    for root in node_list:
        stack = [(root["name"], False)]
        while stack:
            name, expanded = stack.pop()
            if name in done:
                continue
            if expanded:
                done.add(name)
                order.append(nodes[name])
                continue
            stack.append((name, True))
            for i in nodes[name]["input"]:
                dep = i.lstrip("^").split(":")[0]
                if dep not in nodes:
                    raise ValueError("Node %r has an input %r that is not in the graph_def."
                                     % (name, i))
                if dep not in done:
                    stack.append((dep, False))
    return order


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """tf.train.write_graph: writes the JSON GraphDef to logdir/name and returns the path.

    The file is JSON whatever `as_text` says (indented when as_text is True).
    """
    gd = graph_or_graph_def
    if not isinstance(gd, dict):
        gd = as_graph_def(gd)
    os.makedirs(logdir, exist_ok=True) if logdir else None
    path = os.path.join(logdir, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(gd, f, indent=1 if as_text else None, sort_keys=True)
    return path


def read_graph(path):
    """Reads a GraphDef file written by write_graph (or SerializeToString)."""
    with open(path, "rb") as f:
        return GraphDef.FromString(f.read())


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


def _encode_collection(items):
    from tfgraph.framework.operation import Operation
    from tfgraph.framework.tensor import Tensor
    if all(hasattr(i, "_variable") and hasattr(i, "initializer") for i in items):
        return {"kind": "variable_list", "value": [
            {"variable_name": v.op.name, "initializer_name": v.initializer.name,
             "snapshot_name": v.value().name, "initial_value_name": v.initial_value.name,
             "trainable": bool(v.trainable)} for v in items]}
    if all(isinstance(i, (Tensor, Operation)) for i in items):
        return {"kind": "node_list", "value": [i.name for i in items]}
    if all(isinstance(i, (str, int, float, bool)) for i in items):
        return {"kind": "value_list", "value": list(items)}
    return None  # e.g. Saver or Python objects: not serializable, skipped as TF skips them


def _variable_from_def(graph, d, prefix):
    from tfgraph.variables import Variable
    v = Variable.__new__(Variable)  # wraps imported ops, as TF's Variable(variable_def=...)
    v._graph = graph
    v._trainable = d["trainable"]
    v.constraint = None
    v._variable = graph.get_tensor_by_name(prefix + d["variable_name"] + ":0")
    v._initializer_op = graph.get_operation_by_name(prefix + d["initializer_name"])
    v._snapshot = graph.get_tensor_by_name(prefix + d["snapshot_name"])
    v._initial_value = graph.get_tensor_by_name(prefix + d["initial_value_name"])
    return v


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, clear_devices=False,
                      **kwargs):
    """tf.train.export_meta_graph: graph + collections (+ saver info) as a JSON MetaGraphDef."""
    graph = graph or get_default_graph()
    gd = graph_def or as_graph_def(graph)
    if clear_devices:
        for n in gd["node"]:
            n["device"] = ""
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    collections = {}
    for key in keys:
        enc = _encode_collection(graph.get_collection(key))
        if enc is not None:
            collections[key] = enc
    if saver_def is None:
        savers = graph.get_collection(GraphKeys.SAVERS)
        saver_def = _saver_def(savers[-1]) if savers else None
    elif not isinstance(saver_def, dict):
        saver_def = _saver_def(saver_def)
    meta = MetaGraphDef(graph_def=gd, collection_def=collections, saver_def=saver_def,
                        meta_info_def=dict(meta_info_def or {}, tfgraph_version=_version()))
    if filename:
        d = os.path.dirname(filename)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(filename, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1 if as_text else None, sort_keys=True)
    return meta


def _saver_def(saver):
    if hasattr(saver, "saver_def") and isinstance(saver.saver_def, dict):
        return dict(saver.saver_def)
    out = {"class": type(saver).__name__}
    for k in ("max_to_keep", "keep_checkpoint_every_n_hours", "sharded"):
        v = getattr(saver, k, getattr(saver, "_" + k, None))
        if isinstance(v, (int, float, bool)):
            out[k] = v
    var_list = getattr(saver, "_var_list", None) or getattr(saver, "var_list", None)
    if isinstance(var_list, (list, tuple)):
        out["var_list"] = [getattr(v, "op", v).name for v in var_list]
    elif isinstance(var_list, dict):
        out["var_list"] = {k: getattr(v, "op", v).name for k, v in var_list.items()}
    return out


def _version():
    import tfgraph
    return getattr(tfgraph, "__version__", "unknown")


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """tf.train.import_meta_graph: rebuilds graph and collections in the default graph.

    Returns a `tf.train.Saver` over the imported variables when the meta graph recorded saver info
    (and tf.train.Saver exists), else None, as TF does without a saver.
    """
    meta = meta_graph_or_file
    if isinstance(meta, str) and not meta.lstrip().startswith("{"):
        with open(meta, "rb") as f:
            meta = f.read()
    meta = _load(meta, MetaGraphDef)
    gd = GraphDef(meta["graph_def"])
    if clear_devices:
        for n in gd["node"]:
            n["device"] = ""
    graph = get_default_graph()
    import_graph_def(gd, name=import_scope or "")
    prefix = (import_scope + "/") if import_scope else ""
    variables = {}
    for key, col in meta.get("collection_def", {}).items():
        for item in col["value"]:
            if col["kind"] == "variable_list":
                v = variables.get(item["variable_name"])
                if v is None:
                    v = variables[item["variable_name"]] = _variable_from_def(graph, item, prefix)
                graph.add_to_collection(key, v)
            elif col["kind"] == "node_list":
                graph.add_to_collection(key, graph.as_graph_element(prefix + item))
            else:
                graph.add_to_collection(key, item)
    saver_def = meta.get("saver_def")
    if not saver_def:
        return None
    try:
        from tfgraph.train import Saver
    except ImportError:
        return None
    var_list = saver_def.get("var_list")
    if isinstance(var_list, list):
        by_name = {k: v for k, v in variables.items()}
        var_list = [by_name[n] for n in var_list if n in by_name] or None
    elif isinstance(var_list, dict):
        var_list = {k: variables[n] for k, n in var_list.items() if n in variables} or None
    kw = {k: saver_def[k] for k in ("max_to_keep",) if k in saver_def}
    return Saver(var_list=var_list, **kw)


# -- freezing --------------------------------------------------------------------------------------
def extract_sub_graph(graph_def, dest_nodes):
    """The nodes of graph_def that `dest_nodes` (op names) need, in the original order."""
    graph_def = _load(graph_def)
    nodes = {n["name"]: n for n in graph_def["node"]}
    for d in dest_nodes:
        if d not in nodes:
            raise AssertionError("%s is not in graph" % d)
    keep, stack = set(), list(dest_nodes)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(i.lstrip("^").split(":")[0] for i in nodes[name]["input"])
    return GraphDef(node=[NodeDef(n) for n in graph_def["node"] if n["name"] in keep])


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None, variable_names_blacklist=None):
    """graph_util.convert_variables_to_constants: freezes variables into Const nodes.

    Keeps only what `output_node_names` need; each VariableV2 becomes a Const holding its current
    value in `sess`.
    """
    sub = extract_sub_graph(input_graph_def, output_node_names)
    allow, deny = variable_names_whitelist, variable_names_blacklist
    var_nodes = [n for n in sub["node"] if n["op"] == "VariableV2"
                 and (allow is None or n["name"] in allow)
                 and (deny is None or n["name"] not in deny)]
    values = sess.run([n["name"] + ":0" for n in var_nodes]) if var_nodes else []
    frozen = {n["name"]: v for n, v in zip(var_nodes, values)}
    out = []
    for n in sub["node"]:
        if n["name"] in frozen:
            arr = np.asarray(frozen[n["name"]])
            n = NodeDef(name=n["name"], op="Const", input=[], device=n.get("device", ""),
                        location=n.get("location", ""),
                        attr={"value": {"tensor": encode_tensor(arr)},
                              "dtype": {"type": dtypes.as_dtype(arr.dtype).name}},
                        output_shapes=[list(arr.shape)], output_types=n.get("output_types"))
        out.append(NodeDef(n))
    return GraphDef(node=out)


__all__ = ["GraphDef", "MetaGraphDef", "as_graph_def", "import_graph_def", "write_graph",
           "read_graph", "export_meta_graph", "import_meta_graph", "extract_sub_graph",
           "convert_variables_to_constants"]
