"""tf.train.AdagradOptimizer: accum += g^2; var -= lr * g / sqrt(accum)."""
from tfgraph.ops import training_ops
from tfgraph.train.optimizer import Optimizer, cast_like


class AdagradOptimizer(Optimizer):
    """Adagrad with slot "accumulator" ('W/Adagrad'), initialized to `initial_accumulator_value`."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s"
                             % initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_adagrad(
            var, self.get_slot(var, "accumulator"), cast_like(self._learning_rate_tensor, var),
            grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_adagrad(
            var, self.get_slot(var, "accumulator"), cast_like(self._learning_rate_tensor, var),
            grad.values, grad.indices, use_locking=self._use_locking)
