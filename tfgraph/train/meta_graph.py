"""tf.train.export_meta_graph / import_meta_graph: a graph with its collections, variables and
saver info, as a JSON MetaGraphDef (format: tfgraph/framework/graph_def.py). import_meta_graph,
which returns a Saver, is in saver.py (as in TF)."""
import json
import os
from importlib import metadata

from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.graph_def import MetaGraphDef
from tfgraph.framework.graph_io import as_graph_def
from tfgraph.framework.operation import Operation
from tfgraph.framework.tensor import Tensor
from tfgraph.variables import Variable


def _encode_collection(items):
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
    try:
        return metadata.version("tfgraph")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"
