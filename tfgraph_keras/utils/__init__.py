"""keras.utils: to_categorical, normalize, Sequence, Progbar."""
from tfgraph_keras.callbacks.progbar import Progbar
from tfgraph_keras.engine.data import PyDataset, Sequence

__all__ = ["Progbar", "PyDataset", "Sequence"]
