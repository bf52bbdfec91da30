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
import re

import numpy as np

from tfgraph.framework import dtypes, errors, tensor_shape

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


# -- validation -----------------------------------------------------------------------------------
class GraphDefError(errors.InvalidArgumentError, ValueError):
    """A malformed GraphDef: InvalidArgumentError, and a ValueError as TF1's importer raises."""

    def __init__(self, message):
        super().__init__(None, None, message)


# TF's node names (leading "_" allowed for internal nodes, as its importer does); inputs are
# "name", "name:k" or "^name". Names are capped so that one crafted node cannot blow up messages.
_NAME = r"[A-Za-z0-9._][A-Za-z0-9_.\-/>]*"
_NAME_RE = re.compile(_NAME)
_INPUT_RE = re.compile(r"(\^?)(%s)(?::(0|[1-9][0-9]{0,8}))?" % _NAME)
_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
MAX_NAME_LENGTH = 4096
_MAX_ATTR_DEPTH = 64
_ATTR_TAGS = ("b", "i", "f", "s", "type", "shape", "none", "list", "dict", "tensor", "function")


def validate_graph_def(graph_def, is_op=None, where="", op_attrs=None):
    """Checks a GraphDef's structure before anything is built from it, in time linear in its size:
    node and input names, duplicates, dangling inputs, cycles, attr values (tensors' sizes) and the
    function graphs held in attrs (cond branches, loop bodies), and, given `is_op` and `op_attrs`
    (op type -> its attr names), op types and attr names.
    Raises GraphDefError (an InvalidArgumentError) naming the node and what is wrong."""
    if not isinstance(graph_def, dict) or not isinstance(graph_def.get("node", []), list):
        raise GraphDefError("%sa GraphDef must be an object with a 'node' list; received %s."
                            % (where, type(graph_def).__name__))
    _Validator(is_op, where, op_attrs).graph(graph_def.get("node", []), "graph_def")


def _short(s, n=80):
    s = str(s)
    return s if len(s) <= n else s[:n] + "...(%d characters)" % len(s)


class _Validator:
    def __init__(self, is_op, where, op_attrs=None):
        self.is_op = is_op
        self.op_attrs = op_attrs
        self.where = where
        self.top_names = None

    def fail(self, what, node, message):
        at = " in node %r" % _short(node) if node is not None else ""
        raise GraphDefError("%sinvalid GraphDef (%s)%s: %s" % (self.where, what, at, message))

    def name(self, what, node, value, field):
        if not isinstance(value, str):
            self.fail(what, node, "%s must be a string; received %s"
                      % (field, type(value).__name__))
        if len(value) > MAX_NAME_LENGTH:
            self.fail(what, node, "%s is %d characters long (at most %d)"
                      % (field, len(value), MAX_NAME_LENGTH))
        if not _NAME_RE.fullmatch(value):
            self.fail(what, node, "%s %r is not a valid node name (expected %s)"
                      % (field, _short(value), _NAME))

    def graph(self, node_list, what):
        """Validates one graph's nodes; returns {name: node}."""
        nodes = {}
        for n in node_list:
            if not isinstance(n, dict):
                self.fail(what, None, "a node must be an object; received %s" % type(n).__name__)
            self.name(what, None, n.get("name"), "the node name")
            if n["name"] in nodes:
                self.fail(what, n["name"], "the name is used by two nodes")
            nodes[n["name"]] = n
        if self.top_names is None:
            self.top_names = nodes
        deps = {}
        for n in node_list:
            deps[n["name"]] = self.node(what, n, nodes)
        self.acyclic(what, node_list, deps)
        return nodes

    def node(self, what, n, nodes):
        name = n["name"]
        op = n.get("op")
        if not isinstance(op, str) or not op:
            self.fail(what, name, "'op' must be a non-empty string; received %r" % (_short(op),))
        if self.is_op is not None and not self.is_op(op):
            self.fail(what, name, "unknown op %r (not registered in tfgraph)" % _short(op))
        known_attrs = self.op_attrs(op) if self.op_attrs is not None else None
        inputs = n.get("input", ())
        if not isinstance(inputs, (list, tuple)):
            self.fail(what, name, "'input' must be a list; received %s" % type(inputs).__name__)
        deps = []
        for ref in inputs:
            m = _INPUT_RE.fullmatch(ref) if type(ref) is str else None
            if m is None or len(ref) > MAX_NAME_LENGTH + 12:
                self.fail(what, name, "input %r is not 'name', 'name:k' or '^name'"
                          % (_short(ref),))
            control, dep, index = m.groups()
            if dep not in nodes:
                self.fail(what, name, "input %r names no node of the %s" % (_short(ref), what))
            if index is not None:
                if control:
                    self.fail(what, name, "control input %r has an output index" % _short(ref))
                types = nodes[dep].get("output_types")
                if isinstance(types, list) and int(index) >= len(types):
                    self.fail(what, name, "input %r: node %r has %d output(s)"
                              % (_short(ref), _short(dep), len(types)))
            deps.append(dep)
        if type(n.get("device", "")) is not str or type(n.get("location", "")) is not str:
            self.fail(what, name, "'device' and 'location' must be strings")
        types = n.get("output_types", ())
        if not isinstance(types, list) or not all(map(self.dtype_ok, types)) if types else False:
            self.fail(what, name, "'output_types' must be a list of dtype names; received %r"
                      % (_short(types),))
        shapes = n.get("output_shapes", ())
        if not isinstance(shapes, list) or not all(map(self.shape_ok, shapes)) if shapes else False:
            self.fail(what, name, "'output_shapes' must be a list of shapes; received %r"
                      % (_short(shapes),))
        source = n.get("variable_source")
        if source is not None and (type(source) is not str or source not in self.top_names):
            self.fail(what, name, "'variable_source' %r names no node of the graph_def"
                      % (_short(source),))
        attrs = n.get("attr")
        if attrs:
            if not isinstance(attrs, dict):
                self.fail(what, name, "'attr' must be an object")
            for key, value in attrs.items():
                if known_attrs is not None and key not in known_attrs:
                    self.fail(what, name, "op %s has no attr %r" % (op, _short(key)))
                self.attr(what, name, key, value, 0)
        return deps

    _dtype_names = set()

    @classmethod
    def dtype_ok(cls, t):
        if t in cls._dtype_names if type(t) is str else False:
            return True
        try:
            dtypes.as_dtype(t)
        except (TypeError, ValueError, KeyError):
            return False
        if type(t) is str:
            cls._dtype_names.add(t)
            return True
        return False

    @staticmethod
    def shape_ok(s):
        return s is None or (isinstance(s, list) and all(
            d is None or (type(d) is int and d >= -1) for d in s))

    def attr(self, what, node, key, d, depth):
        bad = lambda msg: self.fail(what, node, "attr %r: %s" % (_short(key), msg))  # noqa: E731
        if depth > _MAX_ATTR_DEPTH:
            bad("nested more than %d levels deep" % _MAX_ATTR_DEPTH)
        tags = [k for k in d if k != "tuple"] if isinstance(d, dict) else None
        if not tags or len(tags) != 1 or tags[0] not in _ATTR_TAGS:
            bad("unknown attr value %r (expected one of the tags %s)"
                % (_short(d), ", ".join(_ATTR_TAGS)))
        tag = tags[0]
        v = d[tag]
        ok = {"b": lambda: isinstance(v, bool),
              "i": lambda: type(v) is int,
              "f": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
              "s": lambda: isinstance(v, str),
              "type": lambda: self.dtype_ok(v),
              "shape": lambda: self.shape_ok(v),
              "none": lambda: v is None,
              "list": lambda: isinstance(v, list),
              "dict": lambda: isinstance(v, dict),
              "tensor": lambda: isinstance(v, dict),
              "function": lambda: isinstance(v, dict)}[tag]()
        if not ok:
            bad("%r is not a valid %r value" % (_short(v), tag))
        if tag == "list":
            for x in v:
                self.attr(what, node, key, x, depth + 1)
        elif tag == "dict":
            for x in v.values():
                self.attr(what, node, key, x, depth + 1)
        elif tag == "tensor":
            self.tensor(v, bad)
        elif tag == "function":
            self.function(v, node, key)

    def tensor(self, v, bad):
        shape = v.get("shape")
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            bad("tensor shape %r is not a list of sizes" % (_short(shape),))
        size = 1
        for dim in shape:
            size *= dim
        if "values" in v:
            if v.get("dtype") != "string" or not isinstance(v["values"], list) or not all(
                    isinstance(x, str) for x in v["values"]):
                bad("a tensor's 'values' must be a list of strings of dtype 'string'")
            if len(v["values"]) != size:
                bad("tensor of shape %s holds %d values" % (shape, len(v["values"])))
            return
        if v.get("dtype") == "string" or not self.dtype_ok(v.get("dtype")):
            bad("tensor dtype %r is not a numeric dtype name" % (_short(v.get("dtype")),))
        data = v.get("b64")
        if not isinstance(data, str) or len(data) % 4 or not _B64_RE.fullmatch(data):
            bad("tensor data is not base64 text")
        nbytes = len(data) // 4 * 3 - (len(data) - len(data.rstrip("=")))
        expected = size * dtypes.as_dtype(v["dtype"]).np.itemsize
        if nbytes != expected:
            bad("tensor of shape %s and dtype %s needs %d bytes; the data holds %d"
                % (shape, v["dtype"], expected, nbytes))

    def function(self, fn, node, key):
        what = "function %r of node %r" % (_short(fn.get("name")), _short(node))
        if not isinstance(fn.get("name"), str) or not isinstance(fn.get("node"), list):
            self.fail(what, None, "a function needs a 'name' string and a 'node' list")
        nodes = self.graph(fn["node"], what)
        for field in ("inputs", "outputs", "targets"):
            refs = fn.get(field, [])
            if not isinstance(refs, list):
                self.fail(what, None, "%r must be a list" % field)
            for ref in refs:
                m = _INPUT_RE.fullmatch(ref) if isinstance(ref, str) else None
                if m is None or m.group(1) or m.group(2) not in nodes or (
                        field == "targets") != (m.group(3) is None):
                    self.fail(what, None, "%s entry %r names no %s of the function"
                              % (field, _short(ref), "op" if field == "targets" else "tensor"))

    def acyclic(self, what, node_list, deps):
        """Depth-first search, iterative (no recursion limit); linear in nodes + inputs."""
        state = {}  # name -> 1 on the current path, 2 done
        parent = {}
        for root in node_list:
            if state.get(root["name"]):
                continue
            stack = [(root["name"], False)]
            while stack:
                name, expanded = stack.pop()
                if expanded:
                    state[name] = 2
                    continue
                if state.get(name):
                    continue
                state[name] = 1
                stack.append((name, True))
                for dep in deps[name]:
                    s = state.get(dep)
                    if s == 1:  # dep is on the current path: dep feeds ... feeds name feeds dep
                        path = [dep, name]
                        while path[-1] != dep and len(path) < 12:
                            path.append(parent[path[-1]])
                        path = path if path[-1] == dep else path + ["..."]
                        self.fail(what, name, "the nodes form a cycle (each an input of the "
                                  "next: %s)" % " -> ".join(_short(p, 40) for p in path))
                    if s is None:
                        parent[dep] = name
                        stack.append((dep, False))


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
