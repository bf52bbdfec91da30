"""tensorflow.examples.tutorials.mnist: the MNIST input helper of TF1's tutorials."""
