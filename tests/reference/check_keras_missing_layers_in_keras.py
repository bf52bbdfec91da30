"""Cross-check: files tfgraph_keras writes for the keras_layers_missing models load in real
Keras 3 and give Keras's recorded predictions (the reverse of the fixtures' direction).
    python tests/reference/check_keras_missing_layers_in_keras.py write /tmp/out
    /root/venvs/tf/bin/python tests/reference/check_keras_missing_layers_in_keras.py check /tmp/out
(run from the repository root; 'write' uses tfgraph_keras, 'check' uses Keras 3.)
"""
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
sys.path.insert(0, HERE)
import make_keras_layers_missing as cases  # noqa: E402

NAMES = ["attention", "attention_masked", "mha", "mha_masked", "misc", "pad3d", "conv1d",
         "conv3d"]


def write(out):
    sys.path.insert(0, os.path.join(HERE, "..", ".."))   # this checkout's tfgraph_keras
    import tfgraph_keras as keras
    os.makedirs(out, exist_ok=True)
    for name in NAMES + ["prep"]:
        keras.backend.clear_session()
        if name == "prep":
            model = cases.build_prep(keras)
        else:
            model = getattr(cases, "build_" + name)(keras)
            rng = np.random.RandomState(7)
            model.set_weights([np.asarray(rng.randn(*w.shape.as_list()) * 0.5, np.float32)
                               for w in model.weights])
            model.save_weights(os.path.join(out, name + ".weights.h5"))
        model.save(os.path.join(out, name + ".keras"))


def _arrays(f, prefix):
    return [f["%s%d" % (prefix, i)]
            for i in range(len([k for k in f.files if re.fullmatch(prefix + r"\d+", k)]))]


def check(out):
    import keras
    worst = 0.0
    for name in NAMES + ["prep"]:
        f = np.load(os.path.join(DATA, "keras_layers_missing_%s.npz" % name))
        xs, ys = _arrays(f, "x"), _arrays(f, "y")
        models = [keras.models.load_model(os.path.join(out, name + ".keras"))]
        if name != "prep":
            models.append(getattr(cases, "build_" + name)(keras))
            models[-1].load_weights(os.path.join(out, name + ".weights.h5"))
        for model in models:
            got = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            got = got if isinstance(got, list) else [got]
            err = max(float(np.max(np.abs(np.asarray(g) - y))) for g, y in zip(got, ys))
            worst = max(worst, err)
            print(name, "max abs difference", err)
    assert worst < 1e-5, worst


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
