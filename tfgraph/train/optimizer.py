"""tf.train.Optimizer: the TF1 base class (compute_gradients, apply_gradients, minimize, slots).

Subclasses implement `_create_slots`, `_prepare`, `_apply_dense` and `_apply_sparse` (IndexedSlices
gradients; repeated indices are summed inside the sparse update kernels, as TF1's
`_apply_sparse_duplicate_indices` does). Graph layout and names follow TF1:

    GradientDescent/learning_rate                       (Const)
    GradientDescent/update_W/ApplyGradientDescent       (one update op per variable)
    GradientDescent                                     (group of the updates, or the global-step
                                                         AssignAdd after GradientDescent/update)
    W/Adam, W/Adam_1                                    (slot variables: non-trainable globals)
"""
from tfgraph.autodiff.gradients import gradients
from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_ops, control_flow_ops, math_ops, state_ops
from tfgraph.variables import Variable, trainable_variables


def _var_key(var):
    return var.op


class Optimizer:
    """Base class for TF1 optimizers; use a subclass (GradientDescentOptimizer, AdamOptimizer)."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}           # slot name -> {var op: slot Variable}
        self._non_slot_dict = {}   # (name, graph) -> Variable

    def get_name(self):
        return self._name

    # -- public API -------------------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """compute_gradients + apply_gradients: returns the training Operation."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables %s and loss %s."
                % ([str(v) for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """A list of (gradient, variable) pairs; the gradient is None for unconnected variables."""
        if callable(loss) and not isinstance(loss, Tensor):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not %s" % gate_gradients)
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([convert_to_tensor(grad_loss)])
        if var_list is None:
            with loss.graph.as_default():
                var_list = trainable_variables()
        else:
            var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        self._assert_valid_dtypes(var_list)
        grads = gradients(loss, var_list, grad_ys=grad_loss,
                          gate_gradients=(gate_gradients == Optimizer.GATE_OP),
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = _gate(grads)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Adds the update ops for `grads_and_vars`; increments `global_step` after all of them."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None and not isinstance(g, IndexedSlices):
                try:
                    g = convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError("Gradient must be convertible to a Tensor or IndexedSlices, or "
                                    "None: %s" % (g,)) from None
            if not isinstance(v, Variable):
                raise NotImplementedError("Trying to update a Tensor %s" % (v,))
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: %s."
                             % ([str(v) for _, v in converted],))
        graph = var_list[0].graph
        with graph.as_default():
            with graph.control_dependencies(None):
                self._create_slots(var_list)
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                # Every gradient is computed before any variable moves: gradient ops may read
                # variables whose buffers the updates overwrite in place. (A plan may still run
                # a large update ahead of the gradients that do not read its variable:
                # runtime/overlap.py checks those reads one by one.)
                gate = [t.op for g, _ in converted if g is not None for t in _tensors_of(g)]
                update_ops = []
                with graph.control_dependencies(gate if len(var_list) > 1 else []):
                    for grad, var in converted:
                        if grad is None:
                            continue
                        with graph.name_scope("update_" + var.op.name):
                            update_ops.append(self._update_op(grad, var))
                if global_step is None:
                    apply_updates = self._finish(update_ops, scope)
                else:
                    with graph.control_dependencies([self._finish(update_ops, "update")]):
                        apply_updates = state_ops.assign_add(global_step, 1, name=scope)
            if isinstance(apply_updates, Tensor):
                apply_updates = apply_updates.op
            train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
        return apply_updates

    def get_slot(self, var, name):
        """The slot variable `name` created for `var` ('m', 'v', 'momentum', ...), or None."""
        named_slots = self._slots.get(name)
        if not named_slots:
            return None
        return named_slots.get(_var_key(var))

    def get_slot_names(self):
        return sorted(self._slots.keys())

    def variables(self):
        """The optimizer's variables (slots and e.g. Adam's beta powers) in the default graph."""
        graph = get_default_graph()
        out = [v for (_, g), v in self._non_slot_dict.items() if g is graph]
        for slots in self._slots.values():
            out.extend(v for v in slots.values() if v.graph is graph)
        return sorted(out, key=lambda v: v.name)

    # -- subclass hooks ---------------------------------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad, var):
        # The SparseApply* kernels sum repeated indices before updating, so no graph-level dedup.
        return self._apply_sparse(grad, var)

    def _finish(self, update_ops, name_scope):
        return control_flow_ops.group(*update_ops, name=name_scope)

    # -- helpers ----------------------------------------------------------------------------------
    def _update_op(self, grad, var):
        if isinstance(grad, IndexedSlices):
            if var.constraint is not None:
                raise RuntimeError("Cannot use a constraint function on a sparse variable.")
            return self._apply_sparse_duplicate_indices(grad, var)
        update = self._apply_dense(grad, var)
        if var.constraint is not None:
            with var.graph.control_dependencies([update]):
                return var.assign(var.constraint(var))
        return update

    def _assert_valid_dtypes(self, tensors):
        valid = ("float16", "float32", "float64")
        for t in tensors:
            if t.dtype.name not in valid:
                raise ValueError("Invalid type tf.%s for %s, expected: [tf.float32, tf.float64, "
                                 "tf.float16]." % (t.dtype.name, t.name.split(":")[0]))

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    def _hyper(self, value, name):
        """A scalar hyper-parameter tensor, as `_prepare` makes them ('learning_rate', ...)."""
        value = self._call_if_callable(value)
        if value is None:  # it would train to NaN
            from tfgraph.framework.operation import user_location
            raise ValueError("%s: hyper-parameter `%s` is None; pass a number or a scalar tensor "
                             "(called at %s)." % (type(self).__name__, name, user_location()))
        return convert_to_tensor(value, name=name)

    def _get_or_make_slot(self, var, make_value, slot_name, op_name):
        named_slots = self._slots.setdefault(slot_name, {})
        key = _var_key(var)
        if key not in named_slots:
            graph = var.graph
            with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
                named_slots[key] = Variable(make_value, trainable=False,
                                            name=var.op.name + "/" + op_name)
        return named_slots[key]

    def _zeros_slot(self, var, slot_name, op_name):
        """A slot initialized to zeros of `var`'s shape and dtype (TF1's `_zeros_slot`)."""
        return self._get_or_make_slot(var, lambda: _filled(var, 0.0), slot_name, op_name)

    def _constant_slot(self, var, value, slot_name, op_name):
        return self._get_or_make_slot(var, lambda: _filled(var, value), slot_name, op_name)

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with graph.as_default(), graph.control_dependencies(None):
                v = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or get_default_graph()))


def _filled(var, value):
    if var.shape.is_fully_defined():
        shape = var.shape.as_list()
        if value == 0:
            return array_ops.zeros(shape, dtype=var.dtype)
        if value == 1:
            return array_ops.ones(shape, dtype=var.dtype)
        return array_ops.fill(shape, convert_to_tensor(value, dtype=var.dtype))
    return array_ops.ones_like(var.initial_value) * value if value else \
        array_ops.zeros_like(var.initial_value)


def _tensors_of(g):
    return [g.values, g.indices] if isinstance(g, IndexedSlices) else [g]


def _gate(grads):
    live = [t for g in grads if g is not None for t in _tensors_of(g)]
    gated = iter(control_flow_ops.tuple(live))
    out = []
    for g in grads:
        if g is None:
            out.append(None)
        elif isinstance(g, IndexedSlices):
            out.append(IndexedSlices(next(gated), next(gated), g.dense_shape))
        else:
            out.append(next(gated))
    return out


def cast_like(t, var):
    """TF1's `math_ops.cast(hyper, var.dtype.base_dtype)` for hyper-parameter tensors."""
    return math_ops.cast(t, var.dtype)
