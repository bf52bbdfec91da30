"""Control-flow values and gradients against TensorFlow's (tests/data/control_flow_cases.json).

The fixtures are recorded by tests/reference/make_control_flow_cases.py from the very same graph
code (tests/reference/control_flow_cases.py) run on tf.compat.v1.
"""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

_REF = os.path.join(os.path.dirname(__file__), "..", "..", "reference")
sys.path.insert(0, _REF)
import control_flow_cases  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                       "control_flow_cases.json")) as _f:
    _EXPECTED = json.load(_f)["cases"]


@pytest.mark.parametrize("name", sorted(control_flow_cases.CASES))
def test_matches_tensorflow(name):
    expected = _EXPECTED[name]
    with tf.Graph().as_default():
        fetches, feeds = control_flow_cases.CASES[name](tf)
        assert sorted(fetches) == sorted(expected)  # same gradients exist (None where TF's is)
        with tf.Session() as sess:
            got = sess.run(fetches, feeds)
    for key, want in expected.items():
        np.testing.assert_allclose(np.asarray(got[key], np.float64), np.asarray(want),
                                   rtol=2e-5, atol=2e-6, err_msg="%s: %s" % (name, key))


def test_training_through_while_loop_matches_tensorflow():
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                           "control_flow_cases.json")) as f:
        want = json.load(f)["train_while_rnn"]
    with tf.Graph().as_default():
        got = control_flow_cases.train_while_rnn(tf)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    assert got[-1] < got[0] * 0.2
