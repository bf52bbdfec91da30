"""keras.utils.text_dataset_from_directory and split_dataset, and the directory indexing they
share with image_dataset_from_directory; all return tfgraph Datasets (tfgraph.data), which
`fit`, `evaluate` and `predict` accept.

File order, the seeded file shuffle and the training/validation split are Keras's (the same
seed picks the same files); the per-epoch shuffle of the returned dataset is tfgraph's own.
"""
import os
import random

import numpy as np

from tfgraph.data import Dataset
from tfgraph.data.transformations import _Batch
from tfgraph.ops import io_ops, string_ops


def check_labels_args(labels, label_mode, class_names, what):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("`labels` argument should be a list/tuple of integer labels, of the "
                             "same size as the number of %s files in the target directory. If "
                             "you wish to infer the labels from the subdirectory names in the "
                             "target directory, pass `labels=\"inferred\"`. If you wish to get a "
                             "dataset that only contains %s samples (no labels), pass "
                             "`labels=None`. Received: labels=%s" % (what, what, labels))
        if class_names:
            raise ValueError("You can only pass `class_names` if `labels=\"inferred\"`. "
                             "Received: labels=%s, and class_names=%s" % (labels, class_names))
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError("`label_mode` argument must be one of \"int\", \"categorical\", "
                         "\"binary\", or None. Received: label_mode=%s" % (label_mode,))


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError("`validation_split` must be between 0 and 1, received: %s"
                         % (validation_split,))
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError("`subset` must be either \"training\", \"validation\" or \"both\", "
                         "received: %s" % (subset,))
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def _valid_files(directory, follow_links, formats):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """(file paths, labels, class_names) as Keras lists them: one class per subdirectory in
    sorted order (or `class_names`' order), files sorted, then shuffled by RandomState(seed)."""
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 "subdirectories of the target directory. Expected: %s (or a "
                                 "subset of it), but received: class_names=%s"
                                 % (subdirs, class_names))
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                                 "be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` cannot "
                             "be specified (the `class_names` will be the sorted list of labels).")
    class_names = subdirs
    filenames, found = [], []
    for index, subdir in enumerate(subdirs):
        path = os.path.join(directory, subdir)
        dirname = os.path.basename(path)
        for root, name in _valid_files(path, follow_links, formats):
            filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, name),
                                                                   path)))
            found.append(index)
    if labels == "inferred":
        labels = np.array(found, dtype=np.int32)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError("Expected the lengths of `labels` to match the number of files in "
                             "the target directory. len(labels) is %d while we found %d files "
                             "in directory %s." % (len(labels), len(filenames), directory))
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print("Found %d files." % len(filenames))
        else:
            print("Found %d files belonging to %d classes." % (len(filenames), len(class_names)))
    paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            labels = np.array(labels)
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def training_or_validation_split(samples, labels, validation_split, subset):
    """The last int(validation_split * n) samples for "validation", the rest for "training"."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print("Using %d files for training." % (len(samples) - num_val))
        return samples[:-num_val], None if labels is None else labels[:-num_val]
    if subset == "validation":
        print("Using %d files for validation." % num_val)
        return samples[-num_val:], None if labels is None else labels[-num_val:]
    raise ValueError("`subset` must be either \"training\" or \"validation\", received: %s"
                     % (subset,))


def labels_to_dataset(labels, label_mode, num_classes):
    """int32 labels; binary: float32 [1]; categorical: float32 one-hot."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        labels = labels.astype(np.float32).reshape(-1, 1)
    elif label_mode == "categorical":
        labels = np.eye(num_classes, dtype=np.float32)[labels.astype(np.int64)]
    else:
        labels = labels.astype(np.int32) if labels.dtype.kind in "iub" else labels
    return Dataset.from_tensor_slices(labels)


def paths_and_labels_dataset(paths, labels, label_mode, num_classes, load, shuffle,
                             buffer_size, seed, batch_size):
    """Zip(paths, labels) -> shuffle -> map(load) -> batch, as Keras's tf pipeline."""
    ds = Dataset.from_tensor_slices(np.array(paths, dtype=object))
    if label_mode:
        ds = Dataset.zip((ds, labels_to_dataset(labels, label_mode, num_classes)))
    if shuffle:
        ds = ds.shuffle(buffer_size=buffer_size or 1024, seed=seed)
    ds = ds.map((lambda x, y: (load(x), y)) if label_mode else load)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds


def datasets_from_directory(directory, labels, label_mode, class_names, batch_size, shuffle,
                            seed, validation_split, subset, follow_links, verbose, formats,
                            load, what):
    """The shared body of text/image_dataset_from_directory."""
    check_labels_args(labels, label_mode, class_names, what)
    if labels is None or label_mode is None:
        labels = label_mode = None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats, class_names,
                                                 shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError("When passing `label_mode=\"binary\"`, there must be exactly 2 "
                         "class_names. Received: class_names=%s" % (class_names,))
    buffer_size = batch_size * 8 if batch_size is not None else 1024
    num_classes = len(class_names) if class_names else 0
    kind = "text" if what == "text" else "image"
    allowed = "Allowed format: .txt" if what == "text" else "Allowed formats: %s" % (formats,)
    parts = [("training", shuffle), ("validation", False)] if subset == "both" \
        else [(subset, shuffle)]
    out = []
    for part, shuffled in parts:
        part_paths, part_labels = training_or_validation_split(paths, labels, validation_split,
                                                               part)
        if not part_paths:
            raise ValueError("No %s%s files found in directory %s. %s"
                             % ("" if subset != "both" else part + " ", kind, directory,
                                allowed))
        ds = paths_and_labels_dataset(part_paths, part_labels, label_mode, num_classes, load,
                                      shuffled, buffer_size, seed, batch_size)
        ds.class_names = class_names
        ds.file_paths = list(part_paths)
        out.append(ds)
    return out if subset == "both" else out[0]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A Dataset of (texts, labels) batches from the .txt files of `directory`'s class
    subdirectories (see keras.utils.text_dataset_from_directory); `.class_names` lists the
    classes. subset="both" returns (training, validation)."""
    if format != "tf":
        raise ValueError("`format` should be either \"tf\" or \"grain\". Received: format=%s; "
                         "tfgraph supports \"tf\" only." % (format,))

    def load(path):
        text = io_ops.read_file(path)
        return text if max_length is None else string_ops.substr(text, 0, max_length)
    return datasets_from_directory(directory, labels, label_mode, class_names, batch_size,
                                   shuffle, seed, validation_split, subset, follow_links,
                                   verbose, (".txt",), load, "text")


# -- split_dataset ---------------------------------------------------------------------------------
def _samples(dataset):
    """The dataset's samples (a list), unbatching a batched Dataset as Keras does."""
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list dataset. Please provide a non-empty "
                             "list of arrays.")
        n = None
        for i, a in enumerate(dataset):
            if not isinstance(a, np.ndarray):
                raise ValueError("Expected a list of `numpy.ndarray` objects,Received: %s at "
                                 "index %d." % (type(a), i))
            if n is not None and a.shape[0] != n:
                raise ValueError("Received a list of NumPy arrays with different lengths.")
            n = a.shape[0]
        return list(zip(*dataset))
    if isinstance(dataset, np.ndarray):
        return list(dataset)
    if hasattr(dataset, "as_numpy_iterator"):
        if isinstance(dataset, _Batch):
            dataset = dataset.unbatch()
        from tfgraph_keras.engine.data import _DatasetEpochs
        return list(_DatasetEpochs(dataset))
    raise TypeError("The `dataset` argument must be either a `tf.data.Dataset` object, or a "
                    "list/tuple of arrays. Received: dataset=%s of type %s"
                    % (dataset, type(dataset)))


def _split_sizes(left, right, total):
    for what, v in (("left_size", left), ("right_size", right)):
        if v is not None and type(v) not in (int, float):
            raise TypeError("Invalid `%s` Type. Expected: int or float or None, Received: "
                            "type(%s)=%s." % (what, what, type(v)))
    if left == 0 and right == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split "
                         "sizes must be non-zero.")
    for what, v in (("left_size", left), ("right_size", right)):
        if (type(v) is int and (v <= 0 or v >= total)) or \
                (type(v) is float and (v <= 0 or v >= 1)):
            raise ValueError("`%s` should be either a positive integer smaller than %d, or a "
                             "float within the range `[0, 1]`. Received: %s=%s"
                             % (what, total, what, v))
    if type(left) is float and type(right) is float and left + right > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    left = round(left * total) if type(left) is float else left
    right = round(right * total) if type(right) is float else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError("The sum of `left_size` and `right_size` should be smaller than the %d. "
                         "Received: left_size + right_size = %d and total_length = %d"
                         % (total, left + right, total))
    for side, v in (("left", left), ("right", right)):
        if v == 0:
            raise ValueError("With `dataset` of length=%d, `left_size`=%s and `right_size`=%s. "
                             "Resulting %s side dataset split will be empty. Adjust any of the "
                             "aforementioned parameters" % (total, left, right, side))
    return int(left), int(right)


def _to_dataset(samples):
    first = samples[0]
    if isinstance(first, tuple):
        return Dataset.from_tensor_slices(tuple(np.array(c) for c in zip(*samples)))
    if isinstance(first, dict):
        return Dataset.from_tensor_slices({k: np.array([s[k] for s in samples]) for k in first})
    return Dataset.from_tensor_slices(np.array(samples))


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """(left, right) Datasets from a Dataset, an array or a list/tuple of arrays: sizes as
    counts or fractions (the other side takes the rest); shuffle=True shuffles the samples with
    Python's random.seed(seed) first, as Keras does (so the same seed gives the same split). A
    batched Dataset is unbatched and both sides are batched again by its batch size."""
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    samples = _samples(dataset)
    if not samples:
        raise ValueError("Received an empty dataset. Argument `dataset` must be a non-empty "
                         "list/tuple of `numpy.ndarray` objects or `tf.data.Dataset` objects.")
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.seed(seed)
        random.shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))
    out = [_to_dataset(samples[:left]), _to_dataset(samples[-right:])]
    if isinstance(dataset, _Batch) and isinstance(dataset._n, int):
        out = [ds.batch(dataset._n) for ds in out]
    return tuple(out)


__all__ = ["split_dataset", "text_dataset_from_directory"]
