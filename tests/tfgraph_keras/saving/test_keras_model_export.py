"""Model.export: ONNX (run by onnxruntime), a frozen tfgraph GraphDef and the default
'tf_saved_model' folder (the frozen graph and its signature), each giving predict's outputs."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph.framework.graph_io import read_graph


@pytest.fixture
def model_and_data():
    keras.backend.clear_session()
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(3, 3, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(x))
    xs = np.random.RandomState(0).rand(5, 6, 6, 1).astype(np.float32)
    return model, xs, model.predict(xs, verbose=0)


def _run_frozen(path, signature, xs):
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(read_graph(path), name="")
        with tf.Session() as s:
            return s.run(signature["outputs"][0]["name"], {signature["inputs"][0]["name"]: xs})


def test_export_onnx_runs_in_onnxruntime(model_and_data, tmp_path):
    ort = pytest.importorskip("onnxruntime")  # the optional [viz] extra
    model, xs, want = model_and_data
    path = str(tmp_path / "m.onnx")
    model.export(path, format="onnx", verbose=False)
    sess = ort.InferenceSession(path)
    got = sess.run(None, {sess.get_inputs()[0].name: xs})[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_export_frozen_tfgraph_graph(model_and_data, tmp_path, capsys):
    model, xs, want = model_and_data
    path = str(tmp_path / "m.pb")
    model.export(path, format="tfgraph")
    assert "Saved artifact at" in capsys.readouterr().out
    frozen = read_graph(path)
    assert not [n for n in frozen.node if n.op == "VariableV2"]
    with open(path + ".signature.json") as f:
        signature = json.load(f)
    assert signature["inputs"][0]["shape"] == [None, 6, 6, 1]
    np.testing.assert_allclose(_run_frozen(path, signature, xs), want, rtol=1e-6)


def test_export_default_folder(model_and_data, tmp_path):
    model, xs, want = model_and_data
    folder = str(tmp_path / "exported")
    model.export(folder, verbose=False)
    with open(os.path.join(folder, "signature.json")) as f:
        signature = json.load(f)
    got = _run_frozen(os.path.join(folder, "frozen_graph.pb"), signature, xs)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_export_errors(model_and_data, tmp_path):
    model, _, _ = model_and_data
    with pytest.raises(ValueError, match=r"Unrecognized format=openvino\. Supported formats"):
        model.export(str(tmp_path / "x"), format="openvino")

    class Unbuilt(keras.Model):
        def call(self, x):
            return x
    with pytest.raises(ValueError, match="not built"):
        Unbuilt().export(str(tmp_path / "y"), format="tfgraph")
