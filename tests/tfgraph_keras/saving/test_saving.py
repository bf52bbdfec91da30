import json
import os
import zipfile

import numpy as np
import pytest

from tfgraph_keras import backend, layers
from tfgraph_keras.models.functional import Model
from tfgraph_keras.saving import keras_zip, load_model, model_from_json, SafeModeError
from tests.tfgraph_keras.saving import keras_files
from tests.tfgraph_keras.saving.keras_files import h5py, needs_h5py

RNG = np.random.RandomState(0)
X = RNG.rand(64, 4).astype(np.float32)
Y = RNG.randint(0, 3, 64)


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def _mlp(names=("hidden", "bn", "out"), dropout=True):
    x = layers.Input((4,))
    h = layers.Dense(8, activation="relu", name=names[0])(x)
    h = layers.BatchNormalization(name=names[1])(h)
    if dropout:  # its random masks are not model state: a resumed run draws other ones
        h = layers.Dropout(0.2)(h)
    y = layers.Dense(3, activation="softmax", name=names[2])(h)
    return Model(x, y)


def _trained(dropout=True):
    model = _mlp(dropout=dropout)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    return model


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for u, v in zip(wa, wb):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("use_h5", [pytest.param(True, marks=needs_h5py), False])
def test_keras_zip_round_trip_and_exact_resume(tmp_path, monkeypatch, use_h5):
    monkeypatch.setattr(keras_zip, "_have_h5py", lambda: use_h5)
    model = _trained(dropout=False)
    before = model.predict(X, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        config = json.loads(z.read("config.json"))
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
    assert names == {"metadata.json", "config.json",
                     "model.weights.h5" if use_h5 else "model.weights.npz"}
    assert config["class_name"] == "Functional" and config["compile_config"]["loss"] == \
        "sparse_categorical_crossentropy"
    restored = load_model(path)
    np.testing.assert_array_equal(restored.predict(X, verbose=0), before)
    assert [w.shape for w in restored.optimizer.get_weights()] == \
        [w.shape for w in model.optimizer.get_weights()]
    # Training goes on exactly as it would have without the save (Adam moments, step count).
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    restored.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    _same_weights(model, restored)


def test_load_model_without_compile(tmp_path):
    model = _trained()
    model.save(tmp_path / "m.keras")
    restored = load_model(tmp_path / "m.keras", compile=False)
    assert restored.optimizer is None
    np.testing.assert_array_equal(restored.predict(X, verbose=0), model.predict(X, verbose=0))


@needs_h5py
def test_weights_h5_layout_and_load_into_renamed_model(tmp_path):
    model = _trained()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert sorted(f["layers"]) == ["batch_normalization", "dense", "dense_1", "dropout",
                                       "input_layer"]
        assert f["layers/dense/vars"].attrs["name"] == "hidden"
        assert [f["layers/batch_normalization/vars"][str(i)].shape for i in range(4)] == [(8,)] * 4
        assert f["optimizer/vars/0"].dtype == np.int64 and f["optimizer/vars/0"][()] == 8
        assert len(f["layers/dropout/vars"]) == 0
    other = _mlp(names=("a", "b", "c"))  # other layer names: matched by class key and order
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))


@needs_h5py
def test_save_weights_rejects_other_names(tmp_path):
    with pytest.raises(ValueError, match=".weights.h5"):
        _mlp().save_weights(tmp_path / "w.ckpt")


@needs_h5py
def test_load_weights_shape_mismatch_names_the_layer(tmp_path):
    _mlp().save_weights(tmp_path / "w.weights.h5")
    x = layers.Input((4,))
    wrong = Model(x, layers.Dense(3)(layers.BatchNormalization()(layers.Dense(5)(x))))
    with pytest.raises(ValueError, match="Layer 'dense_.*' weight .* has shape \\(4, 5\\)"):
        wrong.load_weights(tmp_path / "w.weights.h5")


@needs_h5py
def test_reads_keras3_weights_file(tmp_path):
    w = keras_files.cnn_weights(RNG)
    path = tmp_path / "cnn.weights.h5"
    keras_files.write_keras3_weights(path, [
        ("input_layer", "img", []), ("conv2d", "conv", w["conv"]),
        ("batch_normalization", "bn", w["bn"]), ("max_pooling2d", "pool", []),
        ("flatten", "flat", []), ("dense", "head", w["head"])])
    model = load_model_from_config_only()
    model.load_weights(path)
    x = RNG.rand(5, 6, 6, 2).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), keras_files.cnn_forward(x, w),
                               rtol=1e-4, atol=1e-6)


def load_model_from_config_only():
    from tfgraph_keras.saving import model_from_config
    return model_from_config(keras_files.keras3_cnn_config())


@needs_h5py
def test_reads_keras3_dot_keras_file(tmp_path):
    w = keras_files.cnn_weights(RNG)
    path = tmp_path / "cnn.keras"
    keras_files.write_keras_zip(path, keras_files.keras3_cnn_config(), [
        ("input_layer", "img", []), ("conv2d", "conv", w["conv"]),
        ("batch_normalization", "bn", w["bn"]), ("max_pooling2d", "pool", []),
        ("flatten", "flat", []), ("dense", "head", w["head"])])
    model = load_model(path)
    assert [layer.name for layer in model.layers] == ["img", "conv", "bn", "pool", "flat", "head"]
    x = RNG.rand(3, 6, 6, 2).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), keras_files.cnn_forward(x, w),
                               rtol=1e-4, atol=1e-6)


@needs_h5py
def test_reads_keras2_h5_weights_following_layer_names(tmp_path):
    w = keras_files.cnn_weights(RNG)
    path = tmp_path / "cnn_w.h5"
    # Keras 2 (tf.keras) save_weights: names like 'conv/kernel:0'; the file's layer order decides.
    keras_files.write_keras2_h5(path, [
        ("img", []),
        ("conv", [("conv/kernel:0", w["conv"][0]), ("conv/bias:0", w["conv"][1])]),
        ("bn", [("bn/gamma:0", w["bn"][0]), ("bn/beta:0", w["bn"][1]),
                ("bn/moving_mean:0", w["bn"][2]), ("bn/moving_variance:0", w["bn"][3])]),
        ("pool", []), ("flat", []),
        ("head", [("head/kernel:0", w["head"][0]), ("head/bias:0", w["head"][1])])])
    model = load_model_from_config_only()
    model.load_weights(path)
    x = RNG.rand(2, 6, 6, 2).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), keras_files.cnn_forward(x, w),
                               rtol=1e-4, atol=1e-6)


@needs_h5py
def test_reads_keras2_full_model_h5(tmp_path):
    w = [RNG.randn(4, 5).astype(np.float32), RNG.randn(5).astype(np.float32),
         RNG.randn(5, 2).astype(np.float32), RNG.randn(2).astype(np.float32)]
    config = {"class_name": "Model", "config": {
        "name": "mlp", "layers": [
            {"class_name": "InputLayer", "name": "x", "inbound_nodes": [], "config": {
                "batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                "name": "x"}},
            {"class_name": "Dense", "name": "h", "inbound_nodes": [[["x", 0, 0, {}]]],
             "config": {"name": "h", "trainable": True, "dtype": "float32", "units": 5,
                        "activation": "tanh", "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform",
                                               "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None, "bias_regularizer": None,
                        "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}},
            {"class_name": "Dense", "name": "y", "inbound_nodes": [[["h", 0, 0, {}]]],
             "config": {"name": "y", "trainable": True, "dtype": "float32", "units": 2,
                        "activation": "linear", "use_bias": True}}],
        "input_layers": [["x", 0, 0]], "output_layers": [["y", 0, 0]]}}
    path = tmp_path / "mlp.h5"
    keras_files.write_keras2_h5(path, [
        ("x", []), ("h", [("h/kernel:0", w[0]), ("h/bias:0", w[1])]),
        ("y", [("y/kernel:0", w[2]), ("y/bias:0", w[3])])], model_config=config)
    model = load_model(path)
    np.testing.assert_allclose(model.predict(X, verbose=0), np.tanh(X @ w[0] + w[1]) @ w[2] + w[3],
                               rtol=1e-5, atol=1e-6)


@needs_h5py
def test_legacy_h5_round_trip(tmp_path):
    model = _trained()
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert "model_config" in f.attrs and "layer_names" in f["model_weights"].attrs
        assert [n.decode() for n in f["model_weights/hidden"].attrs["weight_names"]] == [
            "hidden/kernel:0", "hidden/bias:0"]
    restored = load_model(tmp_path / "m.h5")
    np.testing.assert_array_equal(restored.predict(X, verbose=0), model.predict(X, verbose=0))
    model.save_weights(tmp_path / "w.h5")
    fresh = _mlp()
    fresh.load_weights(tmp_path / "w.h5")
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))


def test_json_round_trip():
    model = _mlp()
    clone = model_from_json(model.to_json())
    assert [type(a) for a in clone.layers] == [type(a) for a in model.layers]
    assert [a.name for a in clone.layers] == [a.name for a in model.layers]
    assert clone.count_params() == model.count_params()


def test_lambda_model_loads_only_with_safe_mode_false(tmp_path):
    x = layers.Input((4,))
    model = Model(x, layers.Dense(2)(layers.Lambda(lambda t: t * 2.0 - 1.0)(x)))
    model.save(tmp_path / "lam.keras")
    with pytest.raises(SafeModeError, match="safe_mode=False"):
        load_model(tmp_path / "lam.keras")
    restored = load_model(tmp_path / "lam.keras", safe_mode=False)
    np.testing.assert_array_equal(restored.predict(X, verbose=0), model.predict(X, verbose=0))


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model = _trained()
    path = tmp_path / "m.keras"
    model.save(path)
    good = path.read_bytes()

    def boom(tree, use_h5=None):
        raise OSError("disk full")
    monkeypatch.setattr(keras_zip, "weights_bytes", boom)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["m.keras"]


def test_not_a_model_file(tmp_path):
    p = tmp_path / "x.keras"
    p.write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not a `.keras` zip archive"):
        load_model(p)
    q = tmp_path / "x.bin"
    q.write_bytes(b"hello world")
    with pytest.raises(ValueError, match="File format not supported"):
        load_model(q)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.keras")


@needs_h5py
def test_sequential_round_trips(tmp_path):
    from tfgraph_keras.models import Sequential
    model = Sequential([layers.Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)),
                        layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3)])
    model.compile("sgd", "mse")
    x = RNG.rand(8, 6, 6, 1).astype(np.float32)
    model.fit(x, RNG.rand(8, 3).astype(np.float32), epochs=1, verbose=0)
    for name in ("s.keras", "s.h5"):
        model.save(tmp_path / name)
        restored = load_model(tmp_path / name)
        assert type(restored) is Sequential
        np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    clone = model_from_json(model.to_json())
    assert type(clone) is Sequential and clone.count_params() == model.count_params()


@needs_h5py
def test_reads_keras3_sequential_keras_file(tmp_path):
    k = RNG.randn(4, 2).astype(np.float32)
    b = RNG.randn(2).astype(np.float32)
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "seq", "trainable": True, "dtype": keras_files._dtype_policy(),
                         "layers": [
                             {"module": "keras.layers", "class_name": "InputLayer",
                              "config": {"batch_shape": [None, 4], "dtype": "float32",
                                         "sparse": False, "ragged": False, "name": "input_layer"},
                              "registered_name": None},
                             {"module": "keras.layers", "class_name": "Dense",
                              "config": {"name": "d", "trainable": True,
                                         "dtype": keras_files._dtype_policy(), "units": 2,
                                         "activation": "sigmoid", "use_bias": True,
                                         "kernel_initializer": keras_files._init("GlorotUniform"),
                                         "bias_initializer": keras_files._init("Zeros"),
                                         "kernel_regularizer": None, "bias_regularizer": None,
                                         "kernel_constraint": None, "bias_constraint": None,
                                         "lora_rank": None},
                              "registered_name": None, "build_config": {"input_shape": [None, 4]}}],
                         "build_input_shape": [None, 4]},
              "build_config": {"input_shape": [None, 4]}, "compile_config": None}
    keras_files.write_keras_zip(tmp_path / "seq.keras", config, [("dense", "d", [k, b])])
    model = load_model(tmp_path / "seq.keras")
    np.testing.assert_allclose(model.predict(X, verbose=0), 1 / (1 + np.exp(-(X @ k + b))),
                               rtol=1e-5, atol=1e-6)


@needs_h5py
def test_keras3_file_with_compile_config_and_adam_state_trains(tmp_path):
    """A .keras file as Keras 3.15 writes it after training: compile_config + optimizer/vars."""
    w = keras_files.cnn_weights(RNG)
    config = keras_files.keras3_cnn_config()
    config["compile_config"] = {
        "optimizer": {"module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
                      "config": {"name": "adam", "learning_rate": 0.01, "weight_decay": None,
                                 "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                                 "use_ema": False, "ema_momentum": 0.99,
                                 "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                 "gradient_accumulation_steps": None, "beta_1": 0.9,
                                 "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}},
        "loss": "sparse_categorical_crossentropy", "loss_weights": None, "metrics": ["accuracy"],
        "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
        "jit_compile": False}
    trainable = w["conv"] + w["bn"][:2] + w["head"]
    moments = [a for v in trainable for a in (np.full_like(v, 0.01), np.full_like(v, 0.02))]
    opt = [np.int64(7), np.float32(0.01)] + moments   # iteration, learning_rate, (m, v) per var
    buf_layers = [("input_layer", "img", []), ("conv2d", "conv", w["conv"]),
                  ("batch_normalization", "bn", w["bn"]), ("max_pooling2d", "pool", []),
                  ("flatten", "flat", []), ("dense", "head", w["head"])]
    import io
    buf = io.BytesIO()
    keras_files.write_keras3_weights(buf, buf_layers, optimizer=opt, model_name="cnn")
    with zipfile.ZipFile(tmp_path / "cnn.keras", "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buf.getvalue())
    model = load_model(tmp_path / "cnn.keras")
    assert type(model.optimizer).__name__ == "Adam"
    from tfgraph_keras.saving.state import optimizer_variables
    ordered = backend.batch_get_value(optimizer_variables(model.optimizer, model))
    assert ordered[0] == 7 and len(ordered) == len(opt)
    for got, want in zip(ordered[2:], moments):  # m then v per variable, in Keras's order
        np.testing.assert_allclose(got, want)
    x = RNG.rand(8, 6, 6, 2).astype(np.float32)
    hist = model.fit(x, RNG.randint(0, 4, 8), epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2 and model.optimizer.iterations.eval(
        session=backend.get_session()) == 9


@needs_h5py
def test_nested_model_layout_and_round_trips(tmp_path):
    from tfgraph_keras.models import Sequential
    inner = Sequential([layers.Dense(5, activation="relu", input_shape=(4,)), layers.Dense(3)])
    x = layers.Input((4,))
    shared = layers.Dense(3, name="shared")
    y = layers.add([shared(inner(x)), shared(layers.Dense(3, name="side")(x))])
    model = Model(x, y)
    path = tmp_path / "nested.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:  # counters restart inside the nested container
        assert sorted(f["layers/sequential/layers"]) == ["dense", "dense_1"]
        assert f["layers/sequential/layers/dense/vars/0"].shape == (4, 5)
        keys = sorted(k for k in f["layers"] if k.startswith("dense"))
        assert keys == ["dense", "dense_1"]  # the shared layer is stored once
        assert {f["layers"][k]["vars"].attrs["name"] for k in keys} == {"shared", "side"}
    expected = model.predict(X, verbose=0)
    for name in ("nested.keras", "nested.h5"):
        model.save(tmp_path / name)
        np.testing.assert_array_equal(load_model(tmp_path / name).predict(X, verbose=0), expected)


@needs_h5py
def test_reads_keras3_legacy_h5_model(tmp_path):
    """Keras 3 model.save("m.h5"): str attrs, Keras 3 config, datasets at <layer>/<model>/..."""
    k = RNG.randn(4, 2).astype(np.float32)
    b = RNG.randn(2).astype(np.float32)
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "seq", "trainable": True, "dtype": keras_files._dtype_policy(),
                         "layers": [
                             {"module": "keras.layers", "class_name": "InputLayer",
                              "config": {"batch_shape": [None, 4], "dtype": "float32",
                                         "name": "input_layer"}, "registered_name": None},
                             {"module": "keras.layers", "class_name": "Dense",
                              "config": {"name": "d", "trainable": True, "units": 2,
                                         "dtype": keras_files._dtype_policy(),
                                         "activation": "tanh", "use_bias": True},
                              "registered_name": None}]}}
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "3.15.1"
        f.attrs["model_config"] = json.dumps(config)
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = ["d"]
        layer = g.create_group("d")
        layer.attrs["weight_names"] = ["seq/d/kernel", "seq/d/bias"]
        layer.create_dataset("seq/d/kernel", data=k)
        layer.create_dataset("seq/d/bias", data=b)
    model = load_model(tmp_path / "m.h5")
    np.testing.assert_allclose(model.predict(X, verbose=0), np.tanh(X @ k + b), rtol=1e-5,
                               atol=1e-6)


def test_saved_file_gets_the_usual_permissions(tmp_path):
    _mlp().save(tmp_path / "m.keras")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "m.keras").stat().st_mode & 0o777 == 0o666 & ~umask
