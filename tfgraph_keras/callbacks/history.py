"""keras.callbacks.History: `model.fit(...)` returns it; `history.history['loss']` per epoch."""
import warnings

from tfgraph_keras.callbacks.callback import Callback

_OLD_KEYS = {"acc": "accuracy", "val_acc": "val_accuracy"}


class HistoryDict(dict):
    """history.history: also answers the old 'acc'/'val_acc' keys, with a DeprecationWarning."""

    def __missing__(self, key):
        new = _OLD_KEYS.get(key)
        if new is None and key.endswith("_acc"):
            new = key[:-4] + "_accuracy"
        if new is not None and dict.__contains__(self, new):
            warnings.warn("history.history['%s'] is the old name of '%s'." % (key, new),
                          DeprecationWarning, stacklevel=2)
            return dict.__getitem__(self, new)
        raise KeyError(key)

    def __contains__(self, key):
        if dict.__contains__(self, key):
            return True
        new = _OLD_KEYS.get(key) or (key[:-4] + "_accuracy" if key.endswith("_acc") else None)
        return new is not None and dict.__contains__(self, new)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


class History(Callback):
    def __init__(self):
        super().__init__()
        self.history = HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self
