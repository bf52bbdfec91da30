"""Fixtures of the CLI tests: the tool run as a subprocess (as a user runs it), and tiny saved
models, graphs and checkpoints made once per session."""
import os
import subprocess
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Result:
    def __init__(self, proc):
        self.returncode, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr

    def __repr__(self):
        return "rc=%d\nstdout:\n%s\nstderr:\n%s" % (self.returncode, self.stdout[-3000:],
                                                    self.stderr[-3000:])


@pytest.fixture
def cli(tmp_path):
    """cli(*args, env=None, cwd=None) -> Result of `python -m tfgraph_cli ARGS` in tmp_path."""
    def run(*args, env=None, cwd=None, timeout=180):
        full = dict(os.environ)
        full.setdefault("NUMBA_CACHE_DIR", os.path.join(REPO, ".numba_cache"))
        env = dict(env or {})
        first = [env.pop("PYTHONPATH")] if "PYTHONPATH" in env else []   # ahead of the checkout
        full.update(env)
        full["PYTHONPATH"] = os.pathsep.join(first + [REPO, full.get("PYTHONPATH", "")])
        proc = subprocess.run([sys.executable, "-m", "tfgraph_cli"] + [str(a) for a in args],
                              cwd=str(cwd or tmp_path), env=full, capture_output=True, text=True,
                              timeout=timeout, check=False)
        return Result(proc)
    return run


def assert_one_line_error(result, *fragments, code=1):
    """Failed with `code`, one line on stderr naming the problem, no traceback."""
    assert result.returncode == code, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result
    assert "Traceback" not in result.stderr, result
    for fragment in fragments:
        assert fragment in lines[0], result
    return lines[0]


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """A tiny compiled Keras classifier saved as .keras and .h5, its data (.npz, .npy, .csv), a
    TF1 graph written by tf.train.write_graph and a Saver checkpoint with its .meta."""
    import tfgraph as tf
    import tfgraph_keras as keras
    from tfgraph_keras import layers

    d = tmp_path_factory.mktemp("cli_files")
    rng = np.random.RandomState(0)
    x = rng.rand(24, 4, 4).astype("float32")
    y = rng.randint(0, 3, size=24)
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((4, 4)), layers.Flatten(),
                              layers.Dense(5, activation="relu", name="hidden"),
                              layers.Dense(3, activation="softmax", name="probs")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(str(d / "model.keras"))
    model.save(str(d / "model.h5"))
    loss, acc = model.evaluate(x, y, verbose=0)
    probs = model.predict(x, verbose=0)
    keras.backend.clear_session()
    np.savez(d / "data.npz", x=x, y=y)
    np.save(d / "x.npy", x)
    np.savetxt(d / "x.csv", x.reshape(len(x), -1), delimiter=",")

    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None, 3], name="a")
        with tf.variable_scope("layer1"):
            w = tf.get_variable("w", initializer=np.arange(6, dtype="float32").reshape(3, 2))
            b = tf.get_variable("b", initializer=np.zeros(2, "float64"), dtype=tf.float64)
        tf.add(tf.matmul(a, w), tf.cast(b, tf.float32), name="out")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            os.makedirs(d / "ckpt")
            saver.save(sess, str(d / "ckpt" / "model.ckpt"), global_step=7)
        tf.train.write_graph(g, str(d), "graph.json")
    return {"dir": d, "x": x, "y": y, "loss": loss, "acc": acc, "probs": probs,
            "keras": d / "model.keras", "h5": d / "model.h5", "npz": d / "data.npz",
            "npy": d / "x.npy", "csv": d / "x.csv", "graph": d / "graph.json",
            "ckpt": d / "ckpt" / "model.ckpt-7", "meta": d / "ckpt" / "model.ckpt-7.meta"}


@pytest.fixture(scope="session")
def corrupt(tmp_path_factory, files):
    """A truncated .keras zip, an HDF5 header with nothing behind it, and a text file."""
    d = tmp_path_factory.mktemp("cli_corrupt")
    with open(files["keras"], "rb") as f:
        (d / "truncated.keras").write_bytes(f.read()[:200])
    (d / "broken.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 16)
    (d / "notes.txt").write_text("not a model\n")
    return d
