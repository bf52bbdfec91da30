"""A model's weights (and optimizer state) as a state tree, and back, matching Keras's rules.

Keras 3 matches saved weights to layers by `snake_case(ClassName)` keys and their order within each
container, never by layer name, so a file written by a model whose layers have other names loads.
Within a layer, weights are in Keras's order: trainable then non-trainable, in creation order.
An RNN layer (SimpleRNN, LSTM, GRU) keeps its weights in its cell, as Keras 3 does: the layer's own
`vars` is empty and the weights sit in `cell/vars` (attr name = the cell's name, e.g. lstm_cell).
Files tfgraph wrote before that, with the weights in the layer's `vars`, still load.
"""
import json

import numpy as np

from tfgraph_keras import backend
from tfgraph_keras.saving import h5 as h5_layout


def sublayers(layer):
    """The layers a model holds (None for a plain layer)."""
    layers = getattr(layer, "layers", None)
    if layers is None or not _is_model(layer):
        return None
    return list(layers)


def _is_model(layer):
    # a Model (models/functional.py, which sits above saving) is a layer that holds layers
    return hasattr(layer, "_nodes") and hasattr(layer, "layers")


def layer_variables(layer):
    """A layer's own weights in Keras's file order (independent of its current `trainable` flag)."""
    return list(layer._trainable_weights) + list(layer._non_trainable_weights)


def optimizer_variables(optimizer, model=None):
    """[iterations, learning_rate, then each trainable variable's slots in the model's variable
    order (Adam: m, v), then any other state] -- Keras 3's order; [] before it is built."""
    if optimizer is None or getattr(optimizer, "_iterations", None) is None:
        return []
    out = [optimizer._iterations, optimizer._lr_var]
    slots = getattr(optimizer, "_slot_vars", {})
    for var in (model.trainable_weights if model is not None else []):
        out.extend(slots.get(id(var), {}).values())
    import tfgraph as tf
    rest = list(optimizer.weights) + [v for v in vars(optimizer).values()
                                      if isinstance(v, tf.Variable)]
    for value in rest:  # slots of variables no longer trainable, extra state (Nadam's u product)
        if not any(value is w for w in out):
            out.append(value)
    return out


def _cell_name(layer):
    """The cell name of a layer whose weights Keras 3 keeps in `cell/vars` (RNN layers), or None."""
    return getattr(layer, "_cell_name", None)


def state_children(layer):
    """[(group key, layer or list of layers)] a layer keeps in named groups of its own, as
    Keras 3 writes them: `forward_layer`/`backward_layer` (Bidirectional), `layer`
    (TimeDistributed), `cell` (RNN), `cells` (StackedRNNCells; a list, keyed like a container)."""
    hook = getattr(layer, "_state_children", None)
    return None if hook is None else hook()


def _container_node(items, walk):
    return {"name": "", "vars": [], "children": None,
            "extra": {k: walk(c) for k, c in zip(h5_layout.container_keys(items), items)}}


def nested_variables(layer):
    """A layer's variables in Keras's `weights` order, its held layers' after its own."""
    out = list(layer_variables(layer))
    for _, sub in state_children(layer) or []:
        for c in (sub if isinstance(sub, (list, tuple)) else [sub]):
            out.extend(nested_variables(c))
    return out


def variable_tree(model, include_optimizer=True):
    """The tree of tf.Variables (see saving/h5.py) for `model`."""
    def walk(layer):
        children = sublayers(layer)
        held = state_children(layer) if children is None else None
        if held is not None:
            extra = {k: (_container_node(v, walk) if isinstance(v, (list, tuple)) else walk(v))
                     for k, v in held}
            return {"name": layer.name, "vars": layer_variables(layer), "children": None,
                    "extra": extra}
        if children is None and _cell_name(layer) is not None:
            cell = {"name": _cell_name(layer), "vars": layer_variables(layer), "children": None}
            return {"name": layer.name, "vars": [], "children": None, "extra": {"cell": cell}}
        if children is None:
            return {"name": layer.name, "vars": layer_variables(layer), "children": None}
        keys = h5_layout.container_keys(children)
        return {"name": layer.name, "vars": [],
                "children": {k: walk(c) for k, c in zip(keys, children)}}
    tree = walk(model)
    if tree["children"] is None:
        tree["children"] = {}
    opt = getattr(model, "optimizer", None)
    if include_optimizer and optimizer_variables(opt, model):
        tree["extra"] = {"optimizer": {"name": getattr(opt, "name", "optimizer"),
                                       "vars": optimizer_variables(opt, model)}}
    return tree


def _all_vars(tree):
    out = list(tree["vars"])
    for child in (tree.get("children") or {}).values():
        out.extend(_all_vars(child))
    for sub in tree.get("extra", {}).values():
        out.extend(_all_vars(sub))
    return out


def value_tree(model, include_optimizer=True):
    """The same tree with numpy values (one session run for all variables)."""
    tree = variable_tree(model, include_optimizer)
    variables = _all_vars(tree)
    values = iter(backend.batch_get_value(variables) if variables else [])

    def fill(t):
        out = {"name": t["name"], "vars": [np.asarray(next(values)) for _ in t["vars"]],
               "children": None if t.get("children") is None else {
                   k: fill(c) for k, c in t["children"].items()}}
        if t.get("extra"):
            out["extra"] = {k: fill(v) for k, v in t["extra"].items()}
        return out
    return fill(tree)


def assign_tree(model, saved, load_optimizer=True, skip_mismatch=False):
    """Sets `model`'s variables from a saved value tree (Keras 3 matching rules)."""
    pairs = []

    def walk(layer, saved_node, path):
        children = sublayers(layer)
        held = state_children(layer) if children is None else None
        if held is not None:
            _match(layer, layer_variables(layer), saved_node, path)
            extra = (saved_node or {}).get("extra") or {}
            for key, sub in held:
                node = extra.get(key)
                if isinstance(sub, (list, tuple)):
                    inner = (node or {}).get("extra") or {}
                    for k, c in zip(h5_layout.container_keys(sub), sub):
                        walk(c, inner.get(k), "%s/%s/%s" % (path, key, k))
                else:
                    walk(sub, node, path + "/" + key)
            return
        if children is None:
            cell = ((saved_node or {}).get("extra") or {}).get("cell")
            if _cell_name(layer) is not None and cell is not None and (
                    cell["vars"] or not saved_node["vars"]):   # else: tfgraph's older layout
                saved_node, path = cell, path + "/cell"
            _match(layer, layer_variables(layer), saved_node, path)
            return
        saved_children = (saved_node or {}).get("children") or {}
        for key, child in zip(h5_layout.container_keys(children), children):
            walk(child, saved_children.get(key), path + "/layers/" + key)

    def _match(layer, variables, node, path):
        if not variables:
            return
        values = [] if node is None else node["vars"]
        if len(values) != len(variables):
            if skip_mismatch:
                return
            raise ValueError(
                "Layer '%s' expected %d variables, but received %d variables during loading "
                "(looked in '%s'). Expected: %s" % (layer.name, len(variables), len(values),
                                            path.strip("/") + "/vars",
                                            [v.name for v in variables]))
        for var, value in zip(variables, values):
            expected = tuple(var.shape.as_list())
            if tuple(value.shape) != expected:
                if skip_mismatch:
                    return
                raise ValueError("Layer '%s' weight %s has shape %s, but the saved weight has "
                                 "shape %s." % (layer.name, var.name, expected, tuple(value.shape)))
        pairs.extend(zip(variables, values))

    walk(model, saved, "")
    saved_opt = saved.get("extra", {}).get("optimizer")
    if load_optimizer and saved_opt is not None:
        variables = optimizer_variables(getattr(model, "optimizer", None), model)
        if len(variables) == len(saved_opt["vars"]) and all(
                tuple(v.shape.as_list()) == tuple(np.shape(a))
                for v, a in zip(variables, saved_opt["vars"])):
            pairs.extend(zip(variables, saved_opt["vars"]))
        elif variables:
            import warnings
            warnings.warn("Skipping the optimizer state in the file: it holds %d variables, the "
                          "model's optimizer %d." % (len(saved_opt["vars"]), len(variables)),
                          stacklevel=3)
    backend.batch_set_value([(v, np.asarray(a, dtype=v.dtype.np)) for v, a in pairs])


# -- the .npz form of a tree (used in .keras zips when h5py is missing) ----------------------------
def tree_to_npz_dict(tree):
    """{"layers/dense/vars/0": array, ..., "__names__": json} with the HDF5 layout's paths."""
    arrays, names = {}, {}

    def walk(t, prefix):
        names[prefix + "vars"] = t["name"]
        for i, v in enumerate(t["vars"]):
            arrays["%svars/%d" % (prefix, i)] = np.asarray(v)
        for k, c in (t.get("children") or {}).items():
            walk(c, "%slayers/%s/" % (prefix, k))
        for k, c in t.get("extra", {}).items():
            walk(c, "%s%s/" % (prefix, k))
    walk(tree, "")
    arrays["__names__"] = np.array(json.dumps(names))
    return arrays


def tree_from_npz_dict(arrays):
    names = json.loads(str(arrays["__names__"]))
    root = {"name": "", "vars": [], "children": {}, "extra": {}}

    def node(path):
        t = root
        parts = [p for p in path.split("/") if p]
        i = 0
        while i < len(parts):
            if parts[i] == "layers":
                t = t["children"].setdefault(parts[i + 1], {"name": "", "vars": [],
                                                            "children": {}, "extra": {}})
                i += 2
            else:
                t = t["extra"].setdefault(parts[i], {"name": "", "vars": [], "children": {},
                                                     "extra": {}})
                i += 1
        return t
    for group, name in names.items():
        node(group[:-len("vars")])["name"] = name
    indexed = {}
    for key in arrays:
        if key == "__names__":
            continue
        group, idx = key.rsplit("/", 1)
        indexed.setdefault(group, {})[int(idx)] = arrays[key]
    for group, items in indexed.items():
        node(group[:-len("vars")])["vars"] = [items[i] for i in sorted(items)]
    return root
