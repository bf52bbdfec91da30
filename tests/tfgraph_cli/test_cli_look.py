"""tfgraph summary / graph / inspect, run as subprocesses."""
import json
import os
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
from conftest import REPO, assert_one_line_error


def test_summary_of_keras_models_is_keras_table(cli, files):
    for key in ("keras", "h5"):
        out = cli("summary", files[key])
        assert out.returncode == 0, out
        assert 'Model: "sequential"' in out.stdout
        assert "hidden (Dense)" in out.stdout and "(None, 5)" in out.stdout
        assert "Total params: 103" in out.stdout   # 16*5+5 + 5*3+3


def test_summary_of_graph_and_meta_files_lists_ops_and_variables(cli, files):
    for key in ("graph", "meta"):
        out = cli("summary", files[key])
        assert out.returncode == 0, out
        assert "Op (type)" in out.stdout
        row = next(line for line in out.stdout.splitlines() if line.startswith(("out (AddV2)", "out (Add)")))
        assert "(None, 2)" in row
        assert "Variables: 2 (8 params)" in out.stdout   # w 3x2 + b 2


def test_summary_bad_inputs_fail_with_one_line(cli, files, corrupt):
    assert_one_line_error(cli("summary", "missing.keras"), "tfgraph summary", "not found",
                          "missing.keras")
    assert_one_line_error(cli("summary", corrupt / "truncated.keras"), "truncated.keras")
    assert_one_line_error(cli("summary", corrupt / "broken.h5"), "tfgraph summary")
    assert_one_line_error(cli("summary", corrupt / "notes.txt"), "neither a saved Keras model")
    assert_one_line_error(cli("summary"), "Missing argument", code=2)


def test_debug_shows_the_traceback(cli, corrupt):
    out = cli("--debug", "summary", corrupt / "truncated.keras")
    assert out.returncode == 1 and "Traceback" in out.stderr, out


def test_graph_writes_every_format(cli, files, tmp_path):
    out = cli("graph", files["keras"], "-o", "model.html")
    assert out.returncode == 0, out
    page = (tmp_path / "model.html").read_text()
    assert "<script" in page and "probs/Softmax" in page
    out = cli("graph", files["graph"], "--format", "dot", "-o", "g.txt")
    assert out.returncode == 0, out
    assert "digraph" in (tmp_path / "g.txt").read_text()
    out = cli("graph", files["meta"], "-o", "g.graphml")
    assert out.returncode == 0, out
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert "out" in g and "layer1/w" in g
    out = cli("graph", files["graph"], "-o", "g.svg")
    assert out.returncode == 0, out
    assert ET.parse(tmp_path / "g.svg").getroot().tag.endswith("svg")
    out = cli("graph", files["graph"], "-o", "g.png")
    assert out.returncode == 0, out
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_bad_inputs(cli, files, corrupt):
    assert_one_line_error(cli("graph", files["keras"], "-o", "g.xyz"), "pass --format", code=2)
    assert_one_line_error(cli("graph", files["keras"], "-o", "g.html", "--format", "pdf"),
                          "Invalid value", code=2)
    assert_one_line_error(cli("graph", "nope.json", "-o", "g.html"), "not found")
    assert_one_line_error(cli("graph", corrupt / "notes.txt", "-o", "g.html"), "notes.txt")


def test_inspect_lists_names_dtypes_shapes(cli, files):
    for where in (files["ckpt"], files["ckpt"].parent, str(files["ckpt"]) + ".index"):
        out = cli("inspect", where)
        assert out.returncode == 0, out
        rows = {line.split()[0]: line.split(None, 2)[1:] for line in out.stdout.splitlines()[2:]
                if line.startswith("layer1/")}
        assert rows == {"layer1/b": ["float64", "[2]"], "layer1/w": ["float32", "[3, 2]"]}
        assert "2 tensors, 8 values" in out.stdout
    out = cli("inspect", files["ckpt"], "--tensor-name", "layer1/w")
    assert out.returncode == 0, out
    assert "[[0. 1.]\n [2. 3.]\n [4. 5.]]" in out.stdout
    out = cli("inspect", files["ckpt"], "--all-tensors")
    assert "tensor_name:  layer1/b" in out.stdout and "[0. 0.]" in out.stdout


def test_inspect_bad_inputs(cli, files, tmp_path):
    assert_one_line_error(cli("inspect", "nowhere/model.ckpt"), "checkpoint not found")
    assert_one_line_error(cli("inspect", files["ckpt"], "--tensor-name", "nope"), "no tensor",
                          "layer1/w")
    bad = tmp_path / "bad.ckpt"
    (tmp_path / "bad.ckpt.index").write_bytes(b"\x00" * 100)
    line = assert_one_line_error(cli("inspect", bad), "tfgraph inspect")
    assert "DataLossError" in line, line


def test_inspect_reads_a_checkpoint_written_by_tensorflow(cli):
    data = os.path.join(REPO, "tests", "data", "tf_checkpoints")
    with open(os.path.join(data, "expected.json")) as f:
        expected = json.load(f)["model"]
    out = cli("inspect", os.path.join(data, "model"))   # the directory: its latest checkpoint
    assert out.returncode == 0, out
    rows = {line.split()[0]: line.split()[1] for line in out.stdout.splitlines()[2:-1]}
    assert rows == expected["dtypes"]
    total = sum(np.size(v) for v in expected["values"].values())
    assert out.stdout.strip().splitlines()[-1] == "%d tensors, %d values" % (len(rows), total)
