"""Graph: ops, TF1 name uniquifier, name scopes, control dependencies, collections, default-graph stack."""
import contextlib
import threading

from tfgraph.framework import errors, graph_def, session_stack


class GraphKeys:
    """Standard collection names (tf.GraphKeys)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    MODEL_VARIABLES = "model_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    UPDATE_OPS = "update_ops"
    SUMMARIES = "summaries"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    GLOBAL_STEP = "global_step"
    TRAIN_OP = "train_op"
    INIT_OP = "init_op"
    SAVERS = "savers"
    ASSET_FILEPATHS = "asset_filepaths"
    QUEUE_RUNNERS = "queue_runners"
    VARIABLES = GLOBAL_VARIABLES


class Graph:
    """A TF1 dataflow graph. Ops are added by op functions while the graph is the default."""

    def __init__(self):
        self._lock = threading.RLock()
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._collections = {}
        self._finalized = False
        self.seed = None
        # Thread-local construction state, as TF keeps it (name scope, control deps).
        self._local = threading.local()
        self._var_store = {}  # full name -> Variable (tf.get_variable)
        self._var_scope_counts = {}
        self._building_function = False

    # -- construction state ---------------------------------------------------------------------
    @property
    def _state(self):
        local = self._local
        if not hasattr(local, "name_stack"):
            local.name_stack = ""
            local.control_deps = []
            local.var_scope = None
            local.device = ""
        return local

    @property
    def version(self):
        return len(self._ops)

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        """Makes the graph read-only: adding an op afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def unique_name(self, name, mark_as_used=True):
        """TF1's uniquifier: 'MatMul', 'MatMul_1', ...; prefixed with the current name scope."""
        stack = self._state.name_stack
        if stack:
            name = stack + "/" + name
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_name_key = name_key
            while name_key in self._names_in_use:
                name_key = "%s_%d" % (base_name_key, i)
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = "%s_%d" % (name, i - 1)
        return name

    def get_name_scope(self):
        return self._state.name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Graph.name_scope: a new unique scope; a name ending in '/' re-enters it; '' or None resets."""
        state = self._state
        old = state.name_stack
        if name:
            if name.endswith("/"):
                new = name[:-1]
            else:
                new = self.unique_name(name)
        else:
            new = ""
        state.name_stack = new
        try:
            yield "" if not new else new + "/"
        finally:
            state.name_stack = old

    _gradient_override_map = {}

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Ops of the mapped types made inside use the gradient registered (tf.RegisterGradient)
        under the mapped name; tf.py_func's ops honour it."""
        saved = self._gradient_override_map
        self._gradient_override_map = dict(saved, **op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = saved

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; None clears the enclosing dependencies.

        As in TF1, an op whose data input was itself created inside a block gets no control inputs
        from that block (it is "dominated": the dependency already holds through the input).
        """
        state = self._state
        old = state.control_deps
        if control_inputs is None:
            state.control_deps = []
        else:
            ops = []
            for c in control_inputs:
                c = self.as_graph_element(c, allow_tensor=True, allow_operation=True)
                op = c if isinstance(c, Operation) else c.op
                if op not in ops:
                    ops.append(op)
            state.control_deps = old + [_Controller(ops)]
        try:
            yield
        finally:
            state.control_deps = old

    def _current_control_deps(self, input_ops=()):
        """Control inputs for a new op with data inputs from `input_ops` (TF1's domination rule)."""
        deps = []
        for ctl in self._state.control_deps:
            if any(op in ctl.seen for op in input_ops):
                continue
            deps.extend(c for c in ctl.ops if c not in input_ops and c not in deps)
        return deps

    @contextlib.contextmanager
    def device(self, device_name):
        state = self._state
        old = state.device
        state.device = device_name or ""
        try:
            yield
        finally:
            state.device = old

    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default graph for ops created in the block."""
        _default_stack().append(self)
        try:
            yield self
        finally:
            _default_stack().pop()

    # -- ops ----------------------------------------------------------------------------------
    def _add_op(self, op):
        with self._lock:
            self._check_not_finalized()
            op._id = len(self._ops)
            self._ops.append(op)
            self._ops_by_name[op.name] = op
            for ctl in self._state.control_deps:
                ctl.seen.add(op)

    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Operation names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Tensor names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or name ('x:0' or 'x') in this graph."""
        if allow_tensor and hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                op_name, out = name.rsplit(":", 1)
                try:
                    idx = int(out)
                except ValueError:
                    raise ValueError("The name %r looks a like a Tensor name, but is not a valid one. "
                                     "Tensor names must be of the form \"<op_name>:<output_index>\"."
                                     % name) from None
                op = self._ops_by_name.get(op_name)
                if op is None:
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, does not exist in the graph." % (name, op_name))
                if idx >= len(op.outputs):
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, exists but only has %d outputs."
                                   % (name, op_name, len(op.outputs)))
                return op.outputs[idx]
            if ":" in name and not allow_tensor:
                raise ValueError("Name %r appears to refer to a Tensor, not a Operation." % name)
            op = self._ops_by_name.get(name)
            if op is None:
                raise KeyError("The name %r refers to an Operation not in the graph." % name)
            if not allow_operation:
                raise ValueError("The name %r refers to an Operation, not a Tensor. Tensor names "
                                 "must be of the form \"<op_name>:<output_index>\"." % name)
            return op
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % obj)
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError("Operation %s is not an element of this graph." % obj)
            return obj
        raise TypeError("Can not convert a %s into a %s." % (
            type(obj).__name__, "Tensor or Operation" if allow_tensor and allow_operation
            else "Tensor" if allow_tensor else "Operation"))

    def as_graph_def(self, from_version=None, add_shapes=False):
        """The graph as a JSON GraphDef (tfgraph.framework.graph_io documents the format)."""
        return graph_def.as_graph_def(self)

    # -- collections --------------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        items = list(self._collections.get(name, []))
        if scope is None:
            return items
        import re
        pattern = re.compile(scope)
        return [i for i in items if hasattr(i, "name") and pattern.match(i.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name):
        self._collections.pop(name, None)


class _Controller:
    """One `control_dependencies` block: its control ops and the ops created inside it."""

    __slots__ = ("ops", "seen")

    def __init__(self, ops):
        self.ops = ops
        self.seen = set()


_global_default_graph = None
_stack_local = threading.local()


def _default_stack():
    if not hasattr(_stack_local, "stack"):
        _stack_local.stack = []
    return _stack_local.stack


def get_default_graph():
    """The graph new ops go to: the innermost `as_default()` graph, else the global one."""
    stack = _default_stack()
    if stack:
        return stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph():
    """Clears the global default graph (tf.reset_default_graph)."""
    if _default_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need "
                             "a cleared graph, exit the nesting and create a new graph.")
    global _global_default_graph
    _global_default_graph = Graph()
    session_stack.reset_default_session()


# Imported last: operation/tensor refer back to Graph only through op.graph.
from tfgraph.framework.operation import Operation  # noqa: E402
from tfgraph.framework.tensor import Tensor  # noqa: E402

__all__ = ["Graph", "GraphKeys", "get_default_graph", "reset_default_graph", "errors"]
