"""Step-for-step parity with real TensorFlow: the same TF1 scripts, losses recorded from TF 2.21.

tests/data/tf_parity.json was written by tests/reference/make_tf_parity.py in a virtualenv with
tensorflow-cpu; this test runs the very same model code (tests/reference/parity_cases.py) on tfgraph.
"""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import parity_cases  # noqa: E402

with open(os.path.join(HERE, "..", "data", "tf_parity.json")) as _f:
    REFERENCE = json.load(_f)["cases"]


@pytest.mark.parametrize("name", sorted(parity_cases.OPTIMIZERS))
def test_dense_training_matches_tensorflow(name):
    with tf.Graph().as_default():
        got = parity_cases.build_and_train(tf, name)
    ref = REFERENCE[name]
    np.testing.assert_allclose(got["losses"], ref["losses"], rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(got["w1_sum"], ref["w1_sum"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got["w1_abs_sum"], ref["w1_abs_sum"], rtol=1e-4)


@pytest.mark.parametrize("name", parity_cases.SPARSE_OPTIMIZERS)
def test_sparse_embedding_training_matches_tensorflow(name):
    with tf.Graph().as_default():
        got = parity_cases.build_and_train_embedding(tf, name)
    ref = REFERENCE["embedding_" + name]
    np.testing.assert_allclose(got["losses"], ref["losses"], rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(got["emb"], ref["emb"], atol=2e-5)
