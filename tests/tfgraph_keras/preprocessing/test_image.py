"""keras.preprocessing.image against tf_keras 2.21 (which resamples with scipy.ndimage): the
affine transforms, ImageDataGenerator batches under a seed (flow, fit, flow_from_directory) and
the Pillow helpers. Recorded by tests/reference/make_keras_backend_cases.py; the image tree is
tests/data/keras_images."""
import json
import os

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras.preprocessing import image

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
IMAGES = os.path.join(DATA, "keras_images")
with open(os.path.join(DATA, "keras_backend_cases.json")) as _f:
    REF = json.load(_f)["image"]


def _arr(v):
    return np.asarray(v["array"], dtype=v["dtype"])


def _img():
    return np.random.RandomState(5).uniform(0, 255, (7, 6, 3)).astype("float32")


@pytest.mark.parametrize("case", REF["affine"], ids=lambda c: json.dumps(c["kwargs"]))
def test_apply_affine_transform(case):
    img = _img()
    if case["channels_first"]:
        got = image.apply_affine_transform(img.transpose(2, 0, 1), row_axis=1, col_axis=2,
                                           channel_axis=0, **case["kwargs"])
    else:
        got = image.apply_affine_transform(img, row_axis=0, col_axis=1, channel_axis=2,
                                           **case["kwargs"])
    want = _arr(case["out"])
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)


def test_affine_transform_errors():
    with pytest.raises(ValueError, match="multi-channel 2D images"):
        image.apply_affine_transform(np.zeros((3, 3)), theta=10)
    with pytest.raises(ValueError, match="fill_mode"):
        image.apply_affine_transform(np.zeros((3, 3, 1)), theta=10, row_axis=0, col_axis=1,
                                     channel_axis=2, fill_mode="mirror")
    with pytest.raises(ValueError, match="zoom_range"):
        image.ImageDataGenerator(zoom_range=(1, 2, 3))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        image.ImageDataGenerator(validation_split=1.5)


@pytest.mark.parametrize("case", REF["generators"], ids=lambda c: json.dumps(c["config"]))
def test_image_data_generator_flow_matches_keras(case):
    x, y = _arr(REF["flow_x"]), np.arange(5)
    gen = image.ImageDataGenerator(**case["config"])
    if case["config"].get("featurewise_center") or case["config"].get("zca_whitening"):
        gen.fit(x, augment=bool(case["config"].get("rotation_range")), seed=2)
        if case["mean"] is not None:
            np.testing.assert_allclose(gen.mean, _arr(case["mean"]), rtol=1e-5)
        if case["std"] is not None:
            np.testing.assert_allclose(gen.std, _arr(case["std"]), rtol=1e-5)
    it = gen.flow(x, y, batch_size=2, seed=7)
    assert isinstance(it, keras.utils.Sequence) and len(it) == 3
    for bx_want, by_want in case["batches"]:
        bx, by = next(it)
        np.testing.assert_array_equal(by, _arr(by_want))
        np.testing.assert_allclose(bx, _arr(bx_want), rtol=1e-4, atol=1e-3)
    bx, by = gen.flow(x, y, batch_size=3, seed=3, shuffle=False)[1]
    np.testing.assert_array_equal(by, _arr(case["indexed"][1]))
    np.testing.assert_allclose(bx, _arr(case["indexed"][0]), rtol=1e-4, atol=1e-3)


def test_flow_subsets_and_errors():
    x = _arr(REF["flow_x"])
    gen = image.ImageDataGenerator(validation_split=0.4)
    for subset, want in REF["subsets"].items():
        _, y = next(gen.flow(x, np.array([0, 1, 0, 1, 1]), batch_size=5, shuffle=False,
                             subset=subset))
        np.testing.assert_array_equal(y, _arr(want))
    with pytest.raises(ValueError, match="same length"):
        gen.flow(x, np.arange(3))
    with pytest.raises(ValueError, match="rank 4"):
        gen.flow(x[0])
    with pytest.raises(ValueError, match="different number of classes"):
        gen.flow(x, np.array([0, 0, 1, 1, 1]), subset="training")
    bx, by, w = next(gen.flow(x, np.arange(5), sample_weight=np.arange(5.0), batch_size=5,
                              shuffle=False))
    np.testing.assert_array_equal(w, np.arange(5.0))
    np.testing.assert_array_equal(by, np.arange(5))
    np.testing.assert_array_equal(bx, x)  # no augmentation configured


def test_generator_feeds_model_fit():
    x = _arr(REF["flow_x"])
    y = keras.utils.to_categorical([0, 1, 0, 1, 1], 2)
    model = keras.Sequential([keras.Input((8, 7, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    gen = image.ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True)
    hist = model.fit(gen.flow(x, y, batch_size=2, seed=0), epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2 and np.isfinite(hist.history["loss"]).all()


@pytest.mark.parametrize("case", REF["directory"], ids=lambda c: json.dumps(c["kwargs"]))
def test_flow_from_directory_matches_keras(case):
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    gen = image.ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True,
                                   validation_split=0.5)
    it = gen.flow_from_directory(IMAGES, **kw)
    assert it.class_indices == case["class_indices"]
    assert [f.replace(os.sep, "/") for f in it.filenames] == case["filenames"]
    assert it.classes.tolist() == case["classes"]
    batch = next(it)
    bx, by = (batch, None) if case["y"] is None else batch
    want = _arr(case["x"])
    if "seed" in kw:
        np.testing.assert_allclose(bx, want, rtol=1e-6, atol=1e-6)
    else:   # unseeded: order and flips follow numpy's global state, as in Keras; so each image
        # is one of Keras's batch, or its mirror
        assert bx.shape == want.shape
        for got in bx:
            assert any(np.allclose(got, w, atol=1e-6) or np.allclose(got, w[:, ::-1], atol=1e-6)
                       for w in want)
    if case["y"] is not None:
        np.testing.assert_array_equal(by, _arr(case["y"]))
    with pytest.raises(ValueError, match="Invalid class_mode"):
        gen.flow_from_directory(IMAGES, class_mode="multi")


def test_image_file_helpers(tmp_path):
    ref = REF["files"]
    png = os.path.join(IMAGES, "cats", "img0.png")
    np.testing.assert_array_equal(image.img_to_array(image.load_img(png)),
                                  _arr(ref["img_to_array"]))
    np.testing.assert_array_equal(image.img_to_array(image.load_img(png, color_mode="grayscale")),
                                  _arr(ref["grayscale"]))
    np.testing.assert_array_equal(
        image.img_to_array(image.load_img(png, target_size=(3, 4), interpolation="bicubic")),
        _arr(ref["resized"]))
    np.testing.assert_array_equal(
        image.img_to_array(image.load_img(png), data_format="channels_first"),
        _arr(ref["channels_first"]))
    img = _img()
    np.testing.assert_array_equal(np.asarray(image.array_to_img(img)), _arr(ref["array_to_img"]))
    np.testing.assert_array_equal(np.asarray(image.array_to_img(img, scale=False)),
                                  _arr(ref["array_to_img_noscale"]))
    np.testing.assert_array_equal(np.asarray(image.array_to_img(img[:, :, :1] * 3)),
                                  _arr(ref["array_to_img_gray"]))
    image.save_img(tmp_path / "out.png", img, scale=False)
    np.testing.assert_array_equal(image.img_to_array(image.load_img(tmp_path / "out.png")),
                                  img.astype(np.uint8).astype(np.float32))
    with pytest.raises(ValueError, match="rank 3"):
        image.array_to_img(img[0])
    with pytest.raises(ValueError, match="Invalid interpolation method"):
        image.load_img(png, target_size=(2, 2), interpolation="cubic-ish")
    with pytest.raises(TypeError, match="path-like"):
        image.load_img(3)


@pytest.mark.parametrize("case", REF["randoms"], ids=lambda c: c["fn"])
def test_random_transform_functions_match_keras_under_seed(case):
    args = [tuple(a) if isinstance(a, list) else a for a in case["args"]]
    np.random.seed(21)
    got = getattr(image, case["fn"])(_img(), *args, **case["kwargs"])
    np.testing.assert_allclose(np.asarray(got, np.float32), _arr(case["out"]), rtol=1e-5,
                               atol=1e-3)
