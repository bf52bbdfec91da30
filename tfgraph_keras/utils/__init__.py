"""keras.utils: to_categorical, normalize, pad_sequences, Sequence, Progbar, get_file,
custom_object_scope."""
from tfgraph_keras.callbacks.progbar import Progbar
from tfgraph_keras.datasets._files import get_file
from tfgraph_keras.engine.data import PyDataset, Sequence
from tfgraph_keras.engine.train_step import (  # noqa: F401 - Keras 3's data helpers
    pack_x_y_sample_weight, unpack_x_y_sample_weight)
from tfgraph_keras.preprocessing.sequence import pad_sequences
from tfgraph_keras.utils.model_visualization import model_to_dot, plot_model
from tfgraph_keras.utils.dataset_utils import split_dataset, text_dataset_from_directory  # noqa
from tfgraph_keras.utils.image_dataset import image_dataset_from_directory
from tfgraph_keras.utils.timeseries import timeseries_dataset_from_array
from tfgraph_keras.utils.numerical_utils import normalize, to_categorical


def set_random_seed(seed):
    """Seeds numpy's and tfgraph's random generators (weight init, shuffling, dropout)."""
    import random

    import numpy as np

    import tfgraph as tf
    random.seed(seed)
    np.random.seed(seed)
    tf.set_random_seed(seed)
    from tfgraph_keras import random as keras_random
    keras_random.set_global_seed(seed)  # keras.random draws with seed=None


def __getattr__(name):
    if name in ("custom_object_scope", "register_keras_serializable", "get_registered_object",
                "serialize_keras_object", "deserialize_keras_object"):
        from tfgraph_keras.saving import serialization
        return getattr(serialization, name)
    raise AttributeError("module 'tfgraph_keras.utils' has no attribute '%s'" % name)


__all__ = ["Progbar", "PyDataset", "Sequence", "get_file", "normalize", "pad_sequences",
           "to_categorical",
           "set_random_seed", "plot_model", "model_to_dot",
           "image_dataset_from_directory", "split_dataset", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
