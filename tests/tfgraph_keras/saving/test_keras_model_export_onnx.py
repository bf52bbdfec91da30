"""Model.export(path, format="onnx") as in Keras 3: the file runs in onnxruntime with the model's
predictions; the other Keras formats and bad arguments fail clearly."""
import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import backend, layers

ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed (tfgraph[viz])")
pytest.importorskip("onnx", reason="onnx not installed (tfgraph[viz])")


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def _cnn():
    return keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                             layers.MaxPooling2D(), layers.Flatten(), layers.Dropout(0.3),
                             layers.Dense(3, activation="softmax")])


def test_export_onnx_runs_in_onnxruntime_with_the_models_predictions(tmp_path, capsys):
    model = _cnn()
    x = np.random.RandomState(0).rand(5, 8, 8, 1).astype(np.float32)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, np.array([0, 1, 2, 1, 0]), epochs=2, verbose=0)   # trained weights, not initial
    path = tmp_path / "model.onnx"
    model.export(path, format="onnx")
    assert "Saved artifact at '%s'." % path in capsys.readouterr().out
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    model.export(tmp_path / "quiet.onnx", format="onnx", verbose=False, opset_version=13)
    assert capsys.readouterr().out == ""
    import onnx
    assert onnx.load(str(tmp_path / "quiet.onnx")).opset_import[0].version == 13
