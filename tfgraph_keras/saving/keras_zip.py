"""The native `.keras` format: a zip like Keras 3's, readable by both.

    x.keras (ZIP_STORED)
      metadata.json      {"keras_version", "date_saved", "producer"}
      config.json        {"module", "class_name", "config", "registered_name", "build_config",
                          "compile_config"}   (the model's architecture + compile arguments)
      model.weights.h5   the Keras 3 `.weights.h5` layout (layers by class key, optimizer/vars)
    or, when h5py is not installed,
      model.weights.npz  the same tree as numpy's npz: arrays named by their HDF5 path
                         ("layers/dense/vars/0", "optimizer/vars/1" ...), plus "__names__": a JSON
                         string mapping each ".../vars" group to the name attribute it would carry.
      assets/<path>/...  files of layers with `save_assets` (an adapted vocabulary.txt), under
                         Keras's layer paths ("layers/text_vectorization")

The optimizer state (iterations, learning rate, slots) is included, so `load_model` followed by
`fit` continues exactly as the saved model would have. Saves are atomic: the zip is written to a
temporary file in the same directory and moved over the target with os.replace.
"""
import datetime
import io
import json
import os
import zipfile

import numpy as np

from tfgraph.platform import atomic_file
from tfgraph_keras.saving import h5 as h5_layout
from tfgraph_keras.saving import state

KERAS_FORMAT_VERSION = "3.15.1"  # the Keras version whose layout this file follows


def atomic_write(path, write_fn):
    """Calls write_fn(tmp_path), then moves tmp_path over `path` (never a half-written file)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # the temp is swept by the next save of `path` if this process is killed; data and directory
    # are fsynced around the rename
    with atomic_file.atomic_path(path) as tmp:
        write_fn(tmp)


def _have_h5py():
    try:
        import h5py  # noqa: F401
    except ImportError:
        return False
    return True


def weights_bytes(tree, use_h5=None):
    """(filename, bytes) of a value tree: model.weights.h5, or model.weights.npz without h5py."""
    if use_h5 is None:
        use_h5 = _have_h5py()
    buf = io.BytesIO()
    if use_h5:
        h5py = h5_layout.require_h5py()
        with h5py.File(buf, "w") as f:
            h5_layout.write_tree(f, tree)
        return "model.weights.h5", buf.getvalue()
    np.savez(buf, **state.tree_to_npz_dict(tree))
    return "model.weights.npz", buf.getvalue()


# A member may inflate to at most this many times its compressed size (deflate's own limit is
# ~1030; real weights compress less than 2:1) once over _RATIO_FREE bytes: a zip bomb is refused
# before it is inflated, and a member inflating past its declared size is cut off while reading.
_MAX_RATIO = 100
_RATIO_FREE = 64 << 20


def _check_size(zf, info):
    if info.file_size > max(_RATIO_FREE, _MAX_RATIO * info.compress_size):
        raise ValueError("File %s: member %s would inflate from %d to %d bytes (more than %dx); "
                         "refused as a zip bomb." % (zf.filename, info.filename,
                                                     info.compress_size, info.file_size,
                                                     _MAX_RATIO))


def read_member(zf, name):
    """The bytes of one zip member, refusing zip bombs (declared sizes checked before inflating,
    actual size while inflating)."""
    info = zf.getinfo(name)
    _check_size(zf, info)
    with zf.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError("File %s: member %s inflates past its declared size %d; refused."
                         % (zf.filename, name, info.file_size))
    return data


def read_weights(zf):
    names = zf.namelist()
    if "model.weights.h5" in names:
        h5py = h5_layout.require_h5py()
        with h5py.File(io.BytesIO(read_member(zf, "model.weights.h5")), "r") as f:
            return h5_layout.read_tree(f)
    if "model.weights.npz" in names:
        with np.load(io.BytesIO(read_member(zf, "model.weights.npz")),
                     allow_pickle=False) as data:
            return state.tree_from_npz_dict({k: data[k] for k in data.files})
    raise ValueError("The .keras file holds no weights (model.weights.h5 / model.weights.npz); "
                     "found %s" % names)


def model_config_dict(model):
    """config.json's content: what Keras 3 writes for a model."""
    from tfgraph_keras.saving.serialization import serialize_keras_object
    entry = serialize_keras_object(model)
    if entry["class_name"] == "Model":
        entry.update(class_name="Functional", registered_name="Functional",
                     module="keras.src.models.functional")
    inputs = getattr(model, "inputs", None) or []
    if inputs:
        shapes = [t.shape.as_list() for t in inputs]
        entry["build_config"] = {"input_shape": shapes[0] if len(shapes) == 1 else shapes}
    entry["compile_config"] = compile_config(model)
    return entry


def compile_config(model):
    """The arguments `compile` was called with (None when the model is not compiled)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    from tfgraph_keras import optimizers
    args = getattr(model, "_compile_args", None) or {}
    out = {"optimizer": optimizers.serialize(optimizer)}
    for key in ("loss", "metrics", "loss_weights", "weighted_metrics"):
        value = args.get(key)
        out[key] = value if _jsonable(value) else None
    return out


def _jsonable(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def save_model(model, path, include_optimizer=True):
    tree = state.value_tree(model, include_optimizer=include_optimizer)
    config = json.dumps(model_config_dict(model))
    if not include_optimizer:
        config = json.loads(config)
        config["compile_config"] = None
        config = json.dumps(config)
    metadata = json.dumps({
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "producer": "tfgraph_keras"})
    weights_name, weights = weights_bytes(tree)

    def write(tmp):
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr("metadata.json", metadata)
            zf.writestr("config.json", config)
            zf.writestr(weights_name, weights)
            for name, data in _assets(model):
                zf.writestr(name, data)
    atomic_write(path, write)


def _asset_layers(model):
    """(Keras path, layer) of the layers that save assets (lookup layers' vocabularies)."""
    found = []

    def walk(layer, path):
        if hasattr(layer, "save_assets"):
            found.append((path, layer))
            # Keras also visits layers held as attributes (TextVectorization's _lookup_layer)
            for attr, held in sorted(vars(layer).items()):
                if hasattr(held, "save_assets") and held is not layer:
                    found.append(("%s/%s" % (path, attr), held))
        for key, child in zip(h5_layout.container_keys(state.sublayers(layer) or []),
                              state.sublayers(layer) or []):
            walk(child, "%slayers/%s" % (path + "/" if path else "", key))
    walk(model, "")
    return found


def _assets(model):
    import tempfile
    out = []
    for path, layer in _asset_layers(model):
        with tempfile.TemporaryDirectory() as tmp:
            layer.save_assets(tmp)
            for name in sorted(os.listdir(tmp)):
                with open(os.path.join(tmp, name), "rb") as f:
                    out.append(("assets/%s/%s" % (path, name), f.read()))
    return out


def _load_assets(model, zf):
    import tempfile
    names = zf.namelist()
    for path, layer in _asset_layers(model):
        prefix = "assets/%s/" % path
        mine = [n for n in names if n.startswith(prefix) and "/" not in n[len(prefix):]]
        if not mine:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for n in mine:
                with open(os.path.join(tmp, n[len(prefix):]), "wb") as f:
                    f.write(read_member(zf, n))
            layer.load_assets(tmp)


def load_model(path, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    from tfgraph_keras.saving import serialization
    try:
        zf = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile as e:
        raise ValueError("File %s is not a valid .keras zip file: %s" % (path, e)) from None
    with zf:
        for info in zf.infolist():  # every member's declared size, before inflating any
            _check_size(zf, info)
        config = json.loads(read_member(zf, "config.json"))
        model = serialization.deserialize_keras_object(config, custom_objects, safe_mode)
        tree = read_weights(zf)
        _load_assets(model, zf)
    compiled = False
    if compile and config.get("compile_config"):
        compiled = restore_compile(model, config["compile_config"], custom_objects)
    state.assign_tree(model, tree, load_optimizer=compiled)
    return model


def restore_compile(model, compile_cfg, custom_objects=None):
    """compile() with the saved arguments, and the optimizer's variables created so its saved state
    can be loaded. Returns False when the arguments cannot be restored (e.g. a custom loss)."""
    import warnings

    from tfgraph_keras import optimizers
    kwargs = {k: v for k, v in compile_cfg.items() if k != "optimizer" and v is not None}
    loss = kwargs.get("loss")
    if isinstance(loss, dict) and "class_name" in loss or loss is None:
        warnings.warn("The model was compiled with a loss that cannot be restored from the file; "
                      "compile it again before training.", stacklevel=3)
        return False
    for name in ("loss", "metrics"):
        value = kwargs.get(name)
        if isinstance(value, str) and custom_objects and value in custom_objects:
            kwargs[name] = custom_objects[value]
    try:
        optimizer = optimizers.deserialize(compile_cfg["optimizer"])
        model.compile(optimizer=optimizer, **kwargs)
    except (ValueError, TypeError, KeyError) as e:
        warnings.warn("The saved compile arguments could not be restored (%s); the model is "
                      "loaded uncompiled: compile it before training." % (e,), stacklevel=3)
        return False
    build = getattr(model, "_build_optimizer_state", None) or getattr(
        model, "_make_train_function", None)
    if build is not None:
        build()
    return True
