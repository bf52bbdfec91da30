"""tf.gfile / tf.io.gfile against TensorFlow's recorded values and errors (tests/data/tf_gfile.json)."""
import json
import os
import sys

import pytest

import tfgraph as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
from gfile_cases import run_cases  # noqa: E402 - tests/reference is on sys.path from here

with open(os.path.join(REPO, "tests", "data", "tf_gfile.json")) as _f:
    RECORD = json.load(_f)["cases"]


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    return run_cases(tf, str(tmp_path_factory.mktemp("gfile")))


@pytest.mark.parametrize("name", sorted(RECORD))
def test_gfile_as_tensorflow(ours, name):
    assert ours[name] == RECORD[name]


def test_errors_are_tf_errors(tmp_path):
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.GFile(str(tmp_path / "no")).read()
    assert issubclass(tf.errors.NotFoundError, tf.errors.OpError)
    assert tf.gfile.Open is tf.gfile.GFile and tf.io.gfile.exists is tf.gfile.Exists


def test_write_creates_file_on_close(tmp_path):
    path = str(tmp_path / "empty.txt")
    with tf.gfile.GFile(path, "w"):
        pass
    assert tf.gfile.Exists(path) and tf.gfile.Stat(path).length == 0
    with tf.gfile.GFile(path, "w") as f:
        f.write("abc")
        assert f.size() == 3
