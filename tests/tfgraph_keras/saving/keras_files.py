"""Writers of weight files exactly as real Keras writes them (shared/INTEROP.md section 3), with
h5py alone, so the readers are tested against the published layouts without Keras installed."""
import io
import json
import zipfile

import numpy as np

import pytest

try:
    import h5py
except ImportError:  # h5py is an optional extra: the .keras format then stores npz weights
    h5py = None

needs_h5py = pytest.mark.skipif(h5py is None, reason="h5py (optional extra) is not installed")


def write_keras3_weights(path_or_file, layers, optimizer=None, model_name="functional"):
    """`layers`: [(key, layer_name, [arrays])] in model.layers order -> Keras 3 .weights.h5."""
    with h5py.File(path_or_file, "w") as f:
        root_vars = f.create_group("vars")
        root_vars.attrs["name"] = model_name
        group = f.create_group("layers")
        for key, name, arrays in layers:
            g = group.create_group(key).create_group("vars")
            g.attrs["name"] = name
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=a)
        if optimizer is not None:
            g = f.create_group("optimizer").create_group("vars")
            g.attrs["name"] = "adam"
            for i, a in enumerate(optimizer):
                g.create_dataset(str(i), data=a)


def write_keras2_h5(path, layers, model_config=None, keras_version=b"2.15.0"):
    """`layers`: [(layer_name, [(weight_name, array)])]. Keras 2 stores attrs as fixed-length bytes;
    save_weights puts layer_names at the root, model.save under model_weights/ with model_config."""
    with h5py.File(path, "w") as f:
        if model_config is not None:
            f.attrs["backend"] = b"tensorflow"
            f.attrs["keras_version"] = keras_version
            f.attrs["model_config"] = json.dumps(model_config).encode()
            g = f.create_group("model_weights")
        else:
            g = f
        g.attrs["layer_names"] = np.array([n.encode() for n, _ in layers])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = keras_version
        for name, weights in layers:
            lg = g.create_group(name)
            lg.attrs["weight_names"] = np.array([w.encode() for w, _ in weights], dtype="S")
            for w, a in weights:
                lg.create_dataset(w, data=a)


def write_keras_zip(path, config, layers):
    buf = io.BytesIO()
    write_keras3_weights(buf, layers)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1",
                                                "date_saved": "2026-11-22@03:39:55"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buf.getvalue())


def _dtype_policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
            "registered_name": None}


def _init(cls):
    return {"module": "keras.initializers", "class_name": cls, "config": {"seed": None}
            if cls.startswith("Glorot") else {}, "registered_name": None}


def _tensor(layer, shape):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape, "dtype": "float32", "keras_history": [layer, 0, 0]}}


def keras3_cnn_config():
    """config.json of a Keras 3.15 functional model: Input(6,6,2) -> Conv2D(3, 3, same, relu, name
    'conv') -> BatchNormalization('bn') -> MaxPooling2D -> Flatten -> Dense(4, softmax, 'head')."""
    def entry(cls, name, config, inbound, shape):
        return {"module": "keras.layers", "class_name": cls,
                "config": {"name": name, "trainable": True, "dtype": _dtype_policy(), **config},
                "registered_name": None, "build_config": {"input_shape": shape}, "name": name,
                "inbound_nodes": [{"args": [_tensor(inbound, shape)], "kwargs": {}}]}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 6, 6, 2], "dtype": "float32", "sparse": False,
                    "ragged": False, "name": "img"}, "registered_name": None, "name": "img",
         "inbound_nodes": []},
        entry("Conv2D", "conv", {"filters": 3, "kernel_size": [3, 3], "strides": [1, 1],
                                 "padding": "same", "data_format": "channels_last",
                                 "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
                                 "use_bias": True, "kernel_initializer": _init("GlorotUniform"),
                                 "bias_initializer": _init("Zeros"), "kernel_regularizer": None,
                                 "bias_regularizer": None, "activity_regularizer": None,
                                 "kernel_constraint": None, "bias_constraint": None},
              "img", [None, 6, 6, 2]),
        entry("BatchNormalization", "bn", {"axis": -1, "momentum": 0.99, "epsilon": 0.001,
                                           "center": True, "scale": True,
                                           "beta_initializer": _init("Zeros"),
                                           "gamma_initializer": _init("Ones"),
                                           "moving_mean_initializer": _init("Zeros"),
                                           "moving_variance_initializer": _init("Ones"),
                                           "beta_regularizer": None, "gamma_regularizer": None,
                                           "beta_constraint": None, "gamma_constraint": None,
                                           "synchronized": False},
              "conv", [None, 6, 6, 3]),
        entry("MaxPooling2D", "pool", {"pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                                       "data_format": "channels_last"}, "bn", [None, 6, 6, 3]),
        entry("Flatten", "flat", {"data_format": "channels_last"}, "pool", [None, 3, 3, 3]),
        entry("Dense", "head", {"units": 4, "activation": "softmax", "use_bias": True,
                                "kernel_initializer": _init("GlorotUniform"),
                                "bias_initializer": _init("Zeros"), "kernel_regularizer": None,
                                "bias_regularizer": None, "kernel_constraint": None,
                                "bias_constraint": None, "lora_rank": None,
                                "quantization_config": None}, "flat", [None, 27]),
    ]
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": {"name": "cnn", "trainable": True, "layers": layers,
                       "input_layers": [["img", 0, 0]], "output_layers": [["head", 0, 0]]},
            "registered_name": "Functional", "build_config": {"input_shape": [None, 6, 6, 2]},
            "compile_config": None}


def cnn_weights(rng):
    return {"conv": [rng.randn(3, 3, 2, 3).astype(np.float32), rng.randn(3).astype(np.float32)],
            "bn": [rng.rand(3).astype(np.float32) + 0.5, rng.randn(3).astype(np.float32),
                   rng.randn(3).astype(np.float32), rng.rand(3).astype(np.float32) + 0.5],
            "head": [rng.randn(27, 4).astype(np.float32), rng.randn(4).astype(np.float32)]}


def cnn_forward(x, w):
    """numpy forward pass of keras3_cnn_config's model (the maths of INTEROP's kernel table)."""
    k, kb = w["conv"]
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    c = np.zeros(x.shape[:3] + (3,))
    for i in range(6):
        for j in range(6):
            c[:, i, j] = np.einsum("nhwc,hwcf->nf", xp[:, i:i + 3, j:j + 3], k)
    c = np.maximum(c + kb, 0)
    g, b, mu, var = w["bn"]
    c = g * (c - mu) / np.sqrt(var + 1e-3) + b
    p = c.reshape(-1, 3, 2, 3, 2, 3).max(axis=(2, 4))
    z = p.reshape(len(x), -1) @ w["head"][0] + w["head"][1]
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)
