"""Every tutorials/*.py runs in quick mode, as a reader would start it, and ends with its result.

The convention (tutorials/README.md): `--quick` runs a small slice of the data and steps; the
result is a line ending in `test accuracy: X` (case and colon free, as TF1's scripts print it;
the last such line counts and is best the last line printed) or a `Done: ...` line for a tutorial
that trains no classifier; a tutorial that prints an accuracy states the quick run's floor in its
header as `Quick run: test accuracy >= F`.
"""
import glob
import os
import re
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TUTORIALS = sorted(glob.glob(os.path.join(REPO, "tutorials", "*.py")))
ACCURACY_LINE = re.compile(r"\btest accuracy:?\s+([0-9]*\.?[0-9]+(?:e-?\d+)?)\s*$", re.I)
DONE_LINE = re.compile(r"^Done: \S")
FLOOR = re.compile(r"Quick run: test accuracy >= ([0-9.]+)")


def _mnist_available():
    places = [os.environ.get("TFGRAPH_DATASETS_DIR") or "",
              os.path.join(os.path.expanduser("~"), ".keras", "datasets")]
    return any(os.path.exists(os.path.join(p, "mnist.npz")) for p in places if p)


def test_the_folder_holds_tutorials():
    assert len(TUTORIALS) >= 5


@pytest.mark.parametrize("path", TUTORIALS, ids=os.path.basename)
def test_tutorial_quick_run(path, tmp_path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    assert "--quick" in source, "%s has no --quick mode" % os.path.basename(path)
    if "mnist" in source.lower() and not _mnist_available():
        pytest.skip("MNIST data file absent: set TFGRAPH_DATASETS_DIR")
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    for name in ("TFGRAPH_DATASETS_DIR", "NUMBA_CACHE_DIR"):   # relative paths: from the repo
        if env.get(name):
            env[name] = os.path.abspath(env[name])
    start = time.time()
    proc = subprocess.run([sys.executable, path, "--quick"], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=240)
    seconds = time.time() - start
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    assert proc.returncode == 0, "exit %d after %.0f s:\n%s" % (proc.returncode, seconds, tail)
    results = [line.strip() for line in proc.stdout.splitlines()
               if ACCURACY_LINE.search(line.strip()) or DONE_LINE.match(line.strip())]
    assert results, "no result line ('... test accuracy: X' or 'Done: ...') in:\n" + tail
    last = results[-1]
    accuracy = ACCURACY_LINE.search(last)
    if accuracy:
        floor = FLOOR.search(source)
        assert floor, "the header states no 'Quick run: test accuracy >= F'"
        assert float(accuracy.group(1)) >= float(floor.group(1)), last
