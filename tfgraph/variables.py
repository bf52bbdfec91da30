"""tf.Variable: a VariableV2 op, its 'Assign' initializer and its 'read' snapshot, as TF1 builds them."""
import numpy as np

from tfgraph.framework import tensor_shape
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.session_stack import session_for
from tfgraph.ops import array_ops, state_ops


class Variable:
    """A TF1 (ref) variable. Its value lives in each Session; initialize it before reading.

        W = tf.Variable(tf.zeros([784, 10]), name="W")
        sess.run(tf.global_variables_initializer())
    """

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None,
                 aggregation=None, shape=None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        graph = get_default_graph()
        if graph._building_function:
            # made inside a cond branch or loop body: the variable belongs to the outermost graph
            # (TF1's init_scope); the function reaches it through a captured proxy
            args = dict(locals())
            del args["self"], args["graph"]
            stack = graph.get_name_scope()
            outer = graph.outermost_graph
            with outer.as_default(), outer.name_scope(stack + "/" if stack else None):
                self.__init__(**args)
            return
        self._graph = graph
        self._trainable = trainable
        self.constraint = constraint
        # Like TF1's init_scope: an enclosing control_dependencies block does not reach the
        # variable's initializer ops.
        with graph.name_scope(name or "Variable") as scope, graph.control_dependencies(None):
            if callable(initial_value):
                with graph.name_scope("Initializer"):
                    value = convert_to_tensor(initial_value(), dtype=dtype, name="initial_value")
            else:  # TF1 names a python initial value 'W/initial_value'
                value = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
            var_shape = value.shape if validate_shape else tensor_shape.unknown_shape()
            if shape is not None:
                var_shape = tensor_shape.as_shape(shape)
            if validate_shape and not var_shape.is_fully_defined():
                raise ValueError("initial_value must have a shape specified: %s" % value)
            self._variable = state_ops.variable_op_v2(var_shape, value.dtype, name=scope)
            self._initial_value = value
            self._initializer_op = state_ops.Assign.create_op(  # an Operation, as in TF
                [self._variable, value], name="Assign", validate_shape=validate_shape,
                use_locking=True)
            self._snapshot = array_ops.identity(self._variable, name="read")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        graph.add_to_collections(collections, self)

    # -- identity ---------------------------------------------------------------------------------
    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._graph

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    @property
    def device(self):
        return self._variable.device

    @property
    def trainable(self):
        return self._trainable

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    def _as_graph_element(self):
        return self._variable

    def _to_tensor(self):
        return self._snapshot

    def _ref(self):
        return self._variable

    def value(self):
        return self._snapshot

    def initialized_value(self):
        """The variable's value after its initializer ran (its Assign's output), for initial
        values that depend on another variable: `tf.Variable(w.initialized_value() * 2)`."""
        return self._initializer_op.outputs[0]

    def read_value(self):
        """A fresh read of the variable (an Identity op named 'read')."""
        return array_ops.identity(self._variable, name="read")

    # -- updates ----------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        op = state_ops.Assign.apply(self._variable, value, validate_shape=True, use_locking=True,
                                    name=name or "Assign")
        return op if read_value else op.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        op = state_ops.AssignAdd.apply(self._variable, delta, use_locking=bool(use_locking),
                                       name=name or "AssignAdd")
        return op if read_value else op.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        op = state_ops.AssignSub.apply(self._variable, delta, use_locking=bool(use_locking),
                                       name=name or "AssignSub")
        return op if read_value else op.op

    def load(self, value, session=None):
        """Writes `value` into the variable in `session` without adding ops to the graph."""
        session = session_for(session, self._graph, "Variable.load()")
        session._check_open()
        arr = np.asarray(value, dtype=self.dtype.np)
        if not self.shape.is_compatible_with(arr.shape):
            raise ValueError("Cannot load value of shape %s into variable %s of shape %s"
                             % (arr.shape, self.name, self.shape))
        slot = session._state.variable(self.op)
        with slot.lock:
            slot.value = np.array(arr, copy=True)

    def eval(self, session=None):
        return session_for(session, self._graph, "Variable.eval()").run(self._variable)

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s_ref>" % (self.name, self.shape, self.dtype.name)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __getitem__(self, key):
        return self._snapshot[key]

    def __iter__(self):
        return iter(self._snapshot)

    def __bool__(self):
        return True


def _delegate(name):
    def method(self, *args):
        return getattr(self._snapshot, name)(*args)
    method.__name__ = name
    return method


# Variables take part in arithmetic like their value does (W * 2, x @ W, -W).
for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__",
              "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__abs__", "__lt__", "__le__",
              "__gt__", "__ge__", "__and__", "__or__", "__invert__"):
    setattr(Variable, _name, _delegate(_name))
Variable.__array_priority__ = 100

RefVariable = Variable


def global_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables():
    return global_variables()


def trainable_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """An op that runs the initializers of `var_list`."""
    from tfgraph.ops import control_flow_ops
    if not var_list:
        return control_flow_ops.no_op(name=name)
    return control_flow_ops.group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """tf.global_variables_initializer: one op initializing every global variable."""
    return variables_initializer(global_variables())


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


initialize_all_variables = global_variables_initializer


def is_variable(x):
    return isinstance(x, Variable)

