"""save_model / load_model / save_weights / load_weights / to_json / model_from_json.

Formats, chosen by the file name as Keras does:
  `x.keras`          native zip (architecture + weights + optimizer state), see keras_zip.py
  `x.weights.h5`     Keras 3 weights layout (h5py needed)
  `x.h5` / `x.hdf5`  legacy Keras HDF5: a full model (model.save) or weights (save_weights)
Other names given to `model.save` get the `.keras` format (Keras 3 refuses them; we accept them
with the native format). Reading accepts files written by real Keras 3 and Keras 2 for the layers
tfgraph_keras has.
"""
import contextlib
import json
import os
import struct
import zipfile
import zlib

import numpy as np

from tfgraph_keras import backend
from tfgraph_keras.saving import h5 as h5_layout
from tfgraph_keras.saving import keras_zip, serialization, state


def _is_h5(path):
    return str(path).endswith((".h5", ".hdf5", ".keras.h5"))


# -- full models -----------------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    """model.save(filepath): '.keras' zip, or the legacy HDF5 file for '.h5'/'.hdf5' names."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError("File %s exists and overwrite=False." % filepath)
    if save_format == "h5" or (save_format is None and _is_h5(filepath)):
        return _save_legacy_h5(model, filepath, include_optimizer)
    keras_zip.save_model(model, filepath, include_optimizer=include_optimizer)


@contextlib.contextmanager
def _reading(filepath):
    """Turns the low-level errors of a damaged file (zip, HDF5, JSON, missing keys) into one
    ValueError naming the file and what went wrong; missing files and permissions pass as is."""
    try:
        yield
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, EOFError, zlib.error,
            struct.error, json.JSONDecodeError, UnicodeDecodeError) as e:
        what = "missing entry %s" % e if type(e) is KeyError else "%s: %s" % (type(e).__name__, e)
        raise ValueError("Cannot load %s: the file is damaged or not a Keras file (%s)."
                         % (filepath, what)) from e


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """keras.models.load_model: a '.keras' zip (ours or Keras 3's) or a legacy '.h5' model.

    Lambda layers with Python code only load with safe_mode=False.
    """
    with _reading(filepath):
        return _load_model(filepath, custom_objects, compile, safe_mode)


def _load_model(filepath, custom_objects, compile, safe_mode):  # noqa: A002
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError("No file or directory found at %s" % filepath)
    with open(filepath, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"PK"):
        return keras_zip.load_model(filepath, custom_objects, compile, safe_mode)
    if magic == b"\x89HDF\r\n\x1a\n":
        return _load_legacy_h5(filepath, custom_objects, compile, safe_mode)
    if _is_h5(filepath):  # Keras 3 lets h5py say "file signature not found"
        raise OSError("not an HDF5 file (file signature not found; its first bytes are %r)"
                      % magic)
    if filepath.endswith(".keras"):
        raise ValueError("Unable to open file %s: not a `.keras` zip archive (its first bytes "
                         "are %r). The file is damaged or was not written by Keras."
                         % (filepath, magic))
    raise ValueError("File format not supported: filepath=%s. Keras 3 only supports V3 `.keras` "
                     "files and legacy H5 format files (`.h5` extension)." % filepath)


# -- weights ---------------------------------------------------------------------------------------
def save_weights(model, filepath, overwrite=True, save_format=None):
    """'.weights.h5' (Keras 3 layout) or, for other '.h5' names, the legacy Keras 2 layout."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError("File %s exists and overwrite=False." % filepath)
    h5py = h5_layout.require_h5py()
    if filepath.endswith(".weights.h5"):
        tree = state.value_tree(model, include_optimizer=True)

        def write(tmp):
            with h5py.File(tmp, "w") as f:
                h5_layout.write_tree(f, tree)
    elif _is_h5(filepath) or save_format == "h5":
        layers = _legacy_layer_weights(model)

        def write(tmp):
            with h5py.File(tmp, "w") as f:
                h5_layout.write_legacy_weights(f, layers)
    else:
        raise ValueError("The filename must end in `.weights.h5` (Keras 3 layout) or `.h5` (legacy "
                         "layout). Received: filepath=%s" % filepath)
    keras_zip.atomic_write(filepath, write)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Loads weights saved by tfgraph_keras, Keras 3 (.weights.h5, .keras) or Keras 2 (.h5)."""
    with _reading(filepath):
        _load_weights(model, filepath, by_name, skip_mismatch)


def _load_weights(model, filepath, by_name, skip_mismatch):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError("No file or directory found at %s" % filepath)
    with open(filepath, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"PK"):
        with zipfile.ZipFile(filepath) as zf:
            tree = keras_zip.read_weights(zf)
        state.assign_tree(model, tree, load_optimizer=False, skip_mismatch=skip_mismatch)
        return
    h5py = h5_layout.require_h5py()
    with h5py.File(filepath, "r") as f:
        if h5_layout.is_legacy_file(f):
            saved = h5_layout.read_legacy_weights(h5_layout.legacy_weights_group(f))
            _assign_legacy(model, saved, by_name, skip_mismatch)
        else:
            state.assign_tree(model, h5_layout.read_tree(f), load_optimizer=True,
                              skip_mismatch=skip_mismatch)


# -- legacy HDF5 -----------------------------------------------------------------------------------
def _legacy_layer_weights(model):
    """[(layer name, [(weight name, value)])] for every layer of the model, in model order."""
    layers = list(getattr(model, "layers", []))
    variables = [v for layer in layers for v in _legacy_vars(layer)]
    values = iter(backend.batch_get_value(variables) if variables else [])
    return [(layer.name, [(v.name, np.asarray(next(values))) for v in _legacy_vars(layer)])
            for layer in layers]


def _legacy_vars(layer):
    """Keras 2 saves a layer's `weights` (a nested model: all its weights) in that order."""
    children = state.sublayers(layer)
    if children is None:
        return state.nested_variables(layer)
    return [v for c in children for v in _legacy_vars(c)]


def _assign_legacy(model, saved, by_name, skip_mismatch):
    layers = [layer for layer in model.layers if _legacy_vars(layer)]
    pairs = []
    if by_name:
        by = {name: values for name, values in saved}
        for layer in layers:
            if layer.name in by:
                pairs.extend(_pair(layer, by[layer.name], skip_mismatch))
    else:
        saved = [(name, values) for name, values in saved if values]
        if len(saved) != len(layers):
            raise ValueError("Layer count mismatch when loading weights from file. Model expected "
                             "%d layers with weights, found %d saved layers with weights."
                             % (len(layers), len(saved)))
        for layer, (_, values) in zip(layers, saved):
            pairs.extend(_pair(layer, values, skip_mismatch))
    backend.batch_set_value(pairs)


def _pair(layer, values, skip_mismatch):
    variables = _legacy_vars(layer)
    if len(values) != len(variables):
        if skip_mismatch:
            return []
        raise ValueError("Layer '%s' expects %d weight(s), but the saved weights have %d "
                         "element(s)." % (layer.name, len(variables), len(values)))
    for v, a in zip(variables, values):
        if tuple(v.shape.as_list()) != tuple(a.shape):
            if skip_mismatch:
                return []
            raise ValueError("Shape mismatch in layer '%s' for weight %s: the weight has shape %s, "
                             "the saved value %s." % (layer.name, v.name,
                                                      tuple(v.shape.as_list()), a.shape))
    return [(v, np.asarray(a, dtype=v.dtype.np)) for v, a in zip(variables, values)]


def _save_legacy_h5(model, filepath, include_optimizer):
    h5py = h5_layout.require_h5py()
    layers = _legacy_layer_weights(model)
    model_config = json.dumps({"class_name": _class_name(model), "config": model.get_config()})
    training = keras_zip.compile_config(model) if include_optimizer else None
    opt_vars = state.optimizer_variables(getattr(model, "optimizer", None), model) \
        if include_optimizer else []
    opt_values = backend.batch_get_value(opt_vars) if opt_vars else []

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            f.attrs["backend"] = "tensorflow"
            f.attrs["keras_version"] = "2.15.0"
            f.attrs["model_config"] = model_config
            if training is not None:
                f.attrs["training_config"] = json.dumps(
                    {"optimizer_config": training["optimizer"],
                     **{k: v for k, v in training.items() if k != "optimizer"}})
            h5_layout.write_legacy_weights(f.create_group("model_weights"), layers)
            if opt_vars:
                g = f.create_group("optimizer_weights")
                h5_layout.write_attr_list(g, "weight_names", [v.name for v in opt_vars])
                for v, value in zip(opt_vars, opt_values):
                    h5_layout.create_weight(g, v.name, value)
    keras_zip.atomic_write(filepath, write)


def _load_legacy_h5(filepath, custom_objects, compile, safe_mode):  # noqa: A002
    h5py = h5_layout.require_h5py()
    with h5py.File(filepath, "r") as f:
        config = h5_layout.legacy_model_config(f)
        if config is None:
            raise ValueError("No model config found in the file at %s (a weights-only file: build "
                             "the model and use load_weights)." % filepath)
        training = f.attrs.get("training_config")
        saved = h5_layout.read_legacy_weights(h5_layout.legacy_weights_group(f))
        opt_saved = None
        if "optimizer_weights" in f:
            g = h5_layout.member(f, "optimizer_weights")
            opt_saved = [h5_layout.read_weight(h5_layout.member(g, n))
                         for n in h5_layout.read_attr_list(g, "weight_names")]
    model = serialization.deserialize_keras_object(config, custom_objects, safe_mode)
    _assign_legacy(model, saved, by_name=False, skip_mismatch=False)
    if compile and training is not None:
        cfg = json.loads(h5_layout._text(training))
        compile_cfg = {"optimizer": cfg.get("optimizer_config"),
                       **{k: cfg.get(k) for k in ("loss", "metrics", "loss_weights")}}
        if compile_cfg["optimizer"] is not None:
            try:
                ok = keras_zip.restore_compile(model, compile_cfg, custom_objects)
            except (ValueError, TypeError, KeyError):
                ok = False  # a Keras training_config we cannot map: load uncompiled, as Keras 3
            if ok and opt_saved:
                opt_vars = state.optimizer_variables(model.optimizer, model)
                if len(opt_vars) == len(opt_saved):
                    backend.batch_set_value(list(zip(opt_vars, opt_saved)))
    return model


def _class_name(model):
    name = type(model).__name__
    return "Functional" if name == "Model" else name


# -- JSON ------------------------------------------------------------------------------------------
def model_to_json(model, **kwargs):
    """The architecture as JSON (Keras's to_json): class name, config, versions."""
    return json.dumps({"module": "keras", "class_name": _class_name(model),
                       "config": model.get_config(), "backend": "tensorflow",
                       "keras_version": keras_zip.KERAS_FORMAT_VERSION}, **kwargs)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    return model_from_config(json.loads(json_string), custom_objects, safe_mode)


def model_from_config(config, custom_objects=None, safe_mode=True):
    return serialization.deserialize_keras_object(config, custom_objects, safe_mode)


to_json = model_to_json
