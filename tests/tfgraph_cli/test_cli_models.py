"""tfgraph evaluate / predict / export, run as subprocesses on a tiny saved model."""
import numpy as np
from conftest import assert_one_line_error


def _metrics(stdout):
    line = stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in (part.split(": ") for part in line.split(" - "))}


def test_evaluate_npz_gives_the_models_own_numbers(cli, files):
    for key in ("keras", "h5"):
        out = cli("evaluate", files[key], "--data", files["npz"], "--batch-size", "5")
        assert out.returncode == 0, out
        assert "on 24 samples" in out.stdout
        got = _metrics(out.stdout)
        assert abs(got["loss"] - files["loss"]) < 1e-4
        assert abs(got["accuracy"] - files["acc"]) < 1e-4
    assert "loss" in out.stdout.split("on 24 samples")[0]   # the Keras progress bar ran


def test_evaluate_on_mnist_reshapes_to_the_model_input(cli, tmp_path):
    import tfgraph_keras as keras
    from tfgraph_keras import layers
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((784,)), layers.Dense(10, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.save(str(tmp_path / "mnist.keras"))
    (_, _), (x, y) = keras.datasets.mnist.load_data()
    want = model.evaluate(x[:300].reshape(300, 784) / 255.0, y[:300], verbose=0)
    keras.backend.clear_session()
    out = cli("evaluate", "mnist.keras", "--data", "mnist", "--limit", "300", "--quiet")
    assert out.returncode == 0, out
    assert "on 300 samples of MNIST test set" in out.stdout
    assert abs(_metrics(out.stdout)["loss"] - want[0]) < 1e-4


def test_evaluate_bad_inputs(cli, files, tmp_path):
    assert_one_line_error(cli("evaluate", files["keras"], "--data", "nope.npz"), "not found")
    assert_one_line_error(cli("evaluate", files["keras"], "--data", files["npy"]),
                          "x_test and y_test")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    assert_one_line_error(cli("evaluate", files["keras"], "--data", "other.npz"), "has arrays a")
    np.savez(tmp_path / "wide.npz", x=np.zeros((4, 5)), y=np.zeros(4))
    assert_one_line_error(cli("evaluate", files["keras"], "--data", "wide.npz"),
                          "samples of shape (5,)", "(4, 4)")
    assert_one_line_error(cli("evaluate", files["graph"], "--data", files["npz"]),
                          "not a saved Keras model")
    assert_one_line_error(cli("evaluate", files["keras"]), "--data", code=2)
    import tfgraph_keras as keras
    keras.backend.clear_session()
    keras.Sequential([keras.Input((4, 4)), keras.layers.Flatten()]).save(
        str(tmp_path / "raw.keras"))
    assert_one_line_error(cli("evaluate", "raw.keras", "--data", files["npz"]),
                          "without compile()")


def test_predict_reads_npy_npz_csv_and_writes_npy_npz_csv(cli, files, tmp_path):
    want = files["probs"]
    out = cli("predict", files["keras"], files["npy"], "-o", "p.npy")
    assert out.returncode == 0, out
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), want, rtol=1e-5, atol=1e-7)
    out = cli("predict", files["h5"], files["csv"], "-o", "p.csv")
    assert out.returncode == 0, out
    np.testing.assert_allclose(np.loadtxt(tmp_path / "p.csv", delimiter=","), want, rtol=1e-5)
    out = cli("predict", files["keras"], files["npz"], "-o", "p.npz")
    assert out.returncode == 0, out
    with np.load(tmp_path / "p.npz") as f:
        np.testing.assert_allclose(f["predictions"], want, rtol=1e-5, atol=1e-7)
    out = cli("predict", files["keras"], files["npy"])   # CSV on stdout
    assert out.returncode == 0, out
    rows = np.array([[float(v) for v in line.split(",")] for line in out.stdout.splitlines()])
    np.testing.assert_allclose(rows, want, rtol=1e-5)


def test_predict_bad_inputs(cli, files, tmp_path):
    assert_one_line_error(cli("predict", files["keras"], "nope.npy"), "input file not found")
    (tmp_path / "in.txt").write_text("1,2\n")
    assert_one_line_error(cli("predict", files["keras"], "in.txt"), ".npy, .npz or .csv")
    (tmp_path / "words.csv").write_text("a,b\nc,d\n")
    assert_one_line_error(cli("predict", files["keras"], "words.csv"), "not a numeric CSV")
    np.save(tmp_path / "wide.npy", np.zeros((2, 5), "float32"))
    assert_one_line_error(cli("predict", files["keras"], "wide.npy"), "samples of shape (5,)")
    np.savez(tmp_path / "two.npz", a=files["x"], b=files["x"])
    assert_one_line_error(cli("predict", files["keras"], "two.npz"), "--key")
    assert cli("predict", files["keras"], "two.npz", "--key", "b", "-o", "b.npy").returncode == 0
    assert_one_line_error(cli("predict", files["keras"], files["npy"], "-o", "p.json"),
                          ".npy, .npz or .csv")


def test_export_onnx_runs_in_onnxruntime_and_frozen_graph_in_tfgraph(cli, files, tmp_path):
    import onnxruntime

    import tfgraph as tf
    from tfgraph.framework.graph_io import read_graph
    out = cli("export", files["keras"], "--onnx", "m.onnx", "--frozen-graph", "frozen.json")
    assert out.returncode == 0, out
    sess = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"))
    got = sess.run(None, {sess.get_inputs()[0].name: files["x"]})[0]
    np.testing.assert_allclose(got, files["probs"], rtol=1e-5, atol=1e-7)
    frozen = read_graph(str(tmp_path / "frozen.json"))
    assert not [n for n in frozen.node if n.op == "VariableV2"]
    names = out.stdout.split("inputs: ")[1].split("; outputs: ")
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(frozen, name="")
        with tf.Session() as s:
            got = s.run(names[1].strip(), {names[0]: files["x"]})
    np.testing.assert_allclose(got, files["probs"], rtol=1e-5, atol=1e-7)


def test_export_bad_inputs(cli, files, corrupt):
    assert_one_line_error(cli("export", files["keras"]), "nothing to export", code=2)
    assert_one_line_error(cli("export", files["graph"], "--onnx", "g.onnx"),
                          "not a saved Keras model")
    assert_one_line_error(cli("export", corrupt / "truncated.keras", "--frozen-graph", "f.json"),
                          "truncated.keras")
