"""Image preprocessing layers and the projective warp behind them, against TensorFlow 2.21 /
Keras 3.15 (tests/reference/make_keras_image_preprocessing.py); the random layers by their
ranges, seeded determinism and inference identity."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph.ops.image_transform_ops import image_projective_transform_v3

L = keras.layers
REF = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                                  "keras_image_preprocessing.json")))
IMAGES = np.array(REF["images"], np.float32)
BIG = np.array(REF["big"], np.float32)


@pytest.mark.parametrize("key", sorted(REF["warps"]))
def test_projective_transform_matches_tensorflow(key):
    name, fill, interp = key.split("/")
    out = image_projective_transform_v3(IMAGES, np.array([REF["transforms"][name]], np.float32),
                                        [5, 7], 7.0, interpolation=interp, fill_mode=fill)
    with tf.Session() as sess:
        got = sess.run(out)
    np.testing.assert_allclose(got, REF["warps"][key], rtol=1e-5, atol=2e-3)


@pytest.mark.parametrize("key,make", [
    ("resize_bilinear", lambda: L.Resizing(4, 5)),
    ("resize_nearest", lambda: L.Resizing(6, 4, interpolation="nearest")),
    ("resize_crop", lambda: L.Resizing(4, 4, crop_to_aspect_ratio=True)),
    ("resize_pad", lambda: L.Resizing(6, 4, pad_to_aspect_ratio=True, fill_value=3.0)),
    ("resize_pad_wide", lambda: L.Resizing(3, 9, pad_to_aspect_ratio=True)),
    ("center_crop", lambda: L.CenterCrop(5, 6)),
    ("center_crop_up", lambda: L.CenterCrop(10, 8)),
])
def test_resizing_and_center_crop(key, make):
    np.testing.assert_allclose(make()(BIG), REF["layers"][key], rtol=1e-5, atol=1e-3)


def test_random_layers_are_identity_in_inference():
    for layer in (L.RandomFlip(), L.RandomRotation(0.2), L.RandomZoom(0.3),
                  L.RandomTranslation(0.2, 0.1), L.RandomContrast(0.5)):
        np.testing.assert_array_equal(layer(BIG), BIG)
        np.testing.assert_array_equal(layer(BIG, training=False), BIG)
    np.testing.assert_array_equal(REF["layers"]["contrast_inference"], BIG)


def _train(layer, x=BIG):
    return np.asarray(layer(x, training=True))


def test_random_flip():
    out = _train(L.RandomFlip("horizontal", seed=3), np.repeat(BIG[:1], 64, axis=0))
    flipped = [np.array_equal(o, BIG[0, :, ::-1]) for o in out]
    kept = [np.array_equal(o, BIG[0]) for o in out]
    assert all(f or k for f, k in zip(flipped, kept)) and 10 < sum(flipped) < 54
    both = _train(L.RandomFlip(seed=3), BIG[0])     # a single image keeps its rank
    assert both.shape == BIG[0].shape
    assert any(np.array_equal(both, v) for v in (BIG[0], BIG[0, ::-1], BIG[0, :, ::-1],
                                                 BIG[0, ::-1, ::-1]))


def test_random_rotation_matches_a_warp_by_its_angle():
    # factor (0.25, 0.25): always 90 degrees; on a square image a reflect-filled quarter turn
    # of the centred grid is exactly np.rot90
    square = BIG[:, :9, :9]
    out = _train(L.RandomRotation((0.25, 0.25), seed=1), square)
    np.testing.assert_allclose(out, np.rot90(square, k=1, axes=(1, 2)), atol=1e-3)


def test_random_zoom_and_translation_fixed_factors():
    out = _train(L.RandomTranslation((0.0, 0.0), (0.5, 0.5), fill_mode="constant"), BIG)
    np.testing.assert_allclose(out[:, :, 6:], BIG[:, :, :6], atol=1e-4)
    assert (out[:, :, :6] == 0).all()
    out = _train(L.RandomZoom((-0.5, -0.5), interpolation="nearest"), BIG[:, :, :9])
    assert out.shape == (2, 9, 9, 3)
    np.testing.assert_allclose(out[:, 4, 4], BIG[:, 4, 4], atol=1e-4)   # the centre stays


def test_random_contrast_range_and_seeded_determinism():
    layer = L.RandomContrast((0.5, 0.5), seed=7)
    out = _train(layer)
    mean = BIG.mean(axis=(1, 2), keepdims=True)
    factor = (out - mean) / (BIG - mean)
    unclipped = (out > 0) & (out < 255)
    assert np.all((factor[unclipped] > 0.5 - 1e-3) & (factor[unclipped] < 1.5 + 1e-3))
    assert out.min() >= 0 and out.max() <= 255
    again = _train(L.RandomContrast((0.5, 0.5), seed=7))
    np.testing.assert_array_equal(out, again)


def test_random_layers_train_in_a_model():
    model = keras.Sequential([keras.Input((9, 12, 3)), L.RandomFlip(seed=1),
                              L.RandomRotation(0.1, seed=2), L.RandomZoom(0.1, seed=3),
                              L.RandomTranslation(0.1, 0.1, seed=4), L.RandomContrast(0.2),
                              L.Rescaling(1 / 255.0), L.Flatten(), L.Dense(2)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(BIG, np.array([0, 1]), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_allclose(model.predict(BIG, verbose=0),
                               model.predict(BIG, verbose=0))   # inference: no randomness


@pytest.mark.parametrize("key,make,kind", [
    ("rotation_factor", lambda: L.RandomRotation(2.0), ValueError),
    ("contrast_factor", lambda: L.RandomContrast(-0.2), ValueError),
    ("fill_mode", lambda: L.RandomZoom(0.2, fill_mode="mirror"), NotImplementedError),
])
def test_errors(key, make, kind):
    with pytest.raises(kind) as e:
        make()
    assert str(e.value) == REF["errors"][key][1]
