"""name_scope, variable_scope + get_variable, control_dependencies and device, with TF1's rules."""
import contextlib

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph

AUTO_REUSE = "AUTO_REUSE"


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """tf.name_scope(name, default_name=None, values=None): ops inside get the 'name/' prefix."""
    graph = _graph_of(values)
    n = name if name is not None else default_name
    if n is None and name is None and default_name is None:
        with graph.as_default(), graph.name_scope(None) as scope:
            yield scope
        return
    with graph.as_default(), graph.name_scope(n) as scope:
        yield scope


def _graph_of(values):
    for v in values or ():
        g = getattr(v, "graph", None)
        if g is not None:
            return g
    return get_default_graph()


def control_dependencies(control_inputs):
    """tf.control_dependencies: ops created in the block run after `control_inputs`."""
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name):
    """tf.device: recorded on ops (shown in exports); everything runs on the CPU."""
    return get_default_graph().device(device_name)


def get_name_scope():
    return get_default_graph().get_name_scope()


class VariableScope:
    """The state of a variable_scope: its name, reuse flag and default initializer/dtype."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=dtypes.float32,
                 name_scope=""):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtype
        self.original_name_scope = name_scope

    def reuse_variables(self):
        self.reuse = True

    def set_initializer(self, initializer):
        self.initializer = initializer

    # get_variable(name, ...) is added by tfgraph/variable_store.py: creating variables is a layer up.


def get_variable_scope():
    graph = get_default_graph()
    state = graph._state
    if state.var_scope is None:
        state.var_scope = VariableScope(False)
    return state.var_scope


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, reuse=None, dtype=None, auxiliary_name_scope=True, **kwargs):
    """tf.variable_scope: prefixes get_variable names; `reuse=True`/AUTO_REUSE shares variables.

    Re-entering a scope by name reuses its variable names, while its ops get a fresh name scope
    ('foo', then 'foo_1'), exactly as TF1 does.
    """
    graph = _graph_of(values)
    with graph.as_default():
        state = graph._state
        parent = get_variable_scope()
        if name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if isinstance(name_or_scope, VariableScope):
            full = name_or_scope.name
            base_ns = full.split("/")[-1]
            inherit = name_or_scope
        elif name_or_scope is not None:
            full = parent.name + "/" + name_or_scope if parent.name else name_or_scope
            base_ns = name_or_scope
            inherit = parent
        else:
            if reuse is True:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            unique = _unique_scope_name(graph, parent.name, default_name)
            full = parent.name + "/" + unique if parent.name else unique
            base_ns = default_name
            inherit = parent
        if isinstance(name_or_scope, VariableScope):
            new_reuse = reuse or name_or_scope.reuse
        else:
            new_reuse = reuse or parent.reuse  # reuse is inherited; False means "inherit" (TF1)
        new_reuse = new_reuse or False
        scope = VariableScope(new_reuse, full,
                              initializer if initializer is not None else inherit.initializer,
                              regularizer if regularizer is not None else inherit.regularizer,
                              dtypes.as_dtype(dtype) if dtype is not None else inherit.dtype)
        old = state.var_scope
        state.var_scope = scope
        counts = graph._var_scope_counts
        saved_counts = dict(counts) if isinstance(name_or_scope, VariableScope) else None
        counts[full] = counts.get(full, 0) + 1  # TF1's open_variable_scope
        try:
            if auxiliary_name_scope:
                if isinstance(name_or_scope, VariableScope) and name_or_scope.original_name_scope:
                    ns_name = name_or_scope.original_name_scope
                else:
                    ns_name = base_ns
                with graph.name_scope(ns_name) as ns:
                    scope.original_name_scope = ns
                    yield scope
            else:
                yield scope
        finally:
            state.var_scope = old
            if saved_counts is not None:
                graph._var_scope_counts = saved_counts
            else:  # TF1's close_variable_subscopes: default names restart on re-entry
                prefix = full + "/"
                # The store's dict as it is now: a scope re-entered by object inside this one
                # put back a copy on its exit (TF1's _pure_variable_scope does the same).
                current = graph._var_scope_counts
                for k in current:
                    if k.startswith(prefix):
                        current[k] = 0


def _unique_scope_name(graph, parent_name, prefix):
    """TF1's _get_unique_variable_scope: `prefix`, or `prefix_N` if that scope was opened before."""
    counts = graph._var_scope_counts
    name = parent_name + "/" + prefix if parent_name else prefix
    if counts.get(name, 0) == 0:
        return prefix
    idx = 1
    while counts.get("%s_%d" % (name, idx), 0) > 0:
        idx += 1
    return "%s_%d" % (prefix, idx)


def _reset_var_store(graph):
    graph._var_store.clear()
