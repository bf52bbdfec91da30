"""tf.train.RMSPropOptimizer with TF1's defaults (decay 0.9, momentum 0, epsilon 1e-10)."""
from tfgraph.ops import training_ops
from tfgraph.train.optimizer import Optimizer, cast_like


class RMSPropOptimizer(Optimizer):
    """RMSProp: ms += (g^2 - ms)(1 - decay); mom = momentum * mom + lr * g / sqrt(ms + epsilon);
    var -= mom. `centered=True` divides by sqrt(ms - mg^2 + epsilon) instead.

    Slots as TF1 creates them: "rms" ('W/RMSProp', initialized to ONES), "mg" when centered (zeros),
    "momentum" (zeros): 'W/RMSProp_1' (or 'W/RMSProp_2' when centered).
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, 1.0, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._decay_tensor = self._hyper(self._decay, "decay")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")
        self._epsilon_tensor = self._hyper(self._epsilon, "epsilon")

    def _hypers(self, var):
        return (cast_like(self._learning_rate_tensor, var), cast_like(self._decay_tensor, var),
                cast_like(self._momentum_tensor, var), cast_like(self._epsilon_tensor, var))

    def _apply_dense(self, grad, var):
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return training_ops.apply_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, mom, *self._hypers(var), grad,
                use_locking=self._use_locking)
        return training_ops.apply_rms_prop(var, rms, mom, *self._hypers(var), grad,
                                           use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return training_ops.sparse_apply_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, mom, *self._hypers(var), grad.values,
                grad.indices, use_locking=self._use_locking)
        return training_ops.sparse_apply_rms_prop(var, rms, mom, *self._hypers(var), grad.values,
                                                  grad.indices, use_locking=self._use_locking)
