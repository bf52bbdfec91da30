"""Writes tests/data/tf_debug_ops.json: TensorFlow's messages and printed text, debugging ops.

tf.Assert, tf.assert_* (run-time and build-time failures), tf.check_numerics,
tf.verify_tensor_all_finite, tf.Print, tf.print and tf.py_func, in TF1 graph mode:
    /root/venvs/tf/bin/python tests/reference/make_debug_ops.py
tests/tfgraph/ops/test_debug_ops.py builds the same cases (debug_cases.py) with tfgraph.
Only the message TF's kernel writes is kept (TF 2's "Graph execution error ... Node:" preamble and
its "[[{{node ...}}]]" suffix are dropped; the names of the failing node are kept separately).
"""
import json
import os
import re
import sys
import tempfile

import tensorflow as tf

from debug_cases import ASSERT_CASES, CHECK_CASES, PRINT_CASES, PYFUNC_CASES, STATIC_CASES

v1 = tf.compat.v1
v1.disable_eager_execution()


def _core(message):
    """The kernel's own message: TF 2's preamble and node suffix removed."""
    body = message.split("\n\t [[")[0]
    m = re.search(r"\nNode: '[^']*'\n", body)
    if m:
        body = body[m.end():]
    elif body.startswith("Graph execution error:\n\n"):
        body = body[len("Graph execution error:\n\n"):]
    return body


def _node(message):
    names = re.findall(r"\{\{node ([^}]*)\}\}", message)
    return names[-1] if names else None


def run_error(build):
    g = tf.Graph()
    with g.as_default():
        fetch = build(v1)
        with v1.Session() as sess:
            try:
                sess.run(fetch)
            except tf.errors.OpError as e:
                return {"type": type(e).__name__, "message": _core(e.message),
                        "node": _node(e.message)}
    return {"type": None}


def build_error(build):
    g = tf.Graph()
    with g.as_default():
        try:
            build(v1)
        except Exception as e:  # noqa: BLE001 - recording whatever TF raises
            msg = e.message if isinstance(e, tf.errors.OpError) else str(e)
            return {"type": type(e).__name__, "message": msg}
    return {"type": None}


def captured(build):
    """What running `build`'s fetch writes to file descriptors 1 and 2 (TF's C++ streams)."""
    g = tf.Graph()
    with g.as_default():
        fetch = build(v1)
        with v1.Session() as sess:
            outs = {}
            saved = {fd: os.dup(fd) for fd in (1, 2)}
            files = {fd: tempfile.TemporaryFile() for fd in (1, 2)}
            sys.stdout.flush()
            sys.stderr.flush()
            for fd in (1, 2):
                os.dup2(files[fd].fileno(), fd)
            try:
                value = sess.run(fetch)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                for fd in (1, 2):
                    os.dup2(saved[fd], fd)
                    os.close(saved[fd])
            for fd, name in ((1, "stdout"), (2, "stderr")):
                files[fd].seek(0)
                text = files[fd].read().decode()
                # TF's own log lines (oneDNN notices, deprecation warnings) are not the op's output
                log_line = re.compile(r"^(WARNING|I0000|W0000|E0000|\d{4}-\d\d-\d\d)")
                text = "".join(ln for ln in text.splitlines(True) if not log_line.match(ln))
                outs[name] = text
            outs["value"] = None if value is None else _jsonable(value)
            return outs


def _jsonable(v):
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def main():
    out = {"tensorflow": tf.__version__, "assert": {}, "static": {}, "check": {}, "print": {},
           "pyfunc": {}}
    for name, build in ASSERT_CASES.items():
        out["assert"][name] = run_error(build)
    for name, build in STATIC_CASES.items():
        out["static"][name] = build_error(build)
    for name, build in CHECK_CASES.items():
        out["check"][name] = run_error(build)
    for name, build in PRINT_CASES.items():
        out["print"][name] = captured(build)
    for name, build in PYFUNC_CASES.items():
        out["pyfunc"][name] = run_error(build)
    path = os.path.join(os.path.dirname(__file__), "..", "data", "tf_debug_ops.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main()
