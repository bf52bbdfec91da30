"""Tracing Python functions into FuncGraphs for the functional control-flow ops.

Shared by cond_ops and while_ops. A traced function's results are flattened to tensors; Python
values become constants in the function graph, and an outer tensor returned as it is becomes a
captured input (so every result is a tensor of the function graph).
"""
from tfgraph.framework import nest, tensor_shape
from tfgraph.framework.func_graph import Function, FuncGraph, stateful_ops
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.operation import Operation


def trace(fn, name, arg_specs=(), pack=None, outer=None):
    """Traces `fn(*pack(args))` (default: `fn(*args)`); args are new _Arg tensors of `arg_specs`
    [(dtype, shape, name)].

    Returns (graph, args, result structure, flat result tensors, ops returned as results).
    """
    outer = outer or get_default_graph()
    graph = FuncGraph(name, outer)
    args = [graph.add_arg(dtype, shape, name=arg_name) for dtype, shape, arg_name in arg_specs]
    with graph.as_default():
        graph._state.device = outer._state.device
        graph._state.var_scope = outer._state.var_scope  # get_variable names as outside
        graph._state.name_stack = outer._state.name_stack  # ops named 'cond/...', as in TF1
        result = fn(*(pack(args) if pack is not None else args))
        flat, ops = [], []
        for v in nest.flatten(result):
            if isinstance(v, Operation):
                # TF1's stand-in for an op result: a bool tensor whose evaluation runs the op
                from tfgraph.ops import array_ops
                if v.graph is graph:
                    ops.append(v)
                elif v not in graph.outer_control:  # an op from outside: run before the op
                    graph.outer_control.append(v)
                flat.append(array_ops.constant(True))
            elif v is None:
                flat.append(None)
            else:
                flat.append(graph.capture(_to_tensor(v)))
    return graph, args, result, flat, ops


def _to_tensor(v):
    if hasattr(v, "_as_flow"):  # TensorArray: its flow tensor is what crosses the boundary
        return v._as_flow()
    return convert_to_tensor(v)


def make_function(graph, inputs, outputs, extra_targets=()):
    """A Function over `graph` that runs the graph's stateful ops and `extra_targets`."""
    targets = stateful_ops(graph) + list(extra_targets)
    return Function(graph, inputs, outputs, targets)


def most_specific_compatible_shape(a, b):
    a, b = tensor_shape.as_shape(a), tensor_shape.as_shape(b)
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return tensor_shape.unknown_shape()
    return tensor_shape.TensorShape([x if x == y else None
                                     for x, y in zip(a.as_tuple(), b.as_tuple())])


def gradient_function(fn, ys_index, xs_index, dys, name):
    """A view of `fn`'s graph computing d(outputs[ys_index]) / d(inputs[xs_index]) given `dys`.

    Its inputs are `fn.inputs` followed by one new _Arg per dy; the gradient ops are added to the
    same graph, so the forward values they need are recomputed from the inputs by the plan.
    """
    from tfgraph.autodiff.gradients import gradients  # grads build graph ops, as OpDef.grad does
    from tfgraph.ops import array_ops
    graph = fn.graph
    n_captured = len(graph._sources)
    if not hasattr(graph, "_n_forward_ops"):
        graph._n_forward_ops = len(graph._ops)  # ops after these are gradient ops
    with graph.as_default(), graph.control_dependencies(None):
        dy_args = [graph.add_arg(dy.dtype, dy.shape, name="dy") for dy in dys]
        ys = [fn.outputs[i] for i in ys_index]
        xs = [fn.inputs[i] for i in xs_index]
        grads = gradients(ys, xs, grad_ys=dy_args, name=name) if ys else [None] * len(xs)
        out = []
        for x, g in zip(xs, grads):
            if g is None and x.dtype.name == "variant":
                from tfgraph.ops.tensor_array_ops import TensorArrayAddGrads
                g = TensorArrayAddGrads.apply(name="no_gradient")  # None: an all-zero array
            elif g is None:
                g = array_ops.zeros_like(x)
            else:
                g = convert_to_tensor(g)  # IndexedSlices -> dense
            out.append(g)
    if len(graph._sources) != n_captured:
        raise AssertionError("the gradient of %r reached outside its function graph" % graph.name)
    return Function(graph, list(fn.inputs) + dy_args, out)


def add_error_context(error, what):
    """Appends where a failing op ran (`what`: the branch or loop) to an OpError's message."""
    error.message = "%s\n\t%s" % (error.message, what)
    error.args = (error._full_message(),)


def add_outer_control_inputs(op, graphs):
    """Makes `op` run after the outer ops the traced functions named in control_dependencies."""
    for g in graphs:
        for c in g.outer_control:
            if c.graph is op.graph:
                op._add_control_input(c)
            else:  # an op of a graph further out: the enclosing function's op waits for it
                op.graph.outer_control.append(c)


def used_inputs(fn):
    """Indices of `fn.inputs` (fed tensors: sources) that its outputs or targets depend on."""
    fed = {t: i for i, t in enumerate(fn.inputs)}
    used, seen = set(), set()
    tensors, ops = list(fn.outputs), list(fn.targets)
    while tensors or ops:
        if tensors:
            t = tensors.pop()
            if t in fed:
                used.add(fed[t])
                continue
            op = t.op
        else:
            op = ops.pop()
        if op in seen:
            continue
        seen.add(op)
        tensors.extend(op.inputs)
        ops.extend(op.control_inputs)
    return sorted(used)


def forward_intermediates(graph):
    """Outputs of the forward ops of `graph` that a gradient must reuse rather than recompute:
    those of stateful ops (random draws, nested loops and conds, TensorArrays, assignments) and
    of ops marked `saved_for_gradient` (TensorArray writes, which fill a shared store)."""
    n = getattr(graph, "_n_forward_ops", len(graph._ops))
    return [t for op in graph._ops[:n]
            if (op.op_def.stateful or getattr(op.op_def, "saved_for_gradient", False))
            and op.type not in ("_Arg", "VariableV2", "Const")
            for t in op.outputs]
