"""Graph files: tf.import_graph_def, tf.train.write_graph / read_graph, and freezing
(graph_util.extract_sub_graph, convert_variables_to_constants). The format is graph_def.py."""
import json
import os
import threading

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.func_graph import Function, FuncGraph
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.graph_def import (  # noqa: F401 - the format's names, re-exported
    FORMAT_VERSION, GRAPH_FORMAT, META_FORMAT, GraphDef, MetaGraphDef, NodeDef, _load, decode_attr,
    decode_tensor, encode_attr, encode_tensor, node_def, shape_list)
from tfgraph.framework.graph_def import GraphDefError, validate_graph_def
from tfgraph.framework.graph_def import as_graph_def as _as_graph_def
from tfgraph.framework.op_def import convert_to_tensor, get_op_def, registered_op_types

_import_state = threading.local()


def as_graph_def(graph=None, add_shapes=True):
    """The graph (default: the default graph) as a JSON GraphDef."""
    return _as_graph_def(graph or get_default_graph())


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """tf.import_graph_def: adds the ops of `graph_def` to the default graph under scope `name`.

    `input_map` maps names in graph_def ("x", "x:0") to tensors of the default graph, which replace
    them; `return_elements` lists op/tensor names whose imported counterparts are returned.
    """
    try:
        graph_def = _load(graph_def)
    except (ValueError, TypeError, RecursionError) as e:
        if isinstance(e, GraphDefError):
            raise
        raise GraphDefError("tf.import_graph_def: the graph_def cannot be read: %s"
                            % str(e)[:300]) from None
    # everything is checked before the first op is built, so a bad file leaves the graph as it was
    registry = registered_op_types()
    validate_graph_def(graph_def, registry.__contains__, "tf.import_graph_def: ",
                       lambda op: registry[op].attrs)
    graph = get_default_graph()
    prefix = "import" if name is None else name
    if prefix:
        with graph.name_scope(prefix) as scope:
            prefix = scope
    input_map = {(k if ":" in k else k + ":0"): v for k, v in (input_map or {}).items()}
    _import_state.prefix = prefix or ""
    used_inputs = set()
    with graph.control_dependencies(None):
        try:
            _import_nodes(graph, graph_def["node"], prefix, input_map, used_inputs)
        except (TypeError, ValueError, IndexError) as e:
            if isinstance(e, GraphDefError):
                raise
            # well-formed but inconsistent (dtypes, arity, shapes): found while building
            raise GraphDefError("tf.import_graph_def: a node cannot be built: %s: %s"
                                % (type(e).__name__, str(e)[:500])) from e
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


def _decode_function(d):
    outer = getattr(_import_state, "graph", None) or get_default_graph()
    graph = FuncGraph(d["name"], outer)
    _import_nodes(graph, d["node"], "", {}, set())
    return Function(graph, [graph.get_tensor_by_name(n) for n in d["inputs"]],
                    [graph.get_tensor_by_name(n) for n in d["outputs"]],
                    [graph.get_operation_by_name(n) for n in d["targets"]])


def _import_nodes(graph, node_list, prefix, input_map, used_inputs):
    """Adds `node_list` to `graph` (names prefixed), mapping inputs through `input_map`."""
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
            attrs = {k: decode_attr(v, _decode_function) for k, v in n.get("attr", {}).items()}
            data_inputs = [resolve(i) for i in n.get("input", []) if not i.startswith("^")]
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
            for i in n.get("input", []):
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
            for i in nodes[name].get("input", []):
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
           "read_graph", "extract_sub_graph", "convert_variables_to_constants"]
