"""Records Keras 3.15's data utilities for tests/tfgraph_keras/utils/test_keras_data_utils.py:
text/image_dataset_from_directory (class names, which files each subset holds, batches when not
shuffled, labels, resized pixels), timeseries_dataset_from_array and split_dataset, and errors.

Run with the TensorFlow virtualenv:  /root/venvs/tf/bin/python tests/reference/make_keras_data_utils.py
Writes tests/data/keras_data_utils.json; the directories are rebuilt by the test from the
"files" and "images" entries.
"""
import json
import os
import tempfile

import numpy as np
import tensorflow as tf
import keras
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                   "keras_data_utils.json")
U = keras.utils


def text_files():
    files = {}
    words = ["alpha", "beta", "gamma", "delta", "eps"]
    for c, cls in enumerate(["cats", "dogs", "birds"]):
        for i in range(6 + c):
            files["%s/f%02d.txt" % (cls, i)] = "%s %s text number %d" % (cls, words[i % 5], i)
    files["dogs/deep/nested.txt"] = "a nested dogs file"
    files["cats/notes.md"] = "not a text sample"
    files[".hidden/x.txt"] = "hidden class"
    return files


def images():
    rng = np.random.RandomState(0)
    return {"red/%d.png" % i: rng.randint(0, 256, (6, 9, 3)).tolist() for i in range(3)} | \
        {"blue/%d.png" % i: rng.randint(0, 256, (8, 5, 3)).tolist() for i in range(2)}


def write(root, files, imgs):
    for rel, content in files.items():
        path = os.path.join(root, "text", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
    for rel, pixels in imgs.items():
        path = os.path.join(root, "img", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(np.array(pixels, np.uint8)).save(path)


def rel(paths, root):
    return [os.path.relpath(p, root) for p in paths]


def batches(ds):
    out = []
    for b in ds:
        parts = b if isinstance(b, tuple) else (b,)
        row = []
        for p in parts:
            a = p.numpy() if hasattr(p, "numpy") else p
            if isinstance(a, bytes):
                row.append(a.decode())
            else:
                a = np.asarray(a)
                row.append([v.decode() for v in a.tolist()] if a.dtype.kind == "O"
                           else a.tolist())
        out.append(row)
    return out


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return [type(e).__name__, str(e)]
    return None


def text_cases(root):
    d = os.path.join(root, "text")
    cases = {}
    for key, kw in {"plain": dict(shuffle=False, batch_size=5),
                    "binary_subset": dict(shuffle=False, class_names=["dogs", "cats"],
                                          label_mode="binary", batch_size=4),
                    "categorical_maxlen": dict(shuffle=False, label_mode="categorical",
                                               max_length=9, batch_size=8),
                    "no_labels": dict(shuffle=False, labels=None, batch_size=None)}.items():
        ds = U.text_dataset_from_directory(d, **kw)
        cases[key] = {"kwargs": kw, "class_names": ds.class_names, "batches": batches(ds)}
    for seed in (1, 42):
        tr, va = U.text_dataset_from_directory(d, seed=seed, validation_split=0.25,
                                               subset="both", batch_size=4)
        only = U.text_dataset_from_directory(d, seed=seed, validation_split=0.25,
                                             subset="validation", batch_size=4)
        cases["split_%d" % seed] = {
            "seed": seed, "class_names": tr.class_names,
            "train_texts": sorted(v.decode() for b in tr for v in b[0].numpy().tolist()),
            "val_texts": sorted(v.decode() for b in va for v in b[0].numpy().tolist()),
            "val_only_texts": sorted(v.decode() for b in only for v in b[0].numpy().tolist()),
            "train_pairs": sorted([v.decode(), int(y)] for b in tr
                                  for v, y in zip(b[0].numpy().tolist(), b[1].numpy().tolist()))}
    n = sum(1 for _ in U.text_dataset_from_directory(d, labels=None, batch_size=None))
    cases["explicit_labels"] = {
        "labels": [i % 2 for i in range(n)],
        "class_names": U.text_dataset_from_directory(
            d, labels=[i % 2 for i in range(n)], shuffle=False).class_names,
        "batches": batches(U.text_dataset_from_directory(
            d, labels=[i % 2 for i in range(n)], shuffle=False, batch_size=32))}
    cases["errors"] = {
        "no_seed": error(lambda: U.text_dataset_from_directory(d, validation_split=0.2,
                                                               subset="training")),
        "binary3": error(lambda: U.text_dataset_from_directory(d, label_mode="binary")),
        "bad_mode": error(lambda: U.text_dataset_from_directory(d, label_mode="sparse")),
        "bad_subset": error(lambda: U.text_dataset_from_directory(d, validation_split=0.2,
                                                                  subset="test", seed=1)),
        "split_only": error(lambda: U.text_dataset_from_directory(d, validation_split=0.2)),
        "class_names": error(lambda: U.text_dataset_from_directory(d, class_names=["cows"])),
        "label_count": error(lambda: U.text_dataset_from_directory(d, labels=[0, 1])),
    }
    return cases


def image_cases(root):
    d = os.path.join(root, "img")
    cases = {}
    for key, kw in {"bilinear": dict(image_size=(4, 6)),
                    "nearest": dict(image_size=(5, 3), interpolation="nearest"),
                    "gray_up": dict(image_size=(9, 9), color_mode="grayscale"),
                    "crop": dict(image_size=(4, 4), crop_to_aspect_ratio=True),
                    "pad": dict(image_size=(4, 4), pad_to_aspect_ratio=True),
                    "pad_nearest": dict(image_size=(3, 7), pad_to_aspect_ratio=True,
                                        interpolation="nearest"),
                    "rgba_categorical": dict(image_size=(3, 3), color_mode="rgba",
                                             label_mode="categorical")}.items():
        ds = U.image_dataset_from_directory(d, shuffle=False, batch_size=2, **kw)
        cases[key] = {"kwargs": {k: list(v) if isinstance(v, tuple) else v
                                 for k, v in kw.items()},
                      "class_names": ds.class_names, "file_paths": rel(ds.file_paths, d),
                      "batches": batches(ds), "dtype": ds.element_spec[0].dtype.name}
    tr = U.image_dataset_from_directory(d, seed=7, validation_split=0.4, subset="training",
                                        image_size=(2, 2))
    cases["split_7"] = {"file_paths": rel(tr.file_paths, d)}
    cases["errors"] = {"color": error(lambda: U.image_dataset_from_directory(
        d, color_mode="cmyk")), "size": error(lambda: U.image_dataset_from_directory(
            d, image_size=(1, 2, 3)))}
    return cases


def timeseries_cases():
    data = np.arange(40, dtype=np.float32).reshape(20, 2)
    targets = np.arange(20) * 10
    cases = {"data": data.tolist(), "targets": targets.tolist()}
    for key, kw in {"plain": dict(sequence_length=4, batch_size=3),
                    "strided": dict(sequence_length=3, sequence_stride=2, sampling_rate=3,
                                    batch_size=4),
                    "window": dict(sequence_length=2, start_index=5, end_index=15,
                                   batch_size=5),
                    "no_batch": dict(sequence_length=5, sequence_stride=4, batch_size=None)}.items():
        ds = U.timeseries_dataset_from_array(data, targets, **kw)
        cases[key] = {"kwargs": kw, "batches": batches(ds)}
    ds = U.timeseries_dataset_from_array(data, None, sequence_length=6, batch_size=4)
    cases["no_targets"] = {"batches": batches(ds)}
    ds = U.timeseries_dataset_from_array(data, targets, sequence_length=3, shuffle=True,
                                         seed=5, batch_size=4)
    cases["shuffled"] = {"pairs": sorted([w[0][0], t] for b in batches(ds)
                                         for w, t in zip(b[0], b[1]))}
    cases["errors"] = {
        "start": error(lambda: U.timeseries_dataset_from_array(data, None, 3, start_index=25)),
        "end": error(lambda: U.timeseries_dataset_from_array(data, None, 3, start_index=5,
                                                             end_index=4)),
        "rate": error(lambda: U.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)),
        "stride": error(lambda: U.timeseries_dataset_from_array(data, None, 3,
                                                                sequence_stride=30)),
    }
    return cases


def split_cases():
    x = np.arange(30).reshape(10, 3)
    y = np.arange(10)
    cases = {}
    left, right = U.split_dataset(x, left_size=0.7, shuffle=True, seed=11)
    cases["array_shuffled"] = [[a.tolist() for a in left.as_numpy_iterator()],
                               [a.tolist() for a in right.as_numpy_iterator()]]
    left, right = U.split_dataset((x, y), left_size=3, right_size=4)
    cases["tuple_counts"] = [batches(left.batch(10)), batches(right.batch(10))]
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    left, right = U.split_dataset(ds, right_size=0.3, shuffle=True, seed=2)
    cases["batched_dataset"] = [batches(left), batches(right)]
    cases["errors"] = {
        "none": error(lambda: U.split_dataset(x)),
        "zero": error(lambda: U.split_dataset(x, left_size=0, right_size=0)),
        "big": error(lambda: U.split_dataset(x, left_size=10)),
        "sum": error(lambda: U.split_dataset(x, left_size=0.6, right_size=0.5)),
        "type": error(lambda: U.split_dataset(x, left_size="3")),
    }
    return cases


def main():
    files, imgs = text_files(), images()
    with tempfile.TemporaryDirectory() as root:
        write(root, files, imgs)
        result = {"keras": keras.__version__, "files": files, "images": imgs,
                  "text": text_cases(root), "image": image_cases(root)}
    result["timeseries"] = timeseries_cases()
    result["split"] = split_cases()
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
