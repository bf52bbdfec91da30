"""keras.callbacks namespace (re-exports only)."""
from tfgraph_keras.callbacks.callback import Callback, CallbackList
from tfgraph_keras.callbacks.history import History
from tfgraph_keras.callbacks.progbar import ProgbarLogger
from tfgraph_keras.callbacks.tensorboard import TensorBoard

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "TensorBoard"]
