"""tutorials/keras3_ops_layers.py in quick mode: keras.ops-only custom layers learn MNIST."""
import importlib.util
import os

import pytest

import tfgraph_keras as keras

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def test_keras3_ops_tutorial_learns_mnist():
    spec = importlib.util.spec_from_file_location(
        "keras3_ops_layers", os.path.join(REPO, "tutorials", "keras3_ops_layers.py"))
    tutorial = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tutorial)
    keras.backend.clear_session()
    try:
        keras.datasets.mnist.load_data()
    except (FileNotFoundError, OSError) as e:
        pytest.skip("MNIST data file absent: %s" % e)
    assert tutorial.main(quick=True) > 0.85
