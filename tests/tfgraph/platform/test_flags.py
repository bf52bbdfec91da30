"""tf.app.run / tf.flags against TensorFlow's recorded behaviour (tests/data/tf_flags.json).

Each case runs tests/reference/flags_cases.py's script as its own process with `import tfgraph as
tf` and must give TF's exit code, stdout (flag values, main's argv, --help text) and error.
"""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
from make_flags_reference import run_case  # noqa: E402 - tests/reference is on sys.path from here

with open(os.path.join(REPO, "tests", "data", "tf_flags.json")) as _f:
    RECORD = json.load(_f)["cases"]


def _error(line):
    """'pkg.mod.IllegalFlagValueError: flag --n=abc: ...' -> 'IllegalFlagValueError: flag ...'."""
    head, _, message = line.partition(": ")
    return head.rsplit(".", 1)[-1] + ": " + message


@pytest.mark.parametrize("case", RECORD, ids=["%s %s" % (c["script"], " ".join(c["args"]))
                                              for c in RECORD])
def test_command_line_as_tensorflow(case):
    env = dict(os.environ, PYTHONPATH=REPO)
    got = run_case(case["script"], case["args"], "import tfgraph as tf", env=env)
    assert got["rc"] == case["rc"], got
    if "--helpfull" in case["args"]:
        # The main module's block is absl's exactly; the help flags' own block names tfgraph.
        main_block = case["stdout"].split("\n\nabsl.app:")[0]
        assert got["stdout"].startswith(main_block + "\n\n")
        assert "-?,--[no]help: show this help" in got["stdout"]
    else:
        assert got["stdout"] == case["stdout"]
    if case["rc"]:
        assert _error(got["stderr_last"]) == _error(case["stderr_last"])


def test_flags_in_process():
    from tfgraph.platform import flags
    fv = flags.FlagValues()
    flags.DEFINE_integer("steps", 10, "steps", flag_values=fv, lower_bound=1)
    flags.DEFINE_multi_integer("k", [1], "ks", flag_values=fv)
    flags.DEFINE_string("out", None, "o", flag_values=fv, short_name="o")
    assert fv(["p", "--k=2", "--k", "3", "-o", "x", "extra"]) == ["p", "extra"]
    assert fv.flag_values_dict() == {"steps": 10, "k": [2, 3], "out": "x"}
    with pytest.raises(flags.IllegalFlagValueError, match="flag --steps=0: 0 is not a positive integer"):
        fv(["p", "--steps=0"])
    fv.unparse_flags()
    assert not fv.is_parsed() and fv["k"].value == [1]
    fv.steps = 5  # assignment as absl allows
    assert fv["steps"].value == 5
    with pytest.raises(flags.UnrecognizedFlagError, match="Did you mean: steps"):
        fv(["p", "--stesp=3"])
    with pytest.raises(AttributeError):
        fv.missing


def test_help_prints_the_main_docstring(tmp_path):
    # absl's usage(): the main module's docstring, each %s filled with argv[0], then the flags.
    script = tmp_path / "train.py"
    script.write_text('"""Trains a model.\n\nUsage: %s --steps=N\n"""\nimport tfgraph as tf\n'
                      "tf.flags.DEFINE_integer('steps', 1, 'how long')\n"
                      "tf.app.run(main=lambda argv: None)\n")
    proc = subprocess.run([sys.executable, "train.py", "--help"], cwd=str(tmp_path),
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=REPO),
                          timeout=120)
    assert proc.returncode == 1
    assert proc.stdout == ("Trains a model.\n\nUsage: train.py --steps=N\n\nflags:\n\ntrain.py:\n"
                           "  --steps: how long\n    (default: '1')\n    (an integer)\n\n"
                           "Try --helpfull to get a list of all flags.\n")
