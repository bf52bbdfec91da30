"""tf.gradients: reverse-mode autodiff that adds gradient ops to the graph.

The walk: find the ops between `xs` and `ys`, visit them in reverse creation order (creation order is
topological), sum the gradients arriving at each output, and call the op's `OpDef.grad`, which builds
ordinary ops, so gradients of gradients work.
"""
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.tensor import Tensor


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None):
    """Symbolic d(sum ys)/d(xs): one Tensor (or IndexedSlices, or None if unconnected) per x."""
    from tfgraph.ops import array_ops
    ys = _as_list(ys)
    xs_in = _as_list(xs)
    xs = [x._as_graph_element() if hasattr(x, "_as_graph_element") and not isinstance(x, Tensor)
          else convert_to_tensor(x) for x in xs_in]
    ys = [convert_to_tensor(y) for y in ys]
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    stops = {id(t) for t in _as_list(stop_gradients)} if stop_gradients is not None else set()
    graph = ys[0].graph
    between = _ops_between(xs, ys)
    with graph.as_default(), graph.name_scope(name):
        grads = {}
        for y, gy in zip(ys, grad_ys):
            if gy is None:
                gy = array_ops.ones_like(y, name="grad_ys_0")
            _add(grads, y, convert_to_tensor(gy, dtype=y.dtype))
        for op in sorted(between, key=lambda o: o._id, reverse=True):
            out_grads = [_aggregate(grads.get(t)) for t in op.outputs]
            if all(g is None for g in out_grads):
                continue
            if any(id(t) in stops for t in op.outputs):
                continue
            grad_fn = _overridden(op) or op.op_def.grad
            if grad_fn is None:
                raise LookupError("No gradient defined for operation '%s' (op type: %s). Created at "
                                  "%s." % (op.name, op.type, op.location))
            out_grads = [g if g is not None else _zeros_for(t) for g, t in zip(out_grads, op.outputs)]
            with graph.name_scope(op.name + "_grad"):
                in_grads = grad_fn(op, *out_grads)
            if not isinstance(in_grads, (list, tuple)):   # a registered fn may return one tensor
                in_grads = [in_grads]
            for t, g in zip(op.inputs, in_grads):
                if g is not None and (t.op in between or _is_x(t, xs)):
                    _add(grads, t, g)
        return [_aggregate(grads.get(x)) if id(x) not in stops else None for x in xs]


def _overridden(op):
    """The gradient that gradient_override_map chose for `op` when it was made, if any."""
    name = op._gradient_override
    if name is None:
        return None
    from tfgraph.ops.script_ops import _GRADIENTS
    if name not in _GRADIENTS:
        raise LookupError("gradient registry has no entry for: %s (gradient_override_map for op "
                          "'%s' of type %s, created at %s)" % (name, op.name, op.type, op.location))
    return _GRADIENTS[name]


def _zeros_for(t):
    from tfgraph.ops import array_ops
    return array_ops.zeros_like(t) if t.dtype.is_floating else None


def _is_x(t, xs):
    return any(t is x for x in xs)


def _as_list(v):
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _differentiable(t):
    # variant: TensorArray values, whose gradient is an array of gradients (tensor_array_ops)
    return t.dtype.is_floating or t.dtype.name == "variant"


def _ops_between(xs, ys):
    """Ops that are both reachable from some x (through consumers) and reach some y (through inputs)."""
    forward = set()
    stack = [c for x in xs for c in x._consumers]
    while stack:
        op = stack.pop()
        if op in forward:
            continue
        forward.add(op)
        for t in op.outputs:
            stack.extend(t._consumers)
    between = set()
    stack = [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in between or op not in forward:
            continue
        between.add(op)
        ref = op.op_def.ref_inputs
        stack.extend(t.op for i, t in enumerate(op._inputs) if i not in ref)
    return between


def _add(grads, t, g):
    if not _differentiable(t):
        return
    grads.setdefault(t, []).append(g)


def _aggregate(contribs):
    """Sums the gradients arriving at one tensor; sparse contributions stay sparse when all are."""
    if not contribs:
        return None
    if len(contribs) == 1:
        return contribs[0]
    from tfgraph.ops.indexed_slices import IndexedSlices, aggregate_indexed_slices
    from tfgraph.ops import math_ops
    if contribs[0].dtype.name == "variant":
        from tfgraph.ops.tensor_array_ops import TensorArrayAddGrads
        return TensorArrayAddGrads.apply(*contribs)
    if any(isinstance(g, IndexedSlices) for g in contribs):
        return aggregate_indexed_slices(contribs)
    return math_ops.add_n(contribs)
