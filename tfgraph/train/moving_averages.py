"""tf.train.ExponentialMovingAverage: shadow variables that track moving averages of variables.

    ema = tf.train.ExponentialMovingAverage(decay=0.99)
    with tf.control_dependencies([train_op]):
        train_op = ema.apply([W, b])          # shadow -= (1 - decay) * (shadow - value)
    saver = tf.train.Saver(ema.variables_to_restore())   # evaluate with the averaged weights
"""
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.ops import control_flow_ops, math_ops, state_ops
from tfgraph.variables import Variable


def assign_moving_average(variable, value, decay, zero_debias=False, name=None):
    """variable -= (1 - decay) * (variable - value); returns the updated value."""
    if zero_debias:
        raise NotImplementedError("assign_moving_average(zero_debias=True) is not supported; "
                                  "use zero_debias=False (TF1's default for Variables)")
    with get_default_graph().name_scope(name or "AssignMovingAvg"):
        decay = math_ops.cast(convert_to_tensor(decay), variable.dtype)
        update_delta = (variable - value) * (1.0 - decay)
        return state_ops.assign_sub(variable, update_delta)


class ExponentialMovingAverage:
    """Maintains moving averages of variables (TF1). Shadows are named 'W/ExponentialMovingAverage'.

    With `num_updates`, the decay used is min(decay, (1 + num_updates) / (10 + num_updates)).
    """

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        if zero_debias:
            raise NotImplementedError("ExponentialMovingAverage(zero_debias=True) is not supported")
        self._decay = decay
        self._num_updates = num_updates
        self._name = name
        self._averages = {}   # var op -> shadow Variable

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates shadows for `var_list` (default: trainable variables); returns the update op."""
        graph = get_default_graph()
        if var_list is None:
            var_list = graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        var_list = [convert_to_tensor(v) if not isinstance(v, Variable) else v for v in var_list]
        for var in var_list:
            if not var.dtype.is_floating:
                raise TypeError("The variables must be half, float, or double: %s" % var.name)
            if var.op in self._averages:
                raise ValueError("Moving average already computed for: %s" % var.name)
            with graph.name_scope(None), graph.control_dependencies(None):
                if isinstance(var, Variable):
                    initial = var.initial_value
                    shadow = Variable(lambda: initial, trainable=False,
                                      name=var.op.name + "/" + self._name)
                    graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    from tfgraph.ops import array_ops
                    shadow = Variable(lambda: array_ops.zeros_like(var), trainable=False,
                                      name=var.op.name + "/" + self._name)
            self._averages[var.op] = shadow
        with graph.name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                num_updates = math_ops.cast(convert_to_tensor(self._num_updates), decay.dtype,
                                            name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = [assign_moving_average(self._averages[var.op], var, decay)
                       for var in var_list]
            return control_flow_ops.group(*updates, name=scope)

    def average(self, var):
        """The shadow Variable of `var`, or None."""
        return self._averages.get(var.op)

    def average_name(self, var):
        """The checkpoint name of `var`'s moving average: 'W/ExponentialMovingAverage'."""
        if var.op in self._averages:
            return self._averages[var.op].op.name
        return var.op.name + "/" + self._name

    def variables_to_restore(self, moving_avg_variables=None):
        """{name: variable}: each averaged variable's shadow name maps to the variable itself (so a
        Saver loads the averages into the model); every other global variable to itself."""
        graph = get_default_graph()
        if moving_avg_variables is None:
            moving_avg_variables = graph.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES) + \
                graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        averaged = {v.op for v in moving_avg_variables}
        shadows = {s.op for s in self._averages.values()}
        out = {}
        for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES):
            if v.op in shadows:
                continue
            out[self.average_name(v) if v.op in averaged else v.op.name] = v
        return out


__all__ = ["ExponentialMovingAverage", "assign_moving_average"]
