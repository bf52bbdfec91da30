"""keras.datasets.boston_housing: 506 samples of 13 house features and median prices (k$)."""
import numpy as np

from tfgraph_keras.datasets._files import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """((x_train, y_train), (x_test, y_test)): float64 (n, 13) features and (n,) prices, shuffled
    with RandomState(seed), the last `test_split` held out (Keras's split)."""
    if not 0 <= test_split < 1:
        raise ValueError("test_split must be in [0, 1); received %r" % (test_split,))
    with np.load(get_file(path, origin=ORIGIN, file_hash=SHA256), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    idx = np.arange(len(x))
    np.random.RandomState(seed).shuffle(idx)
    x, y = x[idx], y[idx]
    n = int(len(x) * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])
