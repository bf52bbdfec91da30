"""CIFAR python batches: pickled dicts of uint8 image rows and labels, read with the restricted
unpickler (from an extracted directory or straight out of the tarball)."""
import os
import tarfile

import numpy as np

from tfgraph_keras import backend
from tfgraph_keras.datasets._files import find_local, get_file, safe_pickle_load


def _decode_keys(d):
    return {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}


def read_batches(dirname, names, origin, sha256, label_key):
    """[(x (n, 3, 32, 32) uint8, y list)] for the batch files `names` of the archive whose top
    directory is `dirname`: an extracted directory found locally wins over the tarball
    (<dirname>.tar.gz as Keras caches it, or the origin's file name)."""
    found, _ = find_local(dirname)
    out = []
    if found is not None and os.path.isdir(found):
        for name in names:
            with open(os.path.join(found, name), "rb") as f:
                out.append(_batch(safe_pickle_load(f, encoding="bytes"), label_key))
        return out
    # Keras caches the archive as <dirname>.tar.gz; the download is named after the origin
    path = find_local(dirname + ".tar.gz")[0] or get_file(os.path.basename(origin), origin=origin,
                                                          file_hash=sha256)
    with tarfile.open(path, "r:gz") as tar:
        members = {os.path.basename(m.name): m for m in tar.getmembers() if m.isfile()}
        for name in names:
            out.append(_batch(safe_pickle_load(tar.extractfile(members[name]),
                                               encoding="bytes"), label_key))
    return out


def _batch(d, label_key):
    d = _decode_keys(d)
    x = np.asarray(d["data"], dtype=np.uint8)
    return x.reshape(x.shape[0], 3, 32, 32), d[label_key]


def to_data_format(x):
    return x.transpose(0, 2, 3, 1) if backend.image_data_format() == "channels_last" else x
