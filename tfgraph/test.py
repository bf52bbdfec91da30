"""The tf.test namespace: the gradient checker."""
from tfgraph.autodiff.gradient_checker import compute_gradient, compute_gradient_error  # noqa: F401
