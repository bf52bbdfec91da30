"""FuncGraph: a sub-graph traced from a Python function (a cond branch, a while body).

Control-flow ops hold their branches and bodies as separate graphs, as TF2's If/While do. While a
FuncGraph is the default graph, an op that reads a tensor of an enclosing graph does not reach
across graphs: the tensor is *captured*, i.e. replaced by a new `_Arg` input of the function, and
the control-flow op passes the outer tensor in as an explicit input. Nested functions capture
through each level, so every graph only ever sees its own tensors.

A `Function` is a view of a FuncGraph: its argument tensors, its result tensors and the ops that
must run for their effects. Gradients add ops to the same graph and make a second view over it
(other arguments, other results); an execution plan prunes each view to what its results need.
"""
import contextlib
import threading

from tfgraph.framework import errors
from tfgraph.framework.graph import Graph
from tfgraph.framework.op_def import OpDef, TensorSpec, get_op_def
from tfgraph.framework.operation import Operation


class Arg(OpDef):
    """An argument of a function graph; its value is always given by the calling op."""

    type = "_Arg"
    attrs = {"dtype": None, "shape": None}

    def infer(self, dtype, shape):
        return [TensorSpec(shape, dtype)]

    def compute(self, dtype, shape):
        raise errors.InternalError(None, None, "a function argument was not passed in")


class FuncGraph(Graph):
    """A graph traced from a Python function inside `outer_graph`."""

    def __init__(self, name, outer_graph):
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.seed = outer_graph.seed
        self._building_function = True
        self.captures = {}    # outer tensor -> the _Arg output standing for it here
        self._sources = []    # captured tensors of outer_graph, in capture order
        self.outer_control = []  # ops of enclosing graphs named in control_dependencies
        self._var_store = outer_graph._var_store  # tf.get_variable reuse sees the outer variables
        self._var_scope_counts = outer_graph._var_scope_counts

    @property
    def outermost_graph(self):
        g = self
        while isinstance(g, FuncGraph):
            g = g.outer_graph
        return g

    def add_arg(self, dtype, shape, name="arg"):
        with self.as_default(), self.control_dependencies(None):
            return Arg.apply(dtype=dtype, shape=shape, name=name)

    def capture(self, tensor):
        """`tensor` as seen inside this graph (an _Arg for a tensor of an enclosing graph)."""
        if tensor.graph is self:
            return tensor
        inner = self.captures.get(tensor)
        if inner is not None:
            return inner
        if tensor.op.type == "VariableV2":
            return self._capture_variable(tensor)
        source = tensor
        if tensor.graph is not self.outer_graph:
            if not isinstance(self.outer_graph, FuncGraph):
                raise ValueError("Tensor %s must be from the same graph as the function %r that "
                                 "uses it." % (tensor, self.name))
            source = self.outer_graph.capture(tensor)  # captured level by level
            inner = self.captures.get(source)
        if inner is None:
            inner = self.add_arg(tensor.dtype, tensor.shape, name=tensor.op.name.split("/")[-1])
            self.captures[source] = inner
            self._sources.append(source)
        self.captures[tensor] = inner
        return inner

    def _capture_variable(self, ref):
        # A variable is session state, not a value: the function gets its own VariableV2 op bound
        # to the same session slot (SessionState.variable follows _variable_source), so reads and
        # assignments inside a branch or loop body act on the variable itself.
        var_op = getattr(ref.op, "_variable_source", ref.op)
        with self.as_default(), self.control_dependencies(None):
            proxy = type(get_op_def("VariableV2")).create_op(
                [], name=var_op.name.split("/")[-1], _graph=self, **ref.op.attrs)
        proxy._variable_source = var_op
        self.captures[ref] = proxy.outputs[0]
        return proxy.outputs[0]

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """As Graph's; ops of enclosing graphs become control inputs of the control-flow op."""
        if control_inputs is None:
            with super().control_dependencies(None):
                yield
            return
        own = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, Operation):
                c = c._as_graph_element()
            op = c if isinstance(c, Operation) else c.op
            if op.graph is self:
                own.append(c)
            elif op not in self.outer_control:
                self.outer_control.append(op)
        with super().control_dependencies(own):
            yield

    def captured_inputs(self):
        """(outer tensor, inner _Arg) pairs in capture order (outer tensors: of `outer_graph`)."""
        return [(t, self.captures[t]) for t in self._sources]

    def _check_not_finalized(self):
        self.outermost_graph._check_not_finalized()


class Function:
    """A callable view of a FuncGraph: `inputs` (_Arg tensors) -> `outputs`, running `targets`.

    The execution plan for a session is compiled on first use and kept per session state.
    """

    def __init__(self, graph, inputs, outputs, targets=()):
        self.graph = graph
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.targets = list(targets)
        self._lock = threading.Lock()

    def plan(self, rt):
        """This function's execution plan in the session whose state is `rt` (compiled once per
        session by the runtime, which sits above this module)."""
        return rt.function_plan(self)

    def __repr__(self):
        return "<Function %s: %d inputs, %d outputs>" % (self.graph.name, len(self.inputs),
                                                        len(self.outputs))


def stateful_ops(graph):
    """Ops of `graph` that run for their effects (variable writes, random draws)."""
    return [op for op in graph.get_operations()
            if op.op_def.stateful and op.type not in ("_Arg", "VariableV2", "Const")]
