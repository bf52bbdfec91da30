"""keras.datasets.cifar100: 50,000 32x32 colour training and 10,000 test images in 100 fine (or
20 coarse) classes, from Keras's cifar-100-python archive (extracted or .tar.gz)."""
import numpy as np

from tfgraph_keras.datasets._cifar import read_batches, to_data_format

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 32, 32, 3) (channels_first:
    (N, 3, 32, 32)) and labels (N, 1); label_mode 'fine' (100 classes) or 'coarse' (20)."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. Received: '
                         'label_mode=%s.' % (label_mode,))
    (x_train, y_train), (x_test, y_test) = read_batches(
        "cifar-100-python", ["train", "test"], ORIGIN, SHA256, label_mode + "_labels")
    y_train = np.reshape(np.asarray(y_train), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test), (len(y_test), 1))
    return (to_data_format(x_train), y_train), (to_data_format(x_test), y_test)
