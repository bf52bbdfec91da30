"""keras.applications (VGG16, ResNet50, MobileNetV2) against Keras 3.15: parameter counts, layer
names and classes, weights in Keras's order, a Keras 2 .h5 weights file (the layout of Keras's
ImageNet downloads) giving Keras's predictions, preprocess_input and decode_predictions.
Fixtures: tests/reference/make_keras_applications.py."""
import json
import os
import re
import shutil
import sys

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import backend
from tfgraph_keras.applications import imagenet_utils

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_keras_applications as ref_gen  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
WEIGHTS = os.path.join(DATA, "keras_applications_mnv2.h5")
with open(os.path.join(DATA, "keras_applications.json")) as _f:
    REF = json.load(_f)


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.set_image_data_format("channels_last")
    backend.clear_session()


def _weight_name(name):
    # Keras 3 calls the depthwise kernel 'kernel'; tfgraph keeps Keras 2's 'depthwise_kernel'
    return name.split(":")[0].replace("/depthwise_kernel", "/kernel")


@pytest.mark.parametrize("key", sorted(REF["configs"]))
def test_architecture_matches_keras(key):
    want = REF["configs"][key]
    model = getattr(keras.applications, want["fn"])(**want["kwargs"])
    assert model.count_params() == want["params"]
    assert sum(int(np.prod(w.shape.as_list())) for w in model.trainable_weights) == \
        want["trainable"]
    assert model.name == want["name"]
    got = [[layer.name, type(layer).__name__] for layer in model.layers]
    assert got[0][1] == "InputLayer" == want["layers"][0][1]  # auto-named differently
    assert got[1:] == want["layers"][1:]
    assert model.input.shape.as_list() == want["input_shape"]
    assert model.output.shape.as_list() == want["output_shape"]
    assert [[_weight_name(w.name), w.shape.as_list()] for w in model.weights] == \
        want["weights"]


def _small(**kwargs):
    return keras.applications.MobileNetV2(alpha=0.35, include_top=False,
                                          input_shape=(32, 32, 3), **kwargs)


@pytest.mark.parametrize("pooling", [None, "avg"])
def test_keras2_weights_file_gives_keras_predictions(pooling):
    with np.load(os.path.join(DATA, "keras_applications_mnv2.npz")) as f:
        x, want = f["x"], f["y_%s" % pooling]
    model = _small(weights=WEIGHTS, pooling=pooling)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-4, atol=1e-4)


def test_weights_file_loads_under_channels_first():
    with np.load(os.path.join(DATA, "keras_applications_mnv2.npz")) as f:
        x, want = f["x"], f["y_avg"]
    keras.config.set_image_data_format("channels_first")
    model = keras.applications.MobileNetV2(alpha=0.35, include_top=False, weights=WEIGHTS,
                                           input_shape=(3, 32, 32), pooling="avg")
    assert model.layers[2].axis in (1, [1])  # BatchNormalization over channels
    got = model.predict(np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))), verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_imagenet_weights_found_offline(tmp_path, monkeypatch):
    name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"
    os.makedirs(tmp_path / "models")
    shutil.copy(WEIGHTS, tmp_path / "models" / name)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("TFGRAPH_DATASETS_DIR", raising=False)
    x = np.random.RandomState(0).uniform(-1, 1, (2, 96, 96, 3)).astype(np.float32)
    a = keras.applications.MobileNetV2(alpha=0.35, include_top=False, input_shape=(96, 96, 3),
                                       weights="imagenet").predict(x, verbose=0)
    backend.clear_session()
    b = keras.applications.MobileNetV2(alpha=0.35, include_top=False, input_shape=(96, 96, 3),
                                       weights=WEIGHTS).predict(x, verbose=0)
    np.testing.assert_array_equal(a, b)


def test_new_head_on_frozen_base_trains_only_the_head():
    base = _small(weights=WEIGHTS, pooling="avg")
    base.trainable = False
    inputs = keras.Input((32, 32, 3))
    outputs = keras.layers.Dense(3, activation="softmax")(base(inputs, training=False))
    model = keras.Model(inputs, outputs)
    assert len(model.trainable_weights) == 2
    before = [w.copy() for w in base.get_weights()]
    x = np.random.RandomState(1).uniform(-1, 1, (8, 32, 32, 3)).astype(np.float32)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.arange(8) % 3, epochs=1, verbose=0)
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_input_tensor():
    inputs = keras.Input((40, 40, 3))
    scaled = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    model = keras.applications.MobileNetV2(alpha=0.35, include_top=False, weights=None,
                                           input_tensor=scaled, pooling="max")
    assert model.inputs[0] is inputs
    assert model.output.shape.as_list() == [None, 1280]


@pytest.mark.parametrize("family", ["vgg16", "resnet50", "mobilenet_v2"])
def test_preprocess_input_matches_keras(family):
    pre = REF["preprocess"]
    fn = getattr(keras.applications, family).preprocess_input
    x = np.asarray(pre["x"], np.float32)
    np.testing.assert_allclose(fn(x.copy()), pre[family], rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(fn(x[0].copy()), pre[family + "_single"], rtol=1e-6, atol=1e-4)
    xf = np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))
    np.testing.assert_allclose(fn(xf, data_format="channels_first"),
                               pre[family + "_channels_first"], rtol=1e-6, atol=1e-4)
    with tf.Session() as sess:
        t = sess.run(fn(tf.constant(x)))
    np.testing.assert_allclose(t, pre[family], rtol=1e-6, atol=1e-4)
    u8 = np.round(x).astype(np.uint8)
    assert fn(u8).dtype == np.float32


def test_decode_predictions_with_local_class_index(tmp_path, monkeypatch):
    with open(tmp_path / "imagenet_class_index.json", "w") as f:
        json.dump(ref_gen.class_index(), f)
    monkeypatch.setenv("TFGRAPH_DATASETS_DIR", str(tmp_path))
    dec = REF["decode"]
    preds = np.random.RandomState(dec["preds_seed"]).dirichlet(np.ones(1000) * 0.05,
                                                               size=2).astype(np.float32)
    got = keras.applications.resnet50.decode_predictions(preds, top=3)
    assert [[[a, b] for a, b, _ in row] for row in got] == \
        [[[a, b] for a, b, _ in row] for row in dec["top3"]]
    np.testing.assert_allclose([[c for _, _, c in row] for row in got],
                               [[c for _, _, c in row] for row in dec["top3"]], rtol=1e-6)
    with pytest.raises(ValueError, match=re.escape("shape (samples, 1000)")):
        keras.applications.vgg16.decode_predictions(preds[:, :10])


def test_argument_errors_as_keras():
    with pytest.raises(ValueError, match="`weights` argument should be either"):
        keras.applications.VGG16(weights="/no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        keras.applications.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="Input size must be at least 32x32"):
        keras.applications.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="must be a tuple of three integers"):
        keras.applications.ResNet50(weights=None, include_top=False, input_shape=(64, 64))
    with pytest.raises(ValueError, match="should specify a static `input_shape`"):
        keras.applications.MobileNetV2(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="alpha must be one of"):
        keras.applications.MobileNetV2(weights="imagenet", alpha=0.6)
    with pytest.raises(ValueError, match="mode to be one of"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="nope")


def test_keras3_saved_application_model_loads():
    with np.load(os.path.join(DATA, "keras_applications_mnv2.npz")) as f:
        x, want = f["x"], f["y_avg"]
    model = keras.models.load_model(os.path.join(DATA, "keras_applications_mnv2.keras"))
    assert [layer.name for layer in model.layers][1:] == [
        layer.name for layer in _small(weights=None, pooling="avg").layers][1:]
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("key", sorted(ref_gen.SEEDED))
def test_full_size_architectures_compute_as_keras(key):
    """ResNet50 and VGG16 at 32x32 with the generator's seeded weights give Keras's outputs."""
    fn, kwargs = ref_gen.SEEDED[key]
    model = getattr(keras.applications, fn)(**kwargs)
    model.set_weights(ref_gen.seeded_weights(
        [(_weight_name(w.name), w.shape.as_list()) for w in model.weights]))
    with np.load(os.path.join(DATA, "keras_applications_seeded.npz")) as f:
        x, want = f["x"], f[key]
    got = model.predict(x, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
