"""Parity with real Keras 3: same models, weights, data and optimizer; history, predictions, evaluate.

tests/data/keras_parity.json was written by tests/reference/make_keras_parity.py with Keras 3.15 on
TensorFlow 2.21; the model code is shared (tests/reference/keras_cases.py).
"""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph_keras as keras

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import keras_cases  # noqa: E402

with open(os.path.join(HERE, "..", "data", "keras_parity.json")) as _f:
    REFERENCE = json.load(_f)["cases"]


@pytest.mark.parametrize("kind,opt", keras_cases.CASES)
def test_fit_predict_evaluate_match_keras(kind, opt):
    keras.backend.clear_session()
    got = keras_cases.run(keras, kind, opt)
    ref = REFERENCE["%s_%s" % (kind, opt)]
    if kind == "functional":  # history per output ('cls_loss', 'cls_accuracy', ...), two predictions
        assert sorted(got["history"]) == sorted(ref["history"])
        for key, values in ref["history"].items():
            np.testing.assert_allclose(got["history"][key], values, rtol=1e-4, atol=1e-5,
                                       err_msg=key)
        for p_got, p_ref in zip(got["pred"], ref["pred"]):
            np.testing.assert_allclose(p_got, p_ref, atol=2e-5)
        np.testing.assert_allclose(got["eval"], ref["eval"], rtol=1e-4, atol=1e-5)
        return
    np.testing.assert_allclose(got["loss"], ref["loss"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got["accuracy"], ref["accuracy"], atol=1e-6)
    np.testing.assert_allclose(got["pred"], ref["pred"], atol=2e-5)
    np.testing.assert_allclose(got["eval"], ref["eval"], rtol=1e-4, atol=1e-5)
