"""keras.callbacks namespace (re-exports only)."""
from tfgraph_keras.callbacks.callback import Callback
from tfgraph_keras.callbacks.callback_list import CallbackList
from tfgraph_keras.callbacks.csv_logger import CSVLogger
from tfgraph_keras.callbacks.early_stopping import EarlyStopping
from tfgraph_keras.callbacks.history import History
from tfgraph_keras.callbacks.lr_schedulers import LearningRateScheduler, ReduceLROnPlateau
from tfgraph_keras.callbacks.misc import LambdaCallback, TerminateOnNaN
from tfgraph_keras.callbacks.model_checkpoint import ModelCheckpoint
from tfgraph_keras.callbacks.progbar import ProgbarLogger
from tfgraph_keras.callbacks.tensorboard import TensorBoard

__all__ = ["Callback", "CallbackList", "CSVLogger", "EarlyStopping", "History",
           "LearningRateScheduler", "ReduceLROnPlateau", "LambdaCallback", "TerminateOnNaN",
           "ModelCheckpoint", "ProgbarLogger", "TensorBoard"]
