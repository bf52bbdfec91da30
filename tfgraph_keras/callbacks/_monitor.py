"""The 'monitor'/'mode' logic shared by EarlyStopping, ModelCheckpoint and ReduceLROnPlateau."""
import warnings

import numpy as np


def monitor_mode(monitor, mode, owner):
    if mode not in ("auto", "min", "max"):
        warnings.warn("%s mode %s is unknown, fallback to auto mode." % (owner, mode))
        mode = "auto"
    if mode == "auto":
        name = monitor[4:] if monitor.startswith("val_") else monitor
        mode = "max" if (name.endswith("acc") or name.endswith("accuracy") or name.endswith("auc")
                         or name in ("precision", "recall")) else "min"
    return mode


def improved(mode, current, reference, min_delta=0.0):
    if reference is None:
        return True
    if mode == "min":
        return bool(current + abs(min_delta) < reference)
    return bool(current - abs(min_delta) > reference)


def start_value(mode):
    return np.inf if mode == "min" else -np.inf
