"""keras.datasets.cifar10: 50,000 32x32 colour training and 10,000 test images, 10 classes."""
import os
import pickle
import tarfile

import numpy as np

from tfgraph_keras import backend
from tfgraph_keras.datasets._files import ENV, get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def _batch(data):
    x = data["data"].reshape(-1, 3, 32, 32)
    y = np.asarray(data["labels"], np.uint8).reshape(-1, 1)
    return x, y


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 32, 32, 3) and labels (N, 1).

    Reads cifar10.npz from $TFGRAPH_DATASETS_DIR when present, else Keras's python tarball."""
    env_dir = os.environ.get(ENV)
    if env_dir and os.path.exists(os.path.join(env_dir, "cifar10.npz")):
        with np.load(os.path.join(env_dir, "cifar10.npz"), allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    path = get_file("cifar-10-python.tar.gz", origin=ORIGIN, file_hash=SHA256)
    xs, ys = [], []
    with tarfile.open(path, "r:gz") as tar:
        members = {os.path.basename(m.name): m for m in tar.getmembers()}
        for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]:
            # numpy arrays pickled by the CIFAR authors; read with encoding='bytes' keys
            data = pickle.load(tar.extractfile(members[name]), encoding="latin1")
            x, y = _batch(data)
            xs.append(x)
            ys.append(y)
    x_train, y_train = np.concatenate(xs[:5]), np.concatenate(ys[:5])
    x_test, y_test = xs[5], ys[5]
    if backend.image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
