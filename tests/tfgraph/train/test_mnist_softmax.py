"""The TF1 softmax-regression tutorial (tutorials/mnist_softmax.py), shortened to 200 steps."""
import argparse
import importlib.util
import os

import pytest

import tfgraph as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _load_tutorial():
    spec = importlib.util.spec_from_file_location(
        "mnist_softmax", os.path.join(REPO, "tutorials", "mnist_softmax.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_softmax_regression_learns_mnist():
    tutorial = _load_tutorial()
    try:
        tutorial.mnist_path()
    except FileNotFoundError as e:
        pytest.skip("MNIST data file absent: %s" % e)
    tutorial.FLAGS = argparse.Namespace(steps=200, batch_size=100, timing=False)
    with tf.Graph().as_default():
        try:
            acc = tutorial.main()
        finally:
            sess = tf.get_default_session()
            if sess is not None:
                sess.close()
    assert acc > 0.85
