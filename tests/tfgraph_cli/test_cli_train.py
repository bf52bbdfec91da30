"""tfgraph train SPEC, run as a subprocess on a tiny generated data set."""
import csv
import json
import os

import numpy as np
import pytest
from conftest import assert_one_line_error

SPEC = {
    "name": "blobs",
    "input_shape": [6],
    "layers": [{"type": "Dense", "units": 16, "activation": "relu"},
               {"class_name": "Dropout", "config": {"rate": 0.1}},
               {"type": "Dense", "units": 3, "activation": "softmax"}],
    "optimizer": {"type": "adam", "learning_rate": 0.01},
    "loss": "sparse_categorical_crossentropy",
    "metrics": ["accuracy"],
    "dataset": {"path": "blobs.npz"},
    "epochs": 4,
    "batch_size": 16,
    "validation_split": 0.25,
    "callbacks": [{"type": "EarlyStopping", "monitor": "val_loss", "patience": 10},
                  {"type": "ModelCheckpoint", "filepath": "best.keras", "save_best_only": True}],
    "seed": 1,
}


@pytest.fixture
def blobs(tmp_path):
    """Three separable Gaussian blobs in 6-D: 160 training and 60 test samples."""
    rng = np.random.RandomState(0)
    centers = rng.randn(3, 6) * 3

    def draw(n):
        y = rng.randint(0, 3, size=n)
        return (centers[y] + rng.randn(n, 6)).astype("float32"), y
    (x, y), (xt, yt) = draw(160), draw(60)
    np.savez(tmp_path / "blobs.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    return xt, yt


def _write(tmp_path, name, spec):
    (tmp_path / name).write_text(json.dumps(spec))
    return name


def test_train_writes_model_log_and_history(cli, tmp_path, blobs):
    out = cli("train", _write(tmp_path, "blobs.json", SPEC), "-o", "run")
    assert out.returncode == 0, out
    assert "Epoch 4/4" in out.stdout and "Total params" in out.stdout   # progress bar, summary
    run = tmp_path / "run"
    with open(run / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2", "3"]
    losses = [float(r["loss"]) for r in rows]
    assert losses[-1] < losses[0], losses
    assert {"accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    events = [f for _, _, fs in os.walk(run / "logs") for f in fs if "tfevents" in f]
    assert events, os.listdir(run / "logs")
    assert (run / "best.keras").exists()
    test_line = next(line for line in out.stdout.splitlines() if line.startswith("test: "))
    import tfgraph_keras as keras
    keras.backend.clear_session()
    model = keras.models.load_model(str(run / "model.keras"))
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense"]
    loss = model.evaluate(blobs[0], blobs[1], verbose=0)[0]
    assert "loss: %.4f" % loss in test_line, (loss, test_line)


def test_train_reads_yaml_specs(cli, tmp_path, blobs):
    yaml = pytest.importorskip("yaml")   # the hint without PyYAML is tested below
    spec = dict(SPEC, epochs=1, callbacks=[])
    (tmp_path / "blobs.yaml").write_text(yaml.safe_dump(spec))
    out = cli("train", "blobs.yaml", "--quiet", "--epochs", "2")
    assert out.returncode == 0, out
    assert "trained 2 epochs on 160 samples of blobs.npz" in out.stdout
    assert (tmp_path / "blobs_run" / "model.keras").exists()


def test_yaml_without_pyyaml_gives_a_one_line_hint(cli, tmp_path):
    shadow = tmp_path / "shadow"
    (shadow / "yaml").mkdir(parents=True)
    (shadow / "yaml" / "__init__.py").write_text("raise ImportError('no yaml here')\n")
    (tmp_path / "s.yaml").write_text("layers: []\n")
    out = cli("train", "s.yaml", env={"PYTHONPATH": str(shadow)})
    assert_one_line_error(out, "needs PyYAML", "pip install pyyaml")


def test_train_bad_specs_name_the_problem(cli, tmp_path, blobs):
    assert_one_line_error(cli("train", "missing.json"), "spec file not found")
    (tmp_path / "broken.json").write_text("{\"layers\": [")
    assert_one_line_error(cli("train", "broken.json"), "broken.json", "not valid JSON")
    bad = dict(SPEC, layers=[{"type": "Dense", "units": 4}, {"type": "Dens", "units": 3}])
    line = assert_one_line_error(cli("train", _write(tmp_path, "b1.json", bad)),
                                 "b1.json: layers[1]: unknown layer 'Dens'")
    assert "did you mean Dense" in line
    bad = dict(SPEC, layers=[{"type": "Dense", "units": 4, "activaton": "relu"}])
    assert_one_line_error(cli("train", _write(tmp_path, "b2.json", bad)),
                          "layers[0] (Dense)", "activaton")
    assert_one_line_error(cli("train", _write(tmp_path, "b3.json", dict(SPEC, epoch=3))),
                          "b3.json: epoch: unknown key")
    assert_one_line_error(cli("train", _write(tmp_path, "b4.json", dict(
        SPEC, dataset={"path": "nope.npz"}))), "dataset file not found", "nope.npz")
    assert_one_line_error(cli("train", _write(tmp_path, "b5.json", dict(
        SPEC, optimizer="adamm"))), "b5.json: optimizer", "adamm")
    assert_one_line_error(cli("train", _write(tmp_path, "b6.json", dict(
        SPEC, callbacks=[{"type": "Boom"}]))), "callbacks[0]: unknown callback 'Boom'")
    assert_one_line_error(cli("train", _write(tmp_path, "b7.json", dict(
        SPEC, input_shape=[5]))), "samples of shape (6,)", "(5,)")
    no_loss = {k: v for k, v in SPEC.items() if k != "loss"}
    assert_one_line_error(cli("train", _write(tmp_path, "b8.json", no_loss)), "needs 'loss'")
