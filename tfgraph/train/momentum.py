"""tf.train.MomentumOptimizer: accum = momentum * accum + grad; var -= lr * accum (or Nesterov)."""
from tfgraph.ops import training_ops
from tfgraph.train.optimizer import Optimizer, cast_like


class MomentumOptimizer(Optimizer):
    """Momentum SGD with TF1's slot "momentum" (variable 'W/Momentum', zeros).

    Sparse gradients update only the rows present: those rows' accumulators decay, the others do not
    (unlike a dense update), exactly as TF1's SparseApplyMomentum.
    """

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        return training_ops.apply_momentum(
            var, self.get_slot(var, "momentum"), cast_like(self._learning_rate_tensor, var), grad,
            cast_like(self._momentum_tensor, var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov)

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_momentum(
            var, self.get_slot(var, "momentum"), cast_like(self._learning_rate_tensor, var),
            grad.values, grad.indices, cast_like(self._momentum_tensor, var),
            use_locking=self._use_locking, use_nesterov=self._use_nesterov)
