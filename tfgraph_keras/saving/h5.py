"""Keras weight-file layouts in HDF5 (h5py is an optional extra: `pip install tfgraph[h5]`).

Two layouts, both written exactly as Keras writes them (see shared/INTEROP.md section 3):

* Keras 3 `.weights.h5` (also `model.weights.h5` inside a `.keras` zip): a tree keyed by
  `snake_case(ClassName)` (+ `_1`, `_2` for repeats of a class in one container), never by name:

      layers/dense/vars/0, 1          (attr name=<layer.name> on `vars`)
      layers/sequential/layers/dense/vars/...   (nested models; counters restart inside)
      layers/lstm/vars (empty), layers/lstm/cell/vars/0, 1, 2   (RNN layers: attr name=lstm_cell)
      optimizer/vars/0, 1, ...        (iterations, learning_rate, then the slots)
      vars/                           (the model's own variables; attr name=<model.name>)

* Legacy `.h5` (Keras 2 / `model.save("m.h5")`): `layer_names` on the weights group, one group per
  layer name with attr `weight_names`, each weight at `<layer group>/<weight name>`. Readers follow
  `layer_names` -> `weight_names` and never parse the names.

The functions here work on a neutral "state tree" so they do not depend on the model classes:
    tree = {"name": str, "vars": [np.ndarray, ...], "children": {key: tree, ...}}
where `children` of a model are its layers (stored under `layers/`).

Files are read defensively: datasets with external storage (raw bytes of another file) or virtual
sources and external links to other files are refused; each weight tfgraph writes carries a CRC-32
of its bytes (attr `tfgraph_crc32`, ignored by Keras) that is checked on load, while files
without it (Keras's) load as before.
"""
import json
import re
import zlib

import numpy as np

import tfgraph as tf

_MAX_ATTR = 64512  # HDF5 object-header limit Keras splits long attribute lists at
CHECKSUM_ATTR = "tfgraph_crc32"


def _crc(arr):
    return zlib.crc32(np.ascontiguousarray(arr).view(np.uint8).reshape(-1)) if arr.size else 0


def create_weight(group, name, value):
    """A dataset for one weight, with the checksum read_weight verifies."""
    value = np.asarray(value)
    ds = group.create_dataset(name, data=value)
    if value.dtype.kind in "biuf":
        ds.attrs[CHECKSUM_ATTR] = np.uint32(_crc(value))
    return ds


def member(group, key):
    """group[key], refusing external links (they would open other files)."""
    link = group.get(key, getlink=True)
    if type(link).__name__ == "ExternalLink":
        raise ValueError("HDF5 file %s: %s/%s is an external link to %s:%s; refused (weights must "
                         "be stored in the file itself)." % (group.file.filename, group.name, key,
                                                            link.filename, link.path))
    return group[key]


def read_weight(ds):
    """The array of a weight dataset, after checking where its bytes come from and its checksum."""
    where = "HDF5 file %s, dataset %s" % (ds.file.filename, ds.name)
    if not hasattr(ds, "dtype"):
        raise ValueError("%s: expected a weight dataset, found a group." % where)
    if ds.external:
        raise ValueError("%s stores its data in external file(s) %s; refused (it would read "
                         "other files' bytes into the weights)." % (where, [e[0] for e in
                                                                            ds.external]))
    if ds.is_virtual:
        raise ValueError("%s is a virtual dataset (data from other files); refused." % where)
    arr = np.asarray(ds[()])
    crc = ds.attrs.get(CHECKSUM_ATTR)
    if crc is not None and arr.dtype.kind in "biuf" and _crc(arr) != int(crc):
        raise tf.errors.DataLossError(None, None, "%s: checksum mismatch (weight %s, shape %s): "
                                      "the file is corrupt." % (where, ds.name, arr.shape))
    return arr


def require_h5py():
    try:
        import h5py
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("Reading or writing HDF5 weight files needs h5py, an optional extra: "
                          "`pip install h5py` (or `pip install tfgraph[h5]`). The native '.keras' "
                          "format works without it.") from None
    return h5py


def snake_case(name):
    """Keras's `naming.to_snake_case`: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def container_keys(objects):
    """Keras 3 keys for a list of saveables: class names in snake case, `_1`, `_2` for repeats."""
    used, keys = {}, []
    for obj in objects:
        key = snake_case(type(obj).__name__)
        if key in used:
            used[key] += 1
            key = "%s_%d" % (key, used[key])
        else:
            used[key] = 0
        keys.append(key)
    return keys


def _text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


# -- Keras 3 layout ------------------------------------------------------------------------------
def write_tree(group, tree):
    """Writes a state tree (see module doc) into an open h5py group in the Keras 3 layout."""
    own = group.create_group("vars")
    own.attrs["name"] = tree["name"]
    for i, value in enumerate(tree["vars"]):
        create_weight(own, str(i), value)
    if tree.get("children") is not None:
        layers = group.create_group("layers")
        for key, child in tree["children"].items():
            write_tree(layers.create_group(key), child)
    for key, sub in tree.get("extra", {}).items():
        write_tree(group.create_group(key), sub)


def read_tree(group):
    """Reads a Keras 3 layout group back into a state tree (values as numpy arrays)."""
    tree = {"name": "", "vars": [], "children": {}, "extra": {}}
    for key in group.keys():
        sub = member(group, key)
        if key == "vars":
            tree["name"] = _text(sub.attrs.get("name", ""))
            tree["vars"] = [read_weight(member(sub, str(j)))
                            for j in sorted(int(k) for k in sub.keys())]
        elif key == "layers":
            tree["children"] = {k: read_tree(member(sub, k)) for k in sub.keys()}
        elif hasattr(sub, "items"):
            tree["extra"][key] = read_tree(sub)
    return tree


# -- legacy layout ---------------------------------------------------------------------------------
def write_attr_list(group, name, values):
    """Writes a list of strings as Keras does; lists over 64512 bytes go to name0, name1, ..."""
    data = np.array([v.encode("utf8") for v in values])
    if data.nbytes <= _MAX_ATTR:
        group.attrs[name] = data
        return
    chunks = int(np.ceil(data.nbytes / _MAX_ATTR))
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs["%s%d" % (name, i)] = part


def read_attr_list(group, name):
    if name in group.attrs:
        return [_text(v) for v in np.atleast_1d(group.attrs[name])]
    out, i = [], 0
    while "%s%d" % (name, i) in group.attrs:
        out += [_text(v) for v in np.atleast_1d(group.attrs["%s%d" % (name, i)])]
        i += 1
    return out


def write_legacy_weights(group, layers):
    """`layers`: [(layer_name, [(weight_name, array), ...])] in model order (all layers)."""
    write_attr_list(group, "layer_names", [name for name, _ in layers])
    group.attrs["backend"] = "tensorflow".encode("utf8")
    group.attrs["keras_version"] = "2.15.0".encode("utf8")
    for layer_name, weights in layers:
        g = group.create_group(layer_name)
        write_attr_list(g, "weight_names", [w for w, _ in weights])
        for weight_name, value in weights:
            create_weight(g, weight_name, value)


def read_legacy_weights(group):
    """[(layer_name, [array, ...])] following layer_names -> weight_names."""
    return [(name, [read_weight(member(member(group, name), w))
                     for w in read_attr_list(member(group, name), "weight_names")])
            for name in read_attr_list(group, "layer_names")]


def legacy_weights_group(f):
    """The group holding layer_names: `model_weights` in a full-model file, the root otherwise."""
    return member(f, "model_weights") if "model_weights" in f else f


def legacy_model_config(f):
    raw = f.attrs.get("model_config")
    return None if raw is None else json.loads(_text(raw))


def is_legacy_file(f):
    return "layer_names" in f.attrs or "model_weights" in f or "layer_names0" in f.attrs
