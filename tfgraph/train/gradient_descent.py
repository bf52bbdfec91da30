"""tf.train.GradientDescentOptimizer: var -= learning_rate * grad."""
from tfgraph.ops import training_ops
from tfgraph.train.optimizer import Optimizer, cast_like


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent.

        train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var, cast_like(self._learning_rate_tensor, var), grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        # TF1: var.scatter_sub(lr * grad); rows of repeated indices accumulate.
        return training_ops.sparse_apply_gradient_descent(
            var, cast_like(self._learning_rate_tensor, var), grad.values, grad.indices,
            use_locking=self._use_locking)
