"""TF1's tensorflow.examples.tutorials helpers, as tfgraph.examples.tutorials."""
