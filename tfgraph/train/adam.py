"""tf.train.AdamOptimizer (Kingma & Ba), with TF1's defaults, slots and beta-power variables."""
from tfgraph.ops import training_ops
from tfgraph.train.optimizer import Optimizer, cast_like


class AdamOptimizer(Optimizer):
    """Adam: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); var -= lr_t * m / (sqrt(v) + epsilon).

    Slots "m" ('W/Adam') and "v" ('W/Adam_1'), zeros; non-slot variables 'beta1_power' and
    'beta2_power' (initial beta1, beta2), multiplied by beta1/beta2 after every step.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self, graph=None):
        return (self._get_non_slot_variable("beta1_power", graph),
                self._get_non_slot_variable("beta2_power", graph))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first_var)
        self._create_non_slot_variable(self._beta2, "beta2_power", first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta1_t = self._hyper(self._beta1, "beta1")
        self._beta2_t = self._hyper(self._beta2, "beta2")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _args(self, var):
        b1p, b2p = self._get_beta_accumulators(var.graph)
        return (var, self.get_slot(var, "m"), self.get_slot(var, "v"), cast_like(b1p, var),
                cast_like(b2p, var), cast_like(self._lr_t, var), cast_like(self._beta1_t, var),
                cast_like(self._beta2_t, var), cast_like(self._epsilon_t, var))

    def _apply_dense(self, grad, var):
        return training_ops.apply_adam(*self._args(var), grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_adam(*self._args(var), grad.values, grad.indices,
                                              use_locking=self._use_locking)

    def _finish(self, update_ops, name_scope):
        graph = update_ops[0].graph
        with graph.control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators(graph)
            update_beta1 = beta1_power.assign(beta1_power * self._beta1_t,
                                              use_locking=self._use_locking)
            update_beta2 = beta2_power.assign(beta2_power * self._beta2_t,
                                              use_locking=self._use_locking)
        return super()._finish(list(update_ops) + [update_beta1, update_beta2], name_scope)
