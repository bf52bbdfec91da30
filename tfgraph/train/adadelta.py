"""tf.train.AdadeltaOptimizer (Zeiler 2012) with TF1's defaults (lr 0.001, rho 0.95, eps 1e-8)."""
from tfgraph.ops import training_ops
from tfgraph.train.optimizer import Optimizer, cast_like


class AdadeltaOptimizer(Optimizer):
    """Adadelta with slots "accum" ('W/Adadelta') and "accum_update" ('W/Adadelta_1'), zeros."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._lr, "lr")
        self._rho_t = self._hyper(self._rho, "rho")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _args(self, var):
        return (var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
                cast_like(self._lr_t, var), cast_like(self._rho_t, var),
                cast_like(self._epsilon_t, var))

    def _apply_dense(self, grad, var):
        return training_ops.apply_adadelta(*self._args(var), grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_adadelta(*self._args(var), grad.values, grad.indices,
                                                  use_locking=self._use_locking)
