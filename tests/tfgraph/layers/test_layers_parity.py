"""tf.layers against TF 2.21's tf.compat.v1.layers (tests/data/tf_layers.json): variable names,
shapes and trainability, where the ops land, outputs for fixed weights, batch-norm updates and
regularization losses. The graphs are tests/reference/layers_cases.py, shared with the generator.
"""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
from layers_cases import CASES  # noqa: E402 - tests/reference is on sys.path from here

with open(os.path.join(REPO, "tests", "data", "tf_layers.json")) as _f:
    RECORD = json.load(_f)["cases"]

# Output tensors whose op is TF-internal (fused batch norm, the dilated conv's space-to-batch,
# Keras's 1-D pooling squeeze): only their layer scope is compared, not the op's own name.
SCOPE_ONLY = {("conv", 1), ("batch_norm_conv", 0), ("batch_norm_dense", 0),
              ("batch_norm_inference", 0), ("batch_norm_inference", 1),
              ("batch_norm_placeholder", 0), ("batch_norm_placeholder", 1),
              ("pool_flatten_dropout", 2), ("pool_flatten_dropout", 3)}


@pytest.fixture(scope="module")
def ours():
    out = {}
    for name, build in CASES.items():
        with tf.Graph().as_default():
            out[name] = build(tf)
    return out


@pytest.mark.parametrize("name", sorted(RECORD))
def test_layers_as_tensorflow(ours, name):
    want, got = RECORD[name], ours[name]
    assert got["variables"] == want["variables"]
    for i, (g, w) in enumerate(zip(got["names"], want["names"])):
        if (name, i) in SCOPE_ONLY:
            assert g.split("/")[0] == w.split("/")[0], (i, g, w)
        else:
            assert g == w, (i, g, w)
    assert len(got["values"]) == len(want["values"])
    for g, w in zip(got["values"], want["values"]):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-5, atol=2e-6)
    assert got["n_updates"] == want["n_updates"]
    for var, value in want.get("after_update", {}).items():
        np.testing.assert_allclose(got["after_update"][var], value, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(got["regularization"], want["regularization"], rtol=2e-5)
    assert got.get("duplicate_error") == want.get("duplicate_error")
