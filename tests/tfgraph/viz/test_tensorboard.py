"""TensorBoard serves tfgraph's event files: graph and scalars read back over HTTP."""
import json
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

import tfgraph as tf

pytest.importorskip("tensorboard", reason="tensorboard not installed (pip install tfgraph[viz])")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def test_tensorboard_server_shows_graph_and_scalars(model, tmp_path):
    logdir = tmp_path / "logs"
    with model.graph.as_default():
        tf.summary.scalar("train_loss", model.loss)
        merged = tf.summary.merge_all()
    with tf.Session(graph=model.graph) as sess:
        sess.run(model.init)
        writer = tf.summary.FileWriter(str(logdir / "run1"), sess.graph)
        for step in range(4):
            feed = np.full((2, 4), 0.1 * step, np.float32)
            writer.add_summary(sess.run(merged, {model.x: feed}), step)
        writer.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = "http://127.0.0.1:%d" % port
    try:
        deadline, runs = time.time() + 90, []
        while time.time() < deadline and "run1" not in runs:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                runs = json.loads(_get(base + "/data/runs"))
            except OSError:
                pass
            time.sleep(0.5)
        assert "run1" in runs
        tags = {}
        while time.time() < deadline and "train_loss" not in tags.get("run1", {}):
            tags = json.loads(_get(base + "/data/plugin/scalars/tags"))
            time.sleep(0.5)
        points = json.loads(_get(base + "/data/plugin/scalars/scalars?run=run1&tag=train_loss"))
        assert [p[1] for p in points] == [0, 1, 2, 3]
        assert points[0][2] != points[3][2]
        pbtxt = _get(base + "/data/plugin/graphs/graph?run=run1&limit_attr_size=1024"
                     "&large_attrs_key=_too_large_attrs")
        names = {ln.split('"')[1] for ln in pbtxt.splitlines() if ln.strip().startswith("name:")}
        assert names == {op.name for op in model.graph.get_operations()}
        assert "_output_shapes" in pbtxt and 'op: "MatMul"' in pbtxt
    finally:
        proc.kill()
        proc.wait(timeout=10)
