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
    data_dir = os.environ.get("TFGRAPH_DATASETS_DIR")
    if not data_dir or not os.path.exists(os.path.join(data_dir, "mnist.npz")):
        pytest.skip("MNIST data file absent: set TFGRAPH_DATASETS_DIR")
    tutorial.FLAGS = argparse.Namespace(steps=200, batch_size=100, timing=False, quick=False,
                                        data_dir=data_dir)
    with tf.Graph().as_default():
        try:
            acc = tutorial.train_and_test()
        finally:
            sess = tf.get_default_session()
            if sess is not None:
                sess.close()
    assert acc > 0.85
