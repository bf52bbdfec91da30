"""Writes tests/data/tf_flags.json: what TensorFlow's tf.compat.v1 app/flags do with each command line.

    ~/venvs/tf/bin/python tests/reference/make_flags_reference.py
Every case in flags_cases.py runs as its own process (argv matters); the record keeps the exit
code, stdout and the last line of stderr. tests/tfgraph/platform/test_flags.py replays them.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from flags_cases import CASES, SCRIPTS


def run_case(script, args, import_line, python=sys.executable, env=None):
    """Runs one case as `prog.py ARGS`; returns {rc, stdout, stderr_last}."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "prog.py")
        with open(path, "w") as f:
            f.write(SCRIPTS[script].format(IMPORT=import_line))
        proc = subprocess.run([python, "prog.py"] + list(args), cwd=d, capture_output=True,
                              text=True, env=env, timeout=300)
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr_last": err[-1] if err else ""}


def main():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    import tensorflow as tf
    out = {"tensorflow": tf.__version__, "cases": []}
    for script, args in CASES:
        rec = run_case(script, args, "import tensorflow.compat.v1 as tf", env=env)
        rec.update(script=script, args=args)
        out["cases"].append(rec)
        print(script, args, rec["rc"], rec["stdout"][:200].strip(), rec["stderr_last"][:200])
    path = os.path.join(os.path.dirname(__file__), "..", "data", "tf_flags.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
