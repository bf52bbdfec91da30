"""The TF1 recurrent MNIST tutorial (tutorials/mnist_rnn.py: BasicLSTMCell + dynamic_rnn + Adam),
shortened to 100 steps."""
import argparse
import importlib.util
import os

import tfgraph as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _load_tutorial():
    spec = importlib.util.spec_from_file_location(
        "mnist_rnn", os.path.join(REPO, "tutorials", "mnist_rnn.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lstm_classifier_learns_mnist(capsys):
    tutorial = _load_tutorial()
    tutorial.FLAGS = argparse.Namespace(steps=100, batch_size=128, learning_rate=0.001,
                                        display_step=50, seed=0, quick=True, timing=False)
    with tf.Graph().as_default():
        acc = tutorial.main()
    losses = [float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()
              if line.startswith("Step")]
    assert len(losses) == 3 and losses[-1] < losses[0] / 2      # steps 1, 50, 100
    assert acc > 0.6
