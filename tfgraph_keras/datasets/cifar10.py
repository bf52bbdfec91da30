"""keras.datasets.cifar10: 50,000 32x32 colour training and 10,000 test images, 10 classes."""
import os

import numpy as np

from tfgraph_keras.datasets._cifar import read_batches, to_data_format
from tfgraph_keras.datasets._files import ENV

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 32, 32, 3) (channels_first:
    (N, 3, 32, 32)) and uint8 labels (N, 1).

    Reads cifar10.npz from $TFGRAPH_DATASETS_DIR when present, else Keras's cifar-10-batches-py
    (extracted directory or python tarball)."""
    env_dir = os.environ.get(ENV)
    if env_dir and os.path.exists(os.path.join(env_dir, "cifar10.npz")):
        with np.load(os.path.join(env_dir, "cifar10.npz"), allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    names = ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]
    batches = read_batches("cifar-10-batches-py", names, ORIGIN, SHA256, "labels")
    x_train = np.concatenate([x for x, _ in batches[:5]])
    y_train = np.concatenate([np.asarray(y, np.uint8) for _, y in batches[:5]]).reshape(-1, 1)
    x_test, y_test = batches[5][0], np.asarray(batches[5][1], np.uint8).reshape(-1, 1)
    return (to_data_format(x_train), y_train), (to_data_format(x_test), y_test)
