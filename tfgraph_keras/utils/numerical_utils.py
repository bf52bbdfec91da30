"""keras.utils.to_categorical and normalize (numpy; Keras 3 keeps them in numerical_utils)."""
import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encodes integer labels: shape (..., num_classes); a trailing 1 axis is dropped."""
    y = np.array(y, dtype="int64")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if num_classes is None:
        num_classes = int(np.max(y)) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError("to_categorical: labels must be in [0, %d); got values in [%d, %d]."
                         % (num_classes, y.min(), y.max()))
    out = np.zeros((y.shape[0], num_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """x divided by its `order`-norm along `axis` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
