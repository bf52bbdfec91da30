"""keras.utils dataset utilities against Keras 3.15 (tests/reference/make_keras_data_utils.py):
text/image_dataset_from_directory, timeseries_dataset_from_array, split_dataset."""
import json
import os

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph.data import Dataset

U = keras.utils
REF = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                                  "keras_data_utils.json")))


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    from PIL import Image
    base = tmp_path_factory.mktemp("keras_data")
    for rel, content in REF["files"].items():
        path = base / "text" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    for rel, pixels in REF["images"].items():
        path = base / "img" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.array(pixels, np.uint8)).save(str(path))
    return str(base)


def _plain(v):
    a = np.asarray(v)
    if a.dtype.kind == "O" or a.dtype.kind == "S":
        return [s.decode() for s in a.reshape(-1).tolist()] if a.ndim else a.item().decode()
    return a.tolist()


def _batches(ds):
    out = []
    for b in ds.as_numpy_iterator():
        out.append([_plain(p) for p in (b if isinstance(b, tuple) else (b,))])
    return out


TEXT = REF["text"]


@pytest.mark.parametrize("key", ["plain", "binary_subset", "categorical_maxlen", "no_labels"])
def test_text_dataset_unshuffled(root, key):
    case = TEXT[key]
    ds = U.text_dataset_from_directory(os.path.join(root, "text"), verbose=False,
                                       **case["kwargs"])
    assert ds.class_names == case["class_names"]
    assert _batches(ds) == case["batches"]


@pytest.mark.parametrize("seed", [1, 42])
def test_text_dataset_validation_split_picks_keras_files(root, seed):
    case = TEXT["split_%d" % seed]
    d = os.path.join(root, "text")
    train, val = U.text_dataset_from_directory(d, seed=seed, validation_split=0.25,
                                               subset="both", batch_size=4, verbose=False)
    only = U.text_dataset_from_directory(d, seed=seed, validation_split=0.25,
                                         subset="validation", batch_size=4, verbose=False)
    assert train.class_names == case["class_names"]
    texts = sorted(t for b in _batches(train) for t in b[0])
    assert texts == case["train_texts"]
    assert sorted(t for b in _batches(val) for t in b[0]) == case["val_texts"]
    assert sorted(t for b in _batches(only) for t in b[0]) == case["val_only_texts"]
    assert sorted([t, y] for b in _batches(train) for t, y in zip(*b)) == case["train_pairs"]


def test_text_dataset_explicit_labels(root):
    case = TEXT["explicit_labels"]
    ds = U.text_dataset_from_directory(os.path.join(root, "text"), labels=case["labels"],
                                       shuffle=False, batch_size=32, verbose=False)
    assert ds.class_names == case["class_names"]
    assert _batches(ds) == case["batches"]


@pytest.mark.parametrize("key,kw", [
    ("no_seed", dict(validation_split=0.2, subset="training")),
    ("binary3", dict(label_mode="binary")),
    ("bad_mode", dict(label_mode="sparse")),
    ("bad_subset", dict(validation_split=0.2, subset="test", seed=1)),
    ("split_only", dict(validation_split=0.2)),
    ("class_names", dict(class_names=["cows"])),
    ("label_count", dict(labels=[0, 1])),
])
def test_text_dataset_errors(root, key, kw):
    kind, message = TEXT["errors"][key]
    with pytest.raises(ValueError) as e:
        U.text_dataset_from_directory(os.path.join(root, "text"), verbose=False, **kw)
    assert str(e.value).split(" in directory")[0] == message.split(" in directory")[0]


IMAGE = REF["image"]


@pytest.mark.parametrize("key", ["bilinear", "nearest", "gray_up", "crop", "pad", "pad_nearest",
                                 "rgba_categorical"])
def test_image_dataset(root, key):
    case = IMAGE[key]
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    d = os.path.join(root, "img")
    ds = U.image_dataset_from_directory(d, shuffle=False, batch_size=2, verbose=False, **kw)
    assert ds.class_names == case["class_names"]
    assert [os.path.relpath(p, d) for p in ds.file_paths] == case["file_paths"]
    got = list(ds.as_numpy_iterator())
    assert got[0][0].dtype.name == case["dtype"]
    assert len(got) == len(case["batches"])
    for (images, labels), (want_images, want_labels) in zip(got, case["batches"]):
        np.testing.assert_allclose(images, want_images, rtol=1e-5, atol=1e-3)
        np.testing.assert_array_equal(labels, want_labels)


def test_image_dataset_split_and_errors(root):
    d = os.path.join(root, "img")
    ds = U.image_dataset_from_directory(d, seed=7, validation_split=0.4, subset="training",
                                        image_size=(2, 2), verbose=False)
    assert [os.path.relpath(p, d) for p in ds.file_paths] == IMAGE["split_7"]["file_paths"]
    for key, kw in (("color", dict(color_mode="cmyk")), ("size", dict(image_size=(1, 2, 3)))):
        with pytest.raises(ValueError) as e:
            U.image_dataset_from_directory(d, verbose=False, **kw)
        assert str(e.value) == IMAGE["errors"][key][1]


def test_image_dataset_trains_a_model(root):
    ds = U.image_dataset_from_directory(os.path.join(root, "img"), image_size=(4, 4),
                                        batch_size=2, seed=1, verbose=False)
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Rescaling(1 / 255.0),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


TS = REF["timeseries"]


@pytest.mark.parametrize("key", ["plain", "strided", "window", "no_batch"])
def test_timeseries_dataset(key):
    case = TS[key]
    ds = U.timeseries_dataset_from_array(np.array(TS["data"], np.float32),
                                         np.array(TS["targets"]), **case["kwargs"])
    assert _batches(ds) == case["batches"]


def test_timeseries_no_targets_shuffle_and_errors():
    data = np.array(TS["data"], np.float32)
    ds = U.timeseries_dataset_from_array(data, None, sequence_length=6, batch_size=4)
    assert _batches(ds) == TS["no_targets"]["batches"]
    ds = U.timeseries_dataset_from_array(data, np.array(TS["targets"]), sequence_length=3,
                                         shuffle=True, seed=5, batch_size=4)
    pairs = sorted([w[0][0], t] for b in _batches(ds) for w, t in zip(b[0], b[1]))
    assert pairs == TS["shuffled"]["pairs"]
    for key, kw in (("start", dict(start_index=25)), ("end", dict(start_index=5, end_index=4)),
                    ("rate", dict(sampling_rate=0)), ("stride", dict(sequence_stride=30))):
        with pytest.raises(ValueError) as e:
            U.timeseries_dataset_from_array(data, None, 3, **kw)
        assert str(e.value) == TS["errors"][key][1]


SPLIT = REF["split"]


def test_split_dataset_matches_keras():
    x, y = np.arange(30).reshape(10, 3), np.arange(10)
    left, right = U.split_dataset(x, left_size=0.7, shuffle=True, seed=11)
    assert [[a.tolist() for a in left.as_numpy_iterator()],
            [a.tolist() for a in right.as_numpy_iterator()]] == SPLIT["array_shuffled"]
    left, right = U.split_dataset((x, y), left_size=3, right_size=4)
    assert [_batches(left.batch(10)), _batches(right.batch(10))] == SPLIT["tuple_counts"]
    left, right = U.split_dataset(Dataset.from_tensor_slices((x, y)).batch(4), right_size=0.3,
                                  shuffle=True, seed=2)
    assert [_batches(left), _batches(right)] == SPLIT["batched_dataset"]


@pytest.mark.parametrize("key,kw", [("none", {}), ("zero", dict(left_size=0, right_size=0)),
                                    ("big", dict(left_size=10)),
                                    ("sum", dict(left_size=0.6, right_size=0.5)),
                                    ("type", dict(left_size="3"))])
def test_split_dataset_errors(key, kw):
    kind, message = SPLIT["errors"][key]
    with pytest.raises((ValueError, TypeError)) as e:
        U.split_dataset(np.arange(30).reshape(10, 3), **kw)
    assert type(e.value).__name__ == kind
    assert str(e.value).strip() == message.strip()


def test_fit_epochs_reshuffle_a_seeded_dataset(root):
    """Keras iterates a dataset afresh each epoch and a TF2 shuffle then draws a new order (a TF1
    iterator re-initialized repeats it): each epoch of fit sees the files in a new order."""
    from tfgraph_keras.engine.data import _DatasetEpochs
    ds = U.text_dataset_from_directory(os.path.join(root, "text"), batch_size=None, seed=3,
                                       verbose=False)
    epochs = _DatasetEpochs(ds)
    first, second = ([_plain(t) for t, _ in epoch] for epoch in (list(epochs), list(epochs)))
    assert first != second and sorted(first) == sorted(second)
    again = _DatasetEpochs(ds)    # the same seed: the same sequence of orders
    assert [_plain(t) for t, _ in again] == first
