"""Writes tests/data/keras_parity.json from real Keras 3 (run in a virtualenv with tensorflow-cpu):
    ~/venvs/tf/bin/python tests/reference/make_keras_parity.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from tensorflow import keras  # noqa: E402

from keras_cases import CASES, run  # noqa: E402


def main():
    out = {"keras": keras.__version__, "cases": {}}
    for kind, opt in CASES:
        keras.backend.clear_session()
        out["cases"]["%s_%s" % (kind, opt)] = run(keras, kind, opt)
    path = os.path.join(os.path.dirname(__file__), "..", "data", "keras_parity.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
