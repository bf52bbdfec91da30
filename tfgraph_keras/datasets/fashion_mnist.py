"""keras.datasets.fashion_mnist: 28x28 grayscale images of 10 clothing classes (60k/10k)."""
import gzip
import os

import numpy as np

from tfgraph_keras.datasets._files import ENV, get_file

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz"]


def load_data():
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays.

    Reads fashion_mnist.npz (x_train, y_train, x_test, y_test) from $TFGRAPH_DATASETS_DIR when it is
    there, else the four gzip files Keras uses (cached under ~/.keras/datasets/fashion-mnist)."""
    env_dir = os.environ.get(ENV)
    if env_dir and os.path.exists(os.path.join(env_dir, "fashion_mnist.npz")):
        with np.load(os.path.join(env_dir, "fashion_mnist.npz"), allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    paths = [get_file(os.path.join("fashion-mnist", name), origin=BASE + name) for name in FILES]
    with gzip.open(paths[0], "rb") as f:
        y_train = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(paths[1], "rb") as f:
        x_train = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y_train), 28, 28)
    with gzip.open(paths[2], "rb") as f:
        y_test = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(paths[3], "rb") as f:
        x_test = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
