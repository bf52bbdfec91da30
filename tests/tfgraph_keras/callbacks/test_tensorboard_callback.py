"""keras.callbacks.TensorBoard: train/validation runs, epoch scalars, op graph and Keras graph."""
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="tensorboard not installed (pip install tfgraph[viz])")
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

import tfgraph_keras as keras


def _scalars(ea, tag):
    return [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in ea.Tensors(tag)]


def test_fit_writes_epoch_scalars_and_graphs(tmp_path):
    keras.backend.clear_session()
    rs = np.random.RandomState(0)
    x, y = rs.rand(40, 5).astype(np.float32), (rs.rand(40) > 0.5).astype(np.float32)
    inp = keras.Input((5,))
    out = keras.layers.Dense(1, activation="sigmoid", name="head")(
        keras.layers.Dense(8, activation="relu", name="hidden")(inp))
    model = keras.Model(inp, out)
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    logdir = str(tmp_path / "logs")
    hist = model.fit(x, y, batch_size=10, epochs=3, validation_split=0.25, verbose=0,
                     callbacks=[keras.callbacks.TensorBoard(logdir, histogram_freq=1)])
    assert sorted(os.listdir(logdir)) == ["train", "validation"]
    assert all(f.endswith(".v2") for f in os.listdir(os.path.join(logdir, "train")))
    train = event_accumulator.EventAccumulator(os.path.join(logdir, "train"),
                                               size_guidance={"tensors": 0, "histograms": 0})
    train.Reload()
    loss = _scalars(train, "epoch_loss")
    assert [s for s, _ in loss] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in loss], hist.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in _scalars(train, "epoch_accuracy")],
                               hist.history["accuracy"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in _scalars(train, "epoch_learning_rate")], [0.1] * 3,
                               rtol=1e-6)
    assert "keras" in train.Tags()["tensors"]
    assert any(t.endswith("/histogram") for t in train.Tags()["histograms"])
    names = {n.name for n in train.Graph().node}
    assert any(n.startswith("hidden/") for n in names) and any(n.startswith("head/") for n in names)
    val = event_accumulator.EventAccumulator(os.path.join(logdir, "validation"),
                                             size_guidance={"tensors": 0})
    val.Reload()
    np.testing.assert_allclose([v for _, v in _scalars(val, "epoch_loss")],
                               hist.history["val_loss"], rtol=1e-6)
    its = _scalars(val, "evaluation_loss_vs_iterations")
    assert [s for s, _ in its] == [3, 6, 9]  # 30 training samples / batch 10 = 3 iterations
