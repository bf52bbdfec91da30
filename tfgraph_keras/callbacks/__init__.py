"""keras.callbacks namespace (re-exports only)."""
from tfgraph_keras.callbacks.callback import Callback, CallbackList
from tfgraph_keras.callbacks.history import History
from tfgraph_keras.callbacks.progbar import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
