"""keras.datasets.mnist: 60,000 28x28 grayscale training digits and 10,000 test digits."""
import numpy as np

from tfgraph_keras.datasets._files import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, from the standard mnist.npz."""
    path = get_file(path, origin=ORIGIN, file_hash=SHA256)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
