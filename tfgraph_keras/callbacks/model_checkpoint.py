"""keras.callbacks.ModelCheckpoint: save the model (or weights) after epochs, or only the best.

The file is written to a temporary name and renamed, and a NaN/inf loss is never saved, so a good
checkpoint is never overwritten by a half-written or diverged model."""
import math
import os
import warnings

from tfgraph_keras.callbacks._monitor import improved, monitor_mode, start_value
from tfgraph_keras.callbacks.callback import Callback


class ModelCheckpoint(Callback):
    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, period=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.period = period or 1
        self.mode = monitor_mode(monitor, mode, "ModelCheckpoint")
        self.best = initial_value_threshold if initial_value_threshold is not None \
            else start_value(self.mode)
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(getattr(self, "_epoch", 0), logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, logs)

    def _filepath(self, epoch, logs):
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as e:
            raise KeyError("Failed to format this callback filepath: \"%s\". Reason: %s"
                           % (self.filepath, e)) from None

    def _save(self, epoch, logs):
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            warnings.warn("ModelCheckpoint: loss is %s at epoch %d; not saving."
                          % (loss, epoch + 1))
            return
        filepath = self._filepath(epoch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn("Can save best model only with %s available, skipping."
                              % self.monitor)
                return
            if not math.isfinite(current) or not improved(self.mode, current, self.best):
                if self.verbose > 0:
                    print("\nEpoch %d: %s did not improve from %.5f"
                          % (epoch + 1, self.monitor, self.best))
                return
            if self.verbose > 0:
                print("\nEpoch %d: %s improved from %.5f to %.5f, saving model to %s"
                      % (epoch + 1, self.monitor, self.best, current, filepath))
            self.best = current
        elif self.verbose > 0:
            print("\nEpoch %d: saving model to %s" % (epoch + 1, filepath))
        self._write(filepath)

    def _write(self, filepath):
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        base, ext = os.path.splitext(filepath)
        tmp = base + ".tmp-checkpoint" + ext
        if self.save_weights_only:
            self.model.save_weights(tmp, overwrite=True)
        else:
            self.model.save(tmp, overwrite=True)
        os.replace(tmp, filepath)
