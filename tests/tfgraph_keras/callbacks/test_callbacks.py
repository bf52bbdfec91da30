"""Callbacks: hook order, EarlyStopping, ModelCheckpoint, LR schedules, CSVLogger, NaN, Lambda."""
import csv
import math
import os

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import callbacks, layers


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def _model(lr=0.05):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(lr), "mse")
    return model


X = np.random.RandomState(0).randn(32, 2).astype(np.float32)
Y = X @ np.array([[1.0], [-1.0]], np.float32)


def test_hooks_are_called_in_order():
    calls = []

    class Rec(callbacks.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append("epoch_begin %d" % epoch)

        def on_train_batch_end(self, batch, logs=None):
            calls.append("batch_end %d %s" % (batch, sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            calls.append("epoch_end %d %s" % (epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            calls.append("train_end")
    _model().fit(X, Y, batch_size=16, epochs=2, verbose=0, validation_split=0.5, callbacks=[Rec()])
    assert calls == ["train_begin", "epoch_begin 0", "batch_end 0 ['loss']",
                     "epoch_end 0 ['loss', 'val_loss']", "epoch_begin 1", "batch_end 0 ['loss']",
                     "epoch_end 1 ['loss', 'val_loss']", "train_end"]


def test_early_stopping_restores_best_weights():
    model = _model(lr=0.0)
    seen = []

    class Spoil(callbacks.Callback):  # makes val_loss worse after epoch 1
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [3.0, 1.0, 2.0, 2.5, 2.6, 2.7][epoch]
            seen.append(model.get_weights()[1].copy())
            model.set_weights([model.get_weights()[0], np.full(1, epoch + 1.0, np.float32)])
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True,
                                   verbose=1)
    hist = model.fit(X, Y, epochs=6, verbose=0, validation_split=0.5, callbacks=[Spoil(), stop])
    assert len(hist.history["loss"]) == 4 and stop.stopped_epoch == 3 and stop.best_epoch == 1
    np.testing.assert_array_equal(model.get_weights()[1], [2.0])  # weights after epoch 1's hook


def test_early_stopping_on_accuracy_uses_max_mode():
    assert callbacks.EarlyStopping(monitor="val_accuracy").mode == "max"
    assert callbacks.EarlyStopping(monitor="val_loss").mode == "min"


def test_model_checkpoint_best_only_and_formatted_path(tmp_path):
    saved = []

    class Model(keras.Sequential):
        def save(self, filepath, overwrite=True, **kwargs):
            saved.append(os.path.basename(filepath))
            open(filepath, "w").close()
    model = Model([keras.Input((2,)), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    values = iter([1.0, 0.5, 0.7, 0.2])

    class Fake(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(values)
    path = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.keras")
    ckpt = callbacks.ModelCheckpoint(path, save_best_only=True)
    model.fit(X, Y, epochs=4, verbose=0, callbacks=[Fake(), ckpt])
    assert sorted(os.listdir(tmp_path)) == ["w.01-1.00.keras", "w.02-0.50.keras",
                                            "w.04-0.20.keras"]
    assert all(".tmp-checkpoint" in s for s in saved)  # written aside, then renamed


def test_model_checkpoint_never_saves_a_nan_model(tmp_path):
    model = _model()
    path = tmp_path / "m.keras"

    class NaN(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["loss"] = float("nan")
    with pytest.warns(UserWarning, match="not saving"):
        model.fit(X, Y, epochs=1, verbose=0,
                  callbacks=[NaN(), callbacks.ModelCheckpoint(str(path))])
    assert not path.exists()


def test_learning_rate_scheduler_and_reduce_on_plateau():
    model = _model()
    hist = model.fit(X, Y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))])
    np.testing.assert_allclose(hist.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, trainable=False)])
    model.compile(keras.optimizers.SGD(0.4), "mse")  # nothing trains: the loss never improves
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.15)
    hist = model.fit(X, Y, epochs=4, verbose=0, callbacks=[reduce])
    np.testing.assert_allclose(hist.history["learning_rate"], [0.4, 0.4, 0.2, 0.15], rtol=1e-6)


def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    _model().fit(X, Y, epochs=2, verbose=0, validation_split=0.25,
                 callbacks=[callbacks.CSVLogger(str(path))])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "val_loss"] and [r[0] for r in rows[1:]] == ["0", "1"]
    assert float(rows[2][1]) < float(rows[1][1])


def test_terminate_on_nan_and_lambda_callback(capsys):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e6), "mse")
    ends = []
    hist = model.fit(X * 1e3, Y * 1e3, batch_size=4, epochs=5, verbose=0, callbacks=[
        callbacks.TerminateOnNaN(),
        callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(epoch))])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert len(hist.history["loss"]) == 1 and ends == [0]
    assert not math.isfinite(hist.history["loss"][0])
