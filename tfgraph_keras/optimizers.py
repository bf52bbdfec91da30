"""keras.optimizers: SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax, Nadam with Keras defaults.

Each optimizer builds its update ops once, in the model's graph (`get_updates(loss, params)`): the
gradients, then one assign per slot and per weight, all after every gradient is computed (the
weights
are updated in place), then `iterations += 1`. The learning rate is a variable, so schedules and
ReduceLROnPlateau change it without rebuilding anything. Old spellings `lr=` and `decay=` work with
a DeprecationWarning (decay: lr / (1 + decay * iterations), as Keras 2).
"""
import warnings

import numpy as np

import tfgraph as tf
from tfgraph.ops import training_ops
from tfgraph_keras import backend
from tfgraph_keras.engine import step_context


class Optimizer:
    """Base class. Subclasses define `_slots` (slot names) and `_apply(var, grad, slots, lr, t)`."""

    _slots = ()

    def __init__(self, learning_rate=0.001, name=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        if self.decay:
            warnings.warn("The `decay` argument is deprecated; use a learning-rate schedule.",
                          DeprecationWarning, stacklevel=3)
        for k in ("epsilon", "amsgrad", "weight_decay", "use_ema", "ema_momentum", "jit_compile",
                  "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps"):
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError("Unexpected keyword argument(s) passed to optimizer %s: %s"
                            % (type(self).__name__, sorted(kwargs)))
        self.name = name or type(self).__name__
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self._lr_value = learning_rate
        self._graph = None
        self._lr_var = None
        self._iterations = None
        self._slot_vars = {}  # (var id) -> {slot name: Variable}
        self._scratch_vars = {}
        self._weights = []

    # -- learning rate / iterations
    # ------------------------------------------------------------------
    def _build(self, graph):
        if self._graph is graph:
            return
        self._graph = graph
        with graph.as_default(), graph.name_scope(None), graph.name_scope(self.name):
            self._iterations = tf.Variable(np.int64(0), name="iterations", trainable=False)
            lr = self._lr_value
            lr = float(backend.get_value(lr) if isinstance(lr, tf.Variable) else lr)
            self._lr_var = tf.Variable(np.float32(lr), name="learning_rate", trainable=False)
        self._weights = [self._iterations, self._lr_var]
        self._slot_vars = {}
        self._scratch_vars = {}

    @property
    def iterations(self):
        return self._iterations

    @property
    def learning_rate(self):
        return self._lr_var if self._lr_var is not None else self._lr_value

    @learning_rate.setter
    def learning_rate(self, value):
        if self._lr_var is not None:
            backend.set_value(self._lr_var, value)
        else:
            self._lr_value = value

    lr = learning_rate

    def _current_lr(self):
        lr = tf.convert_to_tensor(self._lr_var)
        if self.decay:
            it = tf.cast(tf.convert_to_tensor(self._iterations), tf.float32)
            lr = lr / (1.0 + self.decay * it)
        return lr

    # -- updates
    # -------------------------------------------------------------------------------------
    def _slot(self, var, name, init=0.0):
        slots = self._slot_vars.setdefault(id(var), {})
        if name not in slots:
            graph = self._graph
            base = var.op.name
            with graph.as_default(), graph.name_scope(None), \
                    graph.control_dependencies(None), graph.name_scope(self.name + "/" + base):
                value = np.full(var.shape.as_list(), init, dtype=var.dtype.np)
                slots[name] = tf.Variable(value, name=name, trainable=False)
            self._weights.append(slots[name])
        return slots[name]

    def _scratch_slot(self, var, name):
        """A slot a fused op needs that Keras's optimizer lacks (kept out of `weights`)."""
        key = (id(var), "scratch/" + name)
        if key not in self._scratch_vars:
            graph = self._graph
            with graph.as_default(), graph.name_scope(None), \
                    graph.control_dependencies(None), \
                    graph.name_scope(self.name + "/" + var.op.name):
                self._scratch_vars[key] = tf.Variable(np.zeros(var.shape.as_list(), var.dtype.np),
                                                      name=name, trainable=False)
        return self._scratch_vars[key]

    @property
    def _all_variables(self):
        return list(self._weights) + list(self._scratch_vars.values())

    def _clip(self, grads):
        if self.global_clipnorm is not None:
            norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in grads]))
            scale = self.global_clipnorm / tf.maximum(norm, self.global_clipnorm)
            grads = [g * scale for g in grads]
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = tf.sqrt(tf.reduce_sum(tf.square(g)))
                out.append(g * (self.clipnorm / tf.maximum(norm, self.clipnorm)))
            grads = out
        if self.clipvalue is not None:
            grads = [tf.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_gradients(self, loss, params):
        return self._update_gradients(self._loss_gradients(loss, params), params)

    def _loss_gradients(self, loss, params):
        """tf.gradients of `loss`, with Keras's error for a parameter that has none."""
        grads = tf.gradients(loss, params)
        for g, p in zip(grads, params):
            if g is None:
                raise ValueError("Variable %s has `None` for gradient. Please make sure that all "
                                 "of your ops have a gradient defined (i.e. are "
                                 "differentiable)." % p.name)
        return grads

    def _update_gradients(self, grads, params):
        """The gradients as the update rules read them: dense tensors, with Keras 3's
        per-occurrence squares kept for a sparse (IndexedSlices) one."""
        out = []
        for g, p in zip(grads, params):
            dense = tf.convert_to_tensor(g) if not isinstance(g, tf.Tensor) else g
            if isinstance(g, tf.IndexedSlices) and self._uses_squares:
                rows = p.shape.as_list()[0]
                self._sparse_squares[id(dense)] = (dense, tf.unsorted_segment_sum(
                    tf.square(g.values), g.indices, rows if rows is not None else tf.shape(p)[0]))
            out.append(dense)
        return out

    # Adam, RMSprop, Adagrad, Nadam: for an Embedding's sparse gradient Keras 3 (on TensorFlow)
    # squares each occurrence of a repeated row and sums the squares, where TF1 and Keras 2
    # square the summed row; `_square` gives Keras 3's value (unfused: the fused kernels square
    # the dense gradient). A clipped gradient is a new tensor and is squared as it is.
    _uses_squares = False

    @property
    def _sparse_squares(self):
        if "_sparse_sq" not in vars(self):
            self._sparse_sq = {}
        return self._sparse_sq

    def _square(self, g):
        entry = self._sparse_squares.get(id(g))
        return entry[1] if entry is not None and entry[0] is g else tf.square(g)

    def _is_sparse(self, g):
        entry = self._sparse_squares.get(id(g))
        return entry is not None and entry[0] is g

    def get_updates(self, loss, params):
        """The update ops for `params` minimizing `loss` (built once, in the loss's graph)."""
        graph = loss.graph
        self._build(graph)
        with graph.as_default():
            grads = self._clip(self.get_gradients(loss, params))
            return self._apply_all(list(zip(grads, params)), graph)

    def apply_gradients(self, grads_and_vars, name=None):
        grads_and_vars = [(g, v) for g, v in grads_and_vars if g is not None]
        graph = grads_and_vars[0][1].graph
        self._build(graph)
        with graph.as_default():
            grads = self._clip([g for g, _ in grads_and_vars])
            grads_and_vars = list(zip(grads, [v for _, v in grads_and_vars]))
            op = tf.group(*self._apply_all(grads_and_vars, graph))
        step_context.record_update_op(op)  # run once per batch by a traced train_step
        return op

    def apply(self, grads, trainable_variables=None):
        """Keras 3's `optimizer.apply(grads, trainable_variables)`: the update op (graph mode).
        Inside a custom `train_step` the op is run once per batch by fit."""
        if trainable_variables is None:
            raise ValueError("`optimizer.apply()` needs `trainable_variables` in tfgraph_keras: "
                             "the optimizer is not built on a fixed variable list.")
        grads, trainable_variables = list(grads), list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError("`optimizer.apply()`: got %d gradients for %d variables."
                             % (len(grads), len(trainable_variables)))
        return self.apply_gradients(zip(grads, trainable_variables))

    def _apply_all(self, grads_and_vars, graph):
        grads = _dep_grads(grads_and_vars)
        with graph.name_scope(None), graph.name_scope(self.name), graph.control_dependencies(grads):
            lr = self._current_lr()
            t = tf.cast(tf.convert_to_tensor(self._iterations), tf.float32) + 1.0
            updates = []
            for g, v in grads_and_vars:
                slots = {name: self._slot(v, name, init) for name, init in self._slot_specs()}
                constraint = getattr(v, "_keras_constraint", None)
                fused = self._fused(v, g, slots, lr, t) if constraint is None and not \
                    self._is_sparse(g) else None
                if fused is not None:
                    updates.append(fused)
                    continue
                new = self._apply(v, g, slots, lr, t)
                if constraint is not None:
                    new = constraint(new)
                updates.append(tf.assign(v, new))
            with graph.control_dependencies(updates):
                updates.append(tf.assign_add(self._iterations, np.int64(1)))
        return updates

    def _slot_specs(self):
        return [(s, 0.0) for s in self._slots]

    def _apply(self, var, grad, slots, lr, t):
        raise NotImplementedError

    def _fused(self, var, grad, slots, lr, t):
        """A fused in-place update op (tfgraph/ops/training_ops.py) when one has Keras's rule."""
        return None

    # -- state
    # ---------------------------------------------------------------------------------------
    @property
    def variables(self):
        return list(self._weights)

    @property
    def weights(self):
        return list(self._weights)

    def get_weights(self):
        return backend.batch_get_value(self._weights)

    def set_weights(self, weights):
        if len(weights) != len(self._weights):
            raise ValueError("Optimizer %s expects %d weights, got %d."
                             % (self.name, len(self._weights), len(weights)))
        backend.batch_set_value(list(zip(self._weights, weights)))

    def get_config(self):
        lr = self.learning_rate
        lr = float(backend.get_value(lr)) if isinstance(lr, tf.Variable) else lr
        config = {"name": self.name, "learning_rate": lr}
        for k in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, k) is not None:
                config[k] = getattr(self, k)
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        return cls(**config)


def _dep_grads(grads_and_vars):
    """The gradients every update waits for (fed placeholders need no ordering: and the plan
    would run a placeholder named as a control input as if unfed)."""
    return [g for g, _ in grads_and_vars if isinstance(g, tf.Tensor) and g.op.type not in
            ("Placeholder", "PlaceholderWithDefault")]


class SGD(Optimizer):
    """w -= lr * g; momentum: m = momentum*m - lr*g, w += m (nesterov: w += momentum*m - lr*g)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _slot_specs(self):
        return [("momentum", 0.0)] if self.momentum else []

    def _fused(self, var, g, slots, lr, t):
        if self.momentum or not isinstance(g, tf.Tensor):
            return None
        return training_ops.apply_gradient_descent(var, lr, g)

    def _apply(self, var, g, slots, lr, t):
        if not self.momentum:
            return var - lr * g
        m = tf.assign(slots["momentum"], self.momentum * slots["momentum"] - lr * g)
        if self.nesterov:
            return var + self.momentum * m - lr * g
        return var + m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """m, v moving averages; w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)."""

    _uses_squares = True

    _slots = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 name="Adam", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _slot_specs(self):
        return [("m", 0.0), ("v", 0.0)] + ([("vhat", 0.0)] if self.amsgrad else [])

    def _powers(self, t):
        """(beta_1^t, beta_2^t), built once per update step and shared by every weight's update
        (one Pow pair per weight was 12 kernel calls per step for a 3-layer model)."""
        if getattr(self, "_powers_of", (None,))[0] is not t:
            self._powers_of = (t, tf.pow(self.beta_1, t), tf.pow(self.beta_2, t))
        return self._powers_of[1:]

    def _fused(self, var, g, slots, lr, t):
        if self.amsgrad or not isinstance(g, tf.Tensor):
            return None
        b1_t, b2_t = self._powers(t)
        return training_ops.apply_adam(var, slots["m"], slots["v"], b1_t, b2_t, lr, self.beta_1,
                                       self.beta_2, self.epsilon, g)

    def _apply(self, var, g, slots, lr, t):
        b1, b2 = self.beta_1, self.beta_2
        b1_t, b2_t = self._powers(t)
        lr_t = lr * tf.sqrt(1.0 - b2_t) / (1.0 - b1_t)
        m = tf.assign(slots["m"], slots["m"] + (g - slots["m"]) * (1.0 - b1))
        v = tf.assign(slots["v"], slots["v"] + (self._square(g) - slots["v"]) * (1.0 - b2))
        if self.amsgrad:
            v = tf.assign(slots["vhat"], tf.maximum(slots["vhat"], v))
        return var - lr_t * m / (tf.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class RMSprop(Optimizer):
    """v = rho*v + (1-rho)*g^2; w -= lr * g / sqrt(v + eps), as Keras 3 (+momentum/centered)."""

    _uses_squares = True

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name="RMSprop", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)

    def _slot_specs(self):
        specs = [("velocity", 0.0)]
        if self.momentum:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("average_gradient", 0.0))
        return specs

    def _fused(self, var, g, slots, lr, t):
        # TF's ApplyRMSProp is Keras 3's rule: mom = momentum*mom + lr*g/sqrt(ms + eps); var -= mom
        if self.centered or not isinstance(g, tf.Tensor):
            return None
        if not self.momentum:   # the same rule with no momentum buffer to stream through
            return training_ops.apply_keras_rms_prop(var, slots["velocity"], lr, self.rho,
                                                     self.epsilon, g)
        return training_ops.apply_rms_prop(var, slots["velocity"], slots["momentum"], lr,
                                           self.rho, self.momentum, self.epsilon, g)

    def _apply(self, var, g, slots, lr, t):
        rho = self.rho
        v = tf.assign(slots["velocity"],
                      rho * slots["velocity"] + (1.0 - rho) * self._square(g))
        denom = v
        if self.centered:
            a = tf.assign(slots["average_gradient"],
                          rho * slots["average_gradient"] + (1.0 - rho) * g)
            denom = v - tf.square(a)
        step = lr * g / tf.sqrt(denom + self.epsilon)
        if self.momentum:
            step = tf.assign(slots["momentum"], self.momentum * slots["momentum"] + step)
        return var - step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """acc += g^2; w -= lr * g / sqrt(acc + eps) (Keras 3); acc starts at the initial value."""

    _uses_squares = True

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="Adagrad", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _slot_specs(self):
        return [("accumulator", self.initial_accumulator_value)]

    def _apply(self, var, g, slots, lr, t):
        acc = tf.assign(slots["accumulator"], slots["accumulator"] + self._square(g))
        return var - lr * g / tf.sqrt(acc + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon,
                "initial_accumulator_value": self.initial_accumulator_value}


class Adadelta(Optimizer):
    """Accumulated g^2 and update^2 with decay rho; w -= lr * sqrt(Eu+eps)/sqrt(Eg+eps) * g."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)

    _slots = ("accumulated_grad", "accumulated_delta_var")

    def _apply(self, var, g, slots, lr, t):
        rho, eps = self.rho, self.epsilon
        ag = tf.assign(slots["accumulated_grad"],
                       rho * slots["accumulated_grad"] + (1.0 - rho) * tf.square(g))
        delta = tf.sqrt(slots["accumulated_delta_var"] + eps) / tf.sqrt(ag + eps) * g
        with tf.control_dependencies([delta]):
            ad = tf.assign(slots["accumulated_delta_var"],
                           rho * slots["accumulated_delta_var"] + (1.0 - rho) * tf.square(delta))
        with tf.control_dependencies([ad]):
            return var - lr * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """m = b1 m + (1-b1) g; u = max(b2 u, |g|); w -= lr / (1 - b1^t) * m / (u + eps)."""

    _slots = ("m", "u")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Adamax",
                 **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _apply(self, var, g, slots, lr, t):
        b1 = self.beta_1
        m = tf.assign(slots["m"], slots["m"] + (g - slots["m"]) * (1.0 - b1))
        u = tf.assign(slots["u"], tf.maximum(self.beta_2 * slots["u"], tf.abs(g)))
        return var - (lr / (1.0 - tf.pow(b1, t))) * m / (u + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum, Keras 3's momentum schedule u_t = b1 (1 - 0.96^t / 2)."""

    _uses_squares = True

    _slots = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Nadam",
                 **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self._u_product = None

    def _build(self, graph):
        fresh = self._graph is not graph
        super()._build(graph)
        if fresh:
            with graph.as_default(), graph.name_scope(None), graph.name_scope(self.name):
                self._u_product = tf.Variable(np.float32(1.0), name="u_product", trainable=False)
            self._weights.append(self._u_product)
            self._u_cache = None

    def _apply_all(self, grads_and_vars, graph):
        grads = _dep_grads(grads_and_vars)
        with graph.name_scope(None), graph.name_scope(self.name), graph.control_dependencies(grads):
            t = tf.cast(tf.convert_to_tensor(self._iterations), tf.float32) + 1.0
            b1 = self.beta_1
            u_t = b1 * (1.0 - 0.5 * tf.pow(0.96, t))
            u_t1 = b1 * (1.0 - 0.5 * tf.pow(0.96, t + 1.0))
            u_prod_t = tf.assign(self._u_product, self._u_product * u_t)
            self._u_cache = (u_t, u_t1, u_prod_t, u_prod_t * u_t1)
        return super()._apply_all(grads_and_vars, graph)

    def _apply(self, var, g, slots, lr, t):
        b1, b2 = self.beta_1, self.beta_2
        u_t, u_t1, u_prod_t, u_prod_t1 = self._u_cache
        m = tf.assign(slots["m"], slots["m"] + (g - slots["m"]) * (1.0 - b1))
        v = tf.assign(slots["v"], slots["v"] + (self._square(g) - slots["v"]) * (1.0 - b2))
        m_hat = u_t1 * m / (1.0 - u_prod_t1) + (1.0 - u_t) * g / (1.0 - u_prod_t)
        v_hat = v / (1.0 - tf.pow(b2, t))
        return var - lr * m_hat / (tf.sqrt(v_hat) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


_ALIASES = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam}


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    cls = _ALIASES.get(config["class_name"].lower())
    if cls is None:
        raise ValueError("Unknown optimizer: %s" % config["class_name"])
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """An optimizer from a name ('adam', 'rmsprop' ...), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier.lower())
        if cls is None:
            raise ValueError("Could not interpret optimizer identifier: '%s'. Known optimizers: %s"
                             % (identifier, ", ".join(sorted(_ALIASES))))
        return cls()
    raise ValueError("Could not interpret optimizer identifier: %r" % (identifier,))
