"""Runs a TF1 tutorial from tutorials/ on TensorFlow: the same file, with TensorFlow's import line.

    /root/venvs/tf/bin/python tests/reference/run_tutorial_in_tf.py tutorials/mnist_deep.py ARGS

The copy (in a temporary directory) has `import tensorflow.compat.v1 as tf;
tf.disable_v2_behavior()` in place of `import tfgraph as tf`. TensorFlow 2.21 no longer ships
tensorflow.examples.tutorials.mnist, so `input_data` comes from a shim beside the copy: TF1's module
as tfgraph carries it (tfgraph/examples/tutorials/mnist/input_data.py), importing TensorFlow's
dtypes and get_seed instead of tfgraph's, which is where TF1's module took them from. This is how
the TensorFlow accuracies in the tutorials' headers were measured. TF_USE_LEGACY_KERAS=1 is
set, for tf.compat.v1.layers.
"""
import os
import runpy
import sys
import tempfile

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")   # TF 2.21 keeps tf.compat.v1.layers there
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHIM_IMPORTS = {
    "from tfgraph.framework import dtypes":
        "from tensorflow.python.framework import dtypes",
    "from tfgraph.ops.random_ops import get_seed":
        "from tensorflow.python.framework.random_seed import get_seed",
}
SCRIPT_IMPORTS = {
    "import tfgraph as tf\n":
        "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n",
    "from tfgraph.examples.tutorials.mnist import input_data\n": "import input_data\n",
}


def _rewrite(text, table, what):
    for old, new in table.items():
        if old in text:
            text = text.replace(old, new)
        elif what == "shim":
            sys.exit("input_data.py no longer has %r" % old)
    if "tfgraph" in text.replace("tfgraph board", ""):
        print("note: the %s still mentions tfgraph" % what, file=sys.stderr)
    return text


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    script = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="tf_tutorial_")
    with open(os.path.join(REPO, "tfgraph", "examples", "tutorials", "mnist",
                           "input_data.py")) as f:
        shim = _rewrite(f.read(), SHIM_IMPORTS, "shim")
    with open(os.path.join(tmp, "input_data.py"), "w") as f:
        f.write(shim)
    with open(script) as f:
        source = _rewrite(f.read(), SCRIPT_IMPORTS, "script")
    copy = os.path.join(tmp, os.path.basename(script))
    with open(copy, "w") as f:
        f.write(source)
    sys.path.insert(0, tmp)
    sys.argv = [copy] + sys.argv[2:]
    runpy.run_path(copy, run_name="__main__")


if __name__ == "__main__":
    main()
