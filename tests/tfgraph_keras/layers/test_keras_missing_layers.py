"""The layers issue 19 found missing: attention, regularization, reshaping, 1-D transposed and
separable convolutions. Values, weight names/shapes and files against Keras 3.15 fixtures
(tests/reference/make_keras_layers_missing.py; its build_* functions build the same models here),
plus numpy references, gradients, config round trips and errors.
"""
import json
import os
import re
import sys

import numpy as np
import pytest

import tfgraph_keras as keras
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer
from tests.tfgraph_keras.saving.keras_files import needs_h5py
from tfgraph_keras import backend, layers

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_keras_layers_missing as ref_models

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
RNG = np.random.RandomState(3)


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def fixture(name):
    with np.load(os.path.join(DATA, "keras_layers_missing_%s.npz" % name)) as f:
        return {k: f[k] for k in f.files}


def xs_of(ref):
    xs = [ref["x%d" % i] for i in range(len([k for k in ref if re.fullmatch(r"x\d+", k)]))]
    return xs if len(xs) > 1 else xs[0]


def ys_of(ref):
    return [ref["y%d" % i] for i in range(len([k for k in ref if re.fullmatch(r"y\d+", k)]))]


def outputs(model, x):
    y = model.predict(x, verbose=0)
    return y if isinstance(y, list) else [y]


def _norm(path):
    return "/".join(re.sub(r"_\d+$", "", p) for p in path.split(":")[0].split("/"))


def set_fixture_weights(model, ref):
    """The weights the generator set: the same seeded draws in Keras's weight order."""
    rng = np.random.RandomState(7)
    shapes = json.loads(str(ref["weight_shapes"]))
    assert [w.shape.as_list() for w in model.weights] == shapes
    model.set_weights([np.asarray(rng.randn(*s) * 0.5, np.float32) for s in shapes])


def check_against_keras(name, rtol=1e-5, atol=1e-5):
    ref = fixture(name)
    model = getattr(ref_models, "build_" + name)(keras)
    set_fixture_weights(model, ref)
    assert [_norm(w.name) for w in model.weights] == [
        _norm(p) for p in json.loads(str(ref["weight_paths"]))]
    got = outputs(model, xs_of(ref))
    want = ys_of(ref)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return model, ref


# -- attention -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["attention", "attention_masked", "mha", "mha_masked"])
def test_attention_layers_match_keras(name):
    check_against_keras(name)


@needs_h5py
@pytest.mark.parametrize("name", ["attention", "mha"])
def test_keras3_attention_weights_h5_loads(name):
    ref = fixture(name)
    model = getattr(ref_models, "build_" + name)(keras)
    model.load_weights(os.path.join(DATA, "keras_layers_missing_%s.weights.h5" % name))
    for g, w in zip(outputs(model, xs_of(ref)), ys_of(ref)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@needs_h5py
@pytest.mark.parametrize("name", ["attention", "mha", "mha_masked"])
def test_keras3_attention_model_files_load(name, tmp_path):
    ref = fixture(name)
    model = keras.models.load_model(os.path.join(DATA, "keras_layers_missing_%s.keras" % name))
    for g, w in zip(outputs(model, xs_of(ref)), ys_of(ref)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    # ... and what tfgraph writes loads back the same (call flags and key/mask inputs kept)
    path = str(tmp_path / "m.keras")
    model.save(path)
    if name.startswith("mha"):   # Keras 3 calls MultiHeadAttention(query, value, key=...)
        import zipfile
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
        mha = [lay for lay in config["config"]["layers"]
               if lay["class_name"] == "MultiHeadAttention"]
        nodes = [lay["inbound_nodes"][0] for lay in mha]
        assert all(len(n["args"]) == 2 for n in nodes)
        if name == "mha":
            assert nodes[1]["kwargs"]["key"]["config"]["keras_history"][0] == "input_layer_2" \
                and nodes[1]["kwargs"]["return_attention_scores"] is True
            assert nodes[2]["kwargs"] == {"use_causal_mask": True}
            assert "attention_mask" in nodes[3]["kwargs"] and "key" not in nodes[3]["kwargs"]
    backend.clear_session()
    again = keras.models.load_model(path)
    for g, w in zip(outputs(again, xs_of(ref)), ys_of(ref)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@needs_h5py
def test_mha_weights_file_groups_as_keras(tmp_path):
    import h5py
    model = ref_models.build_mha(keras)
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        g = f["layers/multi_head_attention_1"]
        assert sorted(g.keys()) == ["_dropout_layer", "_softmax", "key_dense", "output_dense",
                                    "query_dense", "value_dense", "vars"]
        assert g["query_dense/vars/0"].shape == (6, 2, 3)
        assert g["key_dense/vars/0"].shape == (2, 2, 3)
        assert g["output_dense/vars/0"].shape == (2, 4, 5)


def test_layer_configs_match_keras():
    ref = fixture("mha")
    model = ref_models.build_mha(keras)
    want = [c for c in json.loads(str(ref["configs"])) if c["class_name"] != "InputLayer"]
    got = [lay for lay in model.layers if type(lay).__name__ != "InputLayer"]
    for layer, w in zip(got, want):
        config = layer.get_config()
        for key, value in w["config"].items():
            if key in ("name", "dtype", "kernel_initializer", "bias_initializer"):
                continue
            assert config[key] == value, (key, config[key], value)
        again = type(layer).from_config(config)
        assert again.get_config() == config
    ref = fixture("attention")
    for layer, w in zip([lay for lay in ref_models.build_attention(keras).layers
                         if type(lay).__name__ != "InputLayer"],
                        [c for c in json.loads(str(ref["configs"]))
                         if c["class_name"] != "InputLayer"]):
        config = layer.get_config()
        assert {k: config[k] for k in w["config"] if k not in ("name", "dtype")} == \
            {k: v for k, v in w["config"].items() if k not in ("name", "dtype")}


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_attention_matches_numpy_with_masks_and_causal():
    q = RNG.randn(2, 3, 4).astype(np.float32)
    v = RNG.randn(2, 5, 4).astype(np.float32)
    qm = np.array([[1, 1, 0], [1, 0, 1]], bool)
    vm = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    import tfgraph as tf
    layer = layers.Attention()
    sym = layer([tf.constant(q), tf.constant(v)], mask=[tf.constant(qm), tf.constant(vm)],
                return_attention_scores=True, use_causal_mask=True)
    backend.initialize_variables(layer.weights)
    out, scores = backend.get_session().run(sym)
    s = q @ v.transpose(0, 2, 1)
    keep = vm[:, None, :] & (np.arange(3)[:, None] >= np.arange(5)[None, :])
    w = _softmax(s - 1e9 * ~keep)
    np.testing.assert_allclose(scores, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, (w @ v) * qm[..., None], rtol=1e-5, atol=1e-6)


def test_mha_matches_numpy():
    q = RNG.randn(2, 3, 4).astype(np.float32)
    v = RNG.randn(2, 5, 4).astype(np.float32)
    layer = layers.MultiHeadAttention(2, 3, value_dim=2)
    out = layer(q, v)
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    qp = np.einsum("btd,dhk->bthk", q, wq) + bq
    kp = np.einsum("bsd,dhk->bshk", v, wk) + bk
    vp = np.einsum("bsd,dhk->bshk", v, wv) + bv
    w = _softmax(np.einsum("bthk,bshk->bhts", qp / np.sqrt(3), kp))
    o = np.einsum("bhts,bshv->bthv", w, vp)
    want = np.einsum("bthv,hvo->bto", o, wo) + bo
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    assert [w.name for w in layer.weights][:2] == [
        "multi_head_attention/query/kernel:0", "multi_head_attention/query/bias:0"]


def test_mha_explicit_masks_equal_keras_masks():
    import tfgraph as tf
    q = RNG.randn(2, 3, 4).astype(np.float32)
    v = RNG.randn(2, 5, 4).astype(np.float32)
    vm = np.array([[1, 1, 0, 0, 1], [1, 1, 1, 1, 0]], bool)
    layer = layers.MultiHeadAttention(2, 2)
    explicit = layer(tf.constant(q), tf.constant(v), value_mask=tf.constant(vm),
                     return_attention_scores=True)
    am = np.broadcast_to(vm[:, None, :], (2, 3, 5))
    via_attention_mask = layer(tf.constant(q), tf.constant(v), attention_mask=tf.constant(am),
                               return_attention_scores=True)
    backend.initialize_variables(layer.weights)
    (y1, s1), (y2, s2) = backend.get_session().run([explicit, via_attention_mask])
    np.testing.assert_allclose(y1, y2, rtol=1e-6)
    np.testing.assert_allclose(s1, s2, rtol=1e-6)
    assert np.all(s1[:, :, :, ~vm[0]][0] == 0) and s1.shape == (2, 2, 3, 5)


def test_attention_gradients():
    q, v = RNG.randn(2, 3, 2), RNG.randn(2, 4, 2)
    check_gradients(layers.Attention(use_scale=True, score_mode="concat", dtype="float64"), q, v)
    check_gradients(layers.AdditiveAttention(dtype="float64"), q, v)


def test_mha_gradients():
    q, v = RNG.randn(2, 3, 4), RNG.randn(2, 2, 4)
    layer = layers.MultiHeadAttention(2, 2, dtype="float64")
    x_q = keras.Input((3, 4), dtype="float64")
    x_v = keras.Input((2, 4), dtype="float64")
    model = keras.Model([x_q, x_v], layer(x_q, x_v, use_causal_mask=True))
    check_gradients(model, q, v, tol=1e-4)


def test_attention_dropout_only_in_training():
    q = RNG.randn(4, 3, 5).astype(np.float32)
    layer = layers.Attention(dropout=0.5, seed=1)
    a = layer([q, q], training=False)
    b = layer([q, q], training=True)
    np.testing.assert_allclose(a, layer([q, q]), rtol=1e-6)
    assert not np.allclose(a, b)
    mha = layers.MultiHeadAttention(2, 2, dropout=0.5)
    assert not np.allclose(mha(q, q, training=True), mha(q, q, training=False))


def test_attention_errors_name_the_layer():
    with pytest.raises(ValueError, match="Attention layer must be called on a list"):
        layers.Attention()(keras.Input((3, 2)))
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="value` and `key`"):
        layers.MultiHeadAttention(2, 2)(keras.Input((3, 2)), keras.Input((4, 2)),
                                        key=keras.Input((5, 2)))


# -- regularization and reshaping ------------------------------------------------------------------
def test_misc_layers_match_keras_at_inference():
    model, ref = check_against_keras("misc")
    # ActivityRegularization adds l1*sum|x| + l2*sum(x^2), divided by the batch size, as Keras 3
    x = ref["x0"]
    assert len(model.losses) == 1
    got = float(backend.get_session().run(model.losses[0], {model.inputs[0]: x}))
    np.testing.assert_allclose(got, float(ref["activity_loss"]), rtol=1e-5)
    np.testing.assert_allclose(got, (0.01 * np.abs(x).sum() + 0.02 * (x ** 2).sum()) / len(x),
                               rtol=1e-5)


def test_reshaping_3d_layers_match_keras():
    check_against_keras("pad3d", atol=0)


def test_thresholded_relu_matches_keras2():
    ref = fixture("thresholded")
    np.testing.assert_allclose(layers.ThresholdedReLU(theta=0.3)(ref["x"]), ref["y"])
    np.testing.assert_allclose(layers.ThresholdedReLU()(ref["x"]), ref["y_default"])
    config = layers.ThresholdedReLU(theta=0.3).get_config()
    assert config["theta"] == pytest.approx(json.loads(str(ref["config"]))["theta"], rel=1e-6)
    with pytest.raises(ValueError, match="theta value of a Thresholded ReLU"):
        layers.ThresholdedReLU(theta=-1)


def test_noise_layers_in_training():
    x = np.ones((400, 50), np.float32)
    gd = layers.GaussianDropout(0.2, seed=3)
    y = gd(x, training=True)
    assert abs(y.mean() - 1) < 0.01 and abs(y.std() - (0.2 / 0.8) ** 0.5) < 0.01
    np.testing.assert_array_equal(gd(x, training=False), x)
    ad = layers.AlphaDropout(0.3, seed=4)
    z = RNG.randn(400, 50).astype(np.float32)
    y = ad(z, training=True)
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.3) * (1 + 0.3 * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * 0.3
    dropped = np.isclose(y, a * alpha_p + b)
    assert 0.27 < dropped.mean() < 0.33
    np.testing.assert_allclose(y[~dropped], a * z[~dropped] + b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ad(z, training=False), z)
    with pytest.raises(ValueError, match="rate"):
        layers.AlphaDropout(1.5)


def test_unit_normalization_and_reshaping_gradients():
    x = RNG.randn(2, 3, 4)
    check_gradients(layers.UnitNormalization(axis=[1, 2], dtype="float64"), x)
    v = RNG.randn(2, 2, 3, 2, 2)
    check_gradients(layers.UpSampling3D((2, 1, 2), dtype="float64"), v)
    check_gradients(layers.Cropping3D(((1, 0), (1, 1), (0, 1)), dtype="float64"), v)
    check_gradients(layers.ZeroPadding3D((1, 0, 2), dtype="float64"), v)


@pytest.mark.parametrize("layer", [
    lambda: layers.GaussianDropout(0.3, seed=2), lambda: layers.AlphaDropout(0.2),
    lambda: layers.ActivityRegularization(l1=0.1), lambda: layers.UnitNormalization(axis=[1, 2]),
    lambda: layers.ThresholdedReLU(0.5), lambda: layers.Cropping1D((1, 2)),
    lambda: layers.Cropping3D(1), lambda: layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1))),
    lambda: layers.UpSampling3D(2), lambda: layers.Attention(use_scale=True, dropout=0.1),
    lambda: layers.AdditiveAttention(use_scale=False),
    lambda: layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=(5,), dropout=0.1)])
def test_config_round_trip(layer):
    layer = layer()
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_config() == config
    from tfgraph_keras.saving import serialization
    rebuilt = serialization.deserialize_keras_object(serialization.serialize_keras_object(layer))
    assert type(rebuilt) is type(layer) and rebuilt.get_config() == config


def test_reshaping_errors_name_the_layer():
    with pytest.raises(ValueError, match="Cropping1D"):
        layers.Cropping1D((1, 2, 3))
    with pytest.raises(ValueError, match="Cropping3D"):
        layers.Cropping3D((3, 3, 3))(keras.Input((4, 5, 6, 1)))
    with pytest.raises(ValueError, match="ZeroPadding3D"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="ndim=5"):
        layers.UpSampling3D()(keras.Input((4, 5, 1)))


# -- convolutions and 3-D pooling ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["conv1d", "conv3d"])
def test_conv_layers_match_keras(name):
    check_against_keras(name, rtol=1e-4, atol=1e-4)


@needs_h5py
@pytest.mark.parametrize("name", ["conv1d", "conv3d"])
def test_keras3_conv_weights_h5_loads(name, tmp_path):
    ref = fixture(name)
    model = getattr(ref_models, "build_" + name)(keras)
    model.load_weights(os.path.join(DATA, "keras_layers_missing_%s.weights.h5" % name))
    for g, w in zip(outputs(model, xs_of(ref)), ys_of(ref)):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)
    path = str(tmp_path / "m.keras")
    model.save(path)
    backend.clear_session()
    for g, w in zip(outputs(keras.models.load_model(path), xs_of(ref)), ys_of(ref)):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["conv1d", "conv3d"])
def test_conv_layer_configs_match_keras(name):
    ref = fixture(name)
    model = getattr(ref_models, "build_" + name)(keras)
    want = [c for c in json.loads(str(ref["configs"])) if c["class_name"] != "InputLayer"]
    got = [lay for lay in model.layers if type(lay).__name__ != "InputLayer"]
    assert [type(g).__name__ for g in got] == [w["class_name"] for w in want]
    skip = ("name", "dtype")
    for layer, w in zip(got, want):
        config = layer.get_config()
        assert sorted(k for k in config if k not in skip + ("batch_input_shape",)) == \
            sorted(k for k in w["config"] if k not in skip)
        for key, value in w["config"].items():
            if key in skip or key.endswith("_initializer"):
                continue
            assert config[key] == value, (type(layer).__name__, key, config[key], value)
        assert type(layer).from_config(config).get_config() == config


def test_conv_layer_gradients():
    x1 = RNG.randn(2, 5, 2)
    check_gradients(layers.Conv1DTranspose(2, 3, strides=2, padding="same", dtype="float64"), x1)
    check_gradients(layers.SeparableConv1D(2, 2, depth_multiplier=2, padding="causal",
                                           dtype="float64"), x1)
    x3 = RNG.randn(1, 3, 2, 4, 2)
    check_gradients(layers.Conv3D(2, (2, 1, 2), padding="same", dtype="float64"), x3)
    check_gradients(layers.Conv3DTranspose(2, 2, strides=(2, 1, 1), dtype="float64"), x3)
    check_gradients(layers.AveragePooling3D((2, 1, 2), padding="same", dtype="float64"), x3)
    check_gradients(layers.GlobalAveragePooling3D(dtype="float64"), x3)


def test_separable_conv1d_matches_numpy():
    x = RNG.randn(2, 6, 3).astype(np.float32)
    layer = layers.SeparableConv1D(4, 3, depth_multiplier=2, strides=2, padding="valid")
    got = run_layer(layer, x)
    dw, pw, b = layer.get_weights()
    steps = [np.einsum("nkc,kcm->ncm", x[:, t:t + 3], dw).reshape(2, -1)
             for t in range(0, 4, 2)]
    want = np.stack(steps, 1) @ pw[0] + b
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_conv_errors_name_the_layer():
    with pytest.raises(ValueError, match="ndim=5"):
        layers.Conv3D(2, 2)(keras.Input((4, 4, 2)))
    with pytest.raises(ValueError, match="Invalid padding 'full' for MaxPooling3D"):
        layers.MaxPooling3D(padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv3DTranspose(2, (2, 2))
    with pytest.raises(ValueError, match="data_format=nchw"):
        layers.Conv1DTranspose(2, 2, data_format="nchw")
    with pytest.raises(ValueError, match="causal"):
        layers.Conv1DTranspose(2, 2, padding="causal")


# -- preprocessing layers --------------------------------------------------------------------------
def _check_prep(model, ref):
    for g, w in zip(outputs(model, xs_of(ref)), ys_of(ref)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_preprocessing_layers_match_keras():
    ref = fixture("prep")
    model = ref_models.build_prep(keras)
    assert [_norm(w.name) for w in model.weights] == [
        _norm(p) for p in json.loads(str(ref["weight_paths"]))]
    assert [w.dtype.base_dtype.name for w in model.weights] == json.loads(
        str(ref["weight_dtypes"]))
    for got, want in zip(model.get_weights(), json.loads(str(ref["weights"]))):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-5, atol=1e-6)
    _check_prep(model, ref)
    want = [c for c in json.loads(str(ref["configs"])) if c["class_name"] != "InputLayer"]
    got = [lay for lay in model.layers if type(lay).__name__ != "InputLayer"]
    for layer, w in zip(got, want):
        config = layer.get_config()
        assert {k: config[k] for k in w["config"] if k not in ("name", "dtype")} == \
            {k: v for k, v in w["config"].items() if k not in ("name", "dtype")}
        assert type(layer).from_config(config).get_config() == config


@needs_h5py
def test_keras3_preprocessing_model_file_loads(tmp_path):
    ref = fixture("prep")
    model = keras.models.load_model(os.path.join(DATA, "keras_layers_missing_prep.keras"))
    _check_prep(model, ref)
    path = str(tmp_path / "m.keras")
    model.save(path)
    backend.clear_session()
    _check_prep(keras.models.load_model(path), ref)


def test_category_encoding_count_weights_and_errors():
    ref = fixture("prep")
    import tfgraph as tf
    layer = layers.CategoryEncoding(4, output_mode="count")
    y = layer(tf.constant([[0, 1, 1], [3, 3, 2]]),
              count_weights=tf.constant([[0.5, 1.0, 2.0], [1.0, 1.0, 0.5]]))
    np.testing.assert_allclose(backend.get_session().run(y), ref["count_weighted"])
    bad = layers.CategoryEncoding(3, name="enc")
    with pytest.raises(tf.errors.InvalidArgumentError, match="layer enc must be in the range"):
        bad(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(3)(tf.constant([[1]]), count_weights=tf.constant([[1.0]]))


def test_normalization_adapt_on_batches_and_errors():
    data = ref_models.ADAPT.astype(np.float64)
    layer = layers.Normalization(axis=(1, 2))
    layer.adapt([data[:20], data[20:35], data[35:]])     # batches, combined by count
    mean, var, count = layer.get_weights()
    np.testing.assert_allclose(mean, data.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var, data.var(0), rtol=1e-5, atol=1e-6)
    x = RNG.randn(2, 3, 4).astype(np.float32)
    np.testing.assert_allclose(layer(x), (x - mean) / np.sqrt(var), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.zeros((4, 3, 5)))
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="unknown axis"):
        layers.Normalization(axis=1)(keras.Input((None, 2)))
    check_gradients(layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5], dtype="float64"),
                    RNG.randn(3, 2))


def test_training_trajectory_matches_keras():
    """SGD through MultiHeadAttention, Attention, UnitNormalization, Conv3D and AveragePooling3D
    follows Keras's loss trajectory (the gradients of every new layer take part)."""
    ref = fixture("train")
    model = ref_models.build_train(keras)
    rng = np.random.RandomState(8)
    shapes = json.loads(str(ref["weight_shapes"]))
    assert [w.shape.as_list() for w in model.weights] == shapes
    model.set_weights([np.asarray(rng.randn(*s) * 0.3, np.float32) for s in shapes])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(ref["x"], ref["y"], batch_size=8, epochs=6, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], ref["loss"], rtol=1e-4)
