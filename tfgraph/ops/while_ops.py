"""tf.while_loop as a functional While op.

    While(*loop_vars, *captured) -> loop_vars after the last iteration

`cond` and `body` are traced once into function graphs (framework/func_graph.py) taking the loop
variables (with their shape invariants as static shapes) followed by every tensor either function
captured from outside. The kernel runs the two functions' compiled plans until cond is false, so a
loop is built once and runs without rebuilding anything per iteration. TensorArrays cross the
loop as their flow value (tensor_array_ops).

Gradient (see While.grad): the first time a gradient is taken, the forward op is switched to keep,
at each iteration, what the body's gradient reads: the loop variables it needs (not, e.g., a
counter or a running sum) and the outputs of the body's stateful ops (random draws, nested loops:
values that must not be drawn or run again). A WhileGrad op then walks those iterations in
reverse, running the body's gradient function, which recomputes one iteration's other
intermediates from what was kept, and sums the gradients of captured tensors over the iterations.
"""
import numpy as np

from tfgraph.framework import dtypes, errors, nest, tensor_shape
from tfgraph.framework.func_graph import Function
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor
from tfgraph.framework.operation import user_location
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import control_flow_util as cfu
from tfgraph.ops import math_ops
from tfgraph.ops.tensor_array_ops import TAValue, TensorArray, add_arrays


class While(OpDef):
    type = "While"
    attrs = {"cond": None, "body": None, "n_loop_vars": 0, "output_shapes": None,
             "keep_history": (), "parallel_iterations": 10, "back_prop": True}
    stateful = True  # never folded or merged: the body may hold stateful ops
    persistent_output = True  # results may be inputs or constants passed through: copied if fetched

    def infer(self, *inputs, cond, body, n_loop_vars, output_shapes, keep_history,
              parallel_iterations, back_prop):
        specs = [TensorSpec(s, t.dtype) for t, s in zip(inputs[:n_loop_vars], output_shapes)]
        if keep_history:
            specs.append(TensorSpec([], dtypes.variant))
        return specs

    def make_kernel(self, op, rt):
        cond_plan = op.attrs["cond"].plan(rt)
        body_plan = op.attrs["body"].plan(rt)
        n = op.attrs["n_loop_vars"]
        keep = op.attrs["keep_history"]  # what the gradient reads: loop variables by index,
        keep_vars = [p for p in keep if p < n]  # then the body's saved intermediates (n + j)
        keep_extras = [p for p in keep if p >= n]
        extras = len(op.attrs["body"].outputs) > n
        n_out = len(op.outputs)

        def run(*inputs):
            values = inputs[:n]
            captured = inputs[n:]
            history = [] if keep else None
            iteration = 0
            try:
                while cond_plan(values + captured)[0]:
                    out = body_plan(values + captured)
                    if keep:
                        history.append(tuple([values[i] for i in keep_vars]) +
                                       tuple([out[p] for p in keep_extras]))
                    values = out[:n] if extras else out
                    iteration += 1
            except errors.OpError as e:
                cfu.add_error_context(e, "in iteration %d of while loop '%s' (created at %s)"
                                      % (iteration, op.name, op.location))
                raise
            if keep:
                values = tuple(values) + (history,)
            return values[0] if n_out == 1 else values

        return run

    def grad(self, op, *dys):
        return _while_grad(op, dys)


class WhileGrad(OpDef):
    """Runs a While's body gradient over its kept iterations in reverse."""

    type = "WhileGrad"
    persistent_output = True  # a loop that ran no iteration passes its input gradients through
    attrs = {"body_grad": None, "n_loop_vars": 0, "diff_vars": (), "diff_captured": ()}

    def infer(self, history, *inputs, body_grad, n_loop_vars, diff_vars, diff_captured):
        # inputs: captured tensors, then the final loop values' gradients (one per diff var)
        n_cap = len(inputs) - len(diff_vars)
        caps = inputs[:n_cap]
        dys = inputs[n_cap:]
        return [TensorSpec(d.shape, d.dtype) for d in dys] + \
            [TensorSpec(caps[i].shape, caps[i].dtype) for i in diff_captured]

    def make_kernel(self, op, rt):
        plan = op.attrs["body_grad"].plan(rt)
        n_dv = len(op.attrs["diff_vars"])
        n_dc = len(op.attrs["diff_captured"])
        diff_captured = op.attrs["diff_captured"]
        n_out = len(op.outputs)

        n = op.attrs["n_loop_vars"]
        kept = op.inputs[0].op.attrs["keep_history"]  # read now: later gradients may add to it
        n_fed = len(op.attrs["body_grad"].inputs) - (len(op.inputs) - 1 + n)  # saved extras

        def run(history, *inputs):
            captured = inputs[:len(inputs) - n_dv]
            dvals = tuple(inputs[len(inputs) - n_dv:])
            dcaps = [np.zeros(np.shape(captured[i]), captured[i].dtype)
                     if isinstance(captured[i], np.ndarray) else None for i in diff_captured]
            values = [None] * (n + n_fed)  # what the gradient does not read stays None
            for entry in reversed(history):
                for i, v in zip(kept, entry):
                    values[i] = v
                out = plan(tuple(values[:n]) + captured + dvals + tuple(values[n:]))
                dvals = out[:n_dv]
                for k in range(n_dc):
                    g = out[n_dv + k]
                    if isinstance(g, np.ndarray):
                        dcaps[k] = dcaps[k] + g
                    elif g is not None:  # a TensorArray's gradient array, summed in a store
                        if dcaps[k] is None:  # of our own (the plan's result may be shared)
                            dcaps[k] = TAValue.empty(g.size, g.dtype, True, None)
                        dcaps[k] = add_arrays(dcaps[k], g)
            result = tuple(dvals) + tuple(dcaps)
            return result[0] if n_out == 1 else result

        return run


def _while_grad(op, dys):
    n = op.attrs["n_loop_vars"]
    inputs = op.inputs
    loop_in, captured = inputs[:n], inputs[n:]
    if not op.attrs["back_prop"]:
        return [None] * len(inputs)
    diff_vars = [i for i in range(n) if _differentiable(loop_in[i])]
    diff_captured = [j for j, t in enumerate(captured) if _differentiable(t)]
    if not diff_vars or all(dys[i] is None for i in diff_vars):
        return [None] * len(inputs)
    gfn = _body_gradient(op, op.attrs["body"], diff_vars, diff_captured)
    history = _keep_history(op, gfn)
    dy_in = []
    for i in diff_vars:
        dy = dys[i]
        if dy is None:
            dy = _zero_like(op.outputs[i])
        dy_in.append(convert_to_tensor(dy))
    outs = WhileGrad.create_op(
        [history] + list(captured) + dy_in, name=op.name.split("/")[-1] + "_grad",
        body_grad=gfn, n_loop_vars=n, diff_vars=tuple(diff_vars),
        diff_captured=tuple(diff_captured)).outputs
    result = [None] * len(inputs)
    for k, i in enumerate(diff_vars):
        result[i] = outs[k]
    for k, j in enumerate(diff_captured):
        result[n + j] = outs[len(diff_vars) + k]
    return result


def _differentiable(t):
    return t.dtype.is_floating or t.dtype is dtypes.variant


def _zero_like(t):
    from tfgraph.ops import array_ops
    if t.dtype is dtypes.variant:
        return _none_variant()
    return array_ops.zeros_like(t)


def _none_variant():
    from tfgraph.ops.tensor_array_ops import TensorArrayAddGrads
    return TensorArrayAddGrads.apply(name="no_gradient")  # the sum of no arrays: None


def _keep_history(op, gfn):
    """Switches the forward While to keep, at each iteration, what the body gradient `gfn` reads
    (with what earlier gradients read): loop variables and saved intermediates. Returns the
    output holding them."""
    n = op.attrs["n_loop_vars"]
    n_extras = len(op.attrs["body"].outputs) - n
    first_extra = len(gfn.inputs) - n_extras
    needed = [i for i in cfu.used_inputs(gfn) if i < n] + \
        [n + i - first_extra for i in cfu.used_inputs(gfn) if i >= first_extra]
    kept = op.attrs["keep_history"]
    if not kept:
        op.outputs.append(Tensor(op, len(op.outputs), dtypes.variant, tensor_shape.scalar()))
    op.attrs["keep_history"] = tuple(sorted(set(kept) | set(needed))) or (0,)
    return op.outputs[-1]


def _body_gradient(op, body, diff_vars, diff_captured):
    cached = op.attrs.get("_body_grad")
    key = (tuple(diff_vars), tuple(diff_captured))
    if cached is not None and cached[0] == key:
        return cached[1]
    n = op.attrs["n_loop_vars"]
    xs_index = list(diff_vars) + [n + j for j in diff_captured]
    graph = body.graph
    dys = [body.outputs[i] for i in diff_vars]
    fn = cfu.gradient_function(body, diff_vars, xs_index, dys, "body_grad")
    # outputs of gradient_function: d loop vars (diff_vars order) then d captured; its inputs:
    # loop vars, captured, dys, then the body's stateful intermediates (saved, not recomputed)
    if len(body.outputs) == n:  # once: the forward body also returns its intermediates
        inter = cfu.forward_intermediates(graph)
        body = Function(graph, body.inputs, body.outputs + inter, body.targets)
        op.attrs["body"] = body
    fn = Function(graph, fn.inputs + body.outputs[n:], fn.outputs)
    op.attrs["_body_grad"] = (key, fn)
    return fn


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """tf.while_loop: repeats `body` while `cond` is true, on (nested) `loop_vars`.

    `cond(*loop_vars)` returns a scalar bool; `body(*loop_vars)` returns the next loop_vars with
    the same structure and dtypes, and shapes within `shape_invariants` (default: the initial
    shapes). `maximum_iterations` stops the loop after that many iterations.
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    location = user_location()
    graph = get_default_graph()
    single = not isinstance(loop_vars, (list, tuple)) or (
        len(loop_vars) == 1 and not return_same_structure and not hasattr(loop_vars, "_fields"))
    if not isinstance(loop_vars, (list, tuple)):
        loop_vars = [loop_vars]
        if shape_invariants is not None:
            shape_invariants = [shape_invariants]
    if maximum_iterations is not None:
        return _with_maximum_iterations(cond, body, loop_vars, shape_invariants,
                                        parallel_iterations, back_prop, swap_memory, name,
                                        maximum_iterations, single)
    with graph.name_scope(name or "while") as scope:
        loop_name = scope[:-1]
        leaves = nest.flatten(loop_vars)
        if not leaves:
            raise ValueError("No loop variables provided")
        tas = [v if isinstance(v, TensorArray) else None for v in leaves]
        flat = [v.flow if isinstance(v, TensorArray) else convert_to_tensor(v) for v in leaves]
        invariants = _invariants(loop_vars, shape_invariants, flat, loop_name, location)

        def pack(args):
            vals = [TensorArray(ta.dtype, flow=a, dynamic_size=ta.dynamic_size,
                                infer_shape=ta._infer_shape, element_shape=ta.element_shape)
                    if ta is not None else a for a, ta in zip(args, tas)]
            return list(nest.pack_sequence_as(loop_vars, vals))

        specs = [(t.dtype, s, "loop_var") for t, s in zip(flat, invariants)]
        cg, cargs, cres, cflat, _ = cfu.trace(cond, scope + "cond", specs, pack)
        if len(cflat) != 1 or cflat[0] is None or cflat[0].dtype is not dtypes.bool or \
                cflat[0].shape.ndims not in (None, 0):
            raise TypeError("The cond of while loop '%s' (created at %s) must return a scalar "
                            "bool tensor, got %r" % (loop_name, location, cres))
        bg, bargs, bres, bflat, bops = cfu.trace(body, scope + "body", specs, pack)
        if not nest.is_sequence(bres) or (len(leaves) == 1 and isinstance(bres, TensorArray)):
            bres = [bres]
            bflat = [bflat[0]] if bflat else bflat
        try:
            nest.assert_same_structure(list(loop_vars), list(bres), check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError("The body of while loop '%s' (created at %s) must return the same "
                             "structure as loop_vars. %s" % (loop_name, location, e)) from None
        for k, (t_in, t_out, inv) in enumerate(zip(flat, bflat, invariants)):
            _check_loop_var(t_in, t_out, inv, loop_name, location)
        bres_leaves = nest.flatten(bres)
        out_shapes = list(invariants)
        for k, leaf in enumerate(bres_leaves):
            if isinstance(leaf, TensorArray) and tas[k] is not None:
                tas[k] = leaf  # its element shape, as the body leaves it
        captured = []
        for g in (cg, bg):
            for outer, _ in g.captured_inputs():
                if outer not in captured:
                    captured.append(outer)
        fns = []
        for g, args, outs, ops in ((cg, cargs, cflat, ()), (bg, bargs, bflat, bops)):
            cap_args = [g.captures[t] if t in g.captures else g.add_arg(t.dtype, t.shape,
                                                                          "unused")
                        for t in captured]
            fns.append(cfu.make_function(g, args + cap_args, outs, ops))
        op = While.create_op(flat + captured, name=scope, cond=fns[0], body=fns[1],
                             n_loop_vars=len(flat), output_shapes=out_shapes,
                             parallel_iterations=parallel_iterations, back_prop=back_prop)
        cfu.add_outer_control_inputs(op, [cg, bg])
    outs = [TensorArray(ta.dtype, flow=o, dynamic_size=ta.dynamic_size,
                        infer_shape=ta._infer_shape, element_shape=ta.element_shape)
            if ta is not None else o for o, ta in zip(op.outputs, tas)]
    result = nest.pack_sequence_as(loop_vars, outs)
    if single:
        return result[0]
    return result


def _with_maximum_iterations(cond, body, loop_vars, shape_invariants, parallel_iterations,
                             back_prop, swap_memory, name, maximum_iterations, single):
    # TF1's form: an iteration counter as an extra loop variable, tested before cond
    graph = get_default_graph()
    with graph.name_scope(name or "while") as scope:
        max_iter = convert_to_tensor(maximum_iterations, name="maximum_iterations")
        if max_iter.shape.ndims not in (None, 0):
            raise ValueError("maximum_iterations must be a scalar, saw shape: %s"
                             % max_iter.shape)
        zero = convert_to_tensor(np.array(0, max_iter.dtype.np), name="iteration_counter")
        invariants = None if shape_invariants is None else \
            [tensor_shape.scalar(), list(shape_invariants)]
        res = while_loop(
            lambda i, lv: math_ops.logical_and(math_ops.less(i, max_iter), cond(*lv)),
            lambda i, lv: (i + 1, _as_list(body(*lv), len(nest.flatten(loop_vars)) == 1)),
            [zero, list(loop_vars)], invariants, parallel_iterations, back_prop,
            swap_memory, name=scope, return_same_structure=True)
    lv = nest.pack_sequence_as(loop_vars, nest.flatten(res[1]))
    return lv[0] if single else lv


def _as_list(result, single):
    if single and (not nest.is_sequence(result)):
        return [result]
    return list(result)


def _invariants(loop_vars, shape_invariants, flat, loop_name, location):
    if shape_invariants is None:
        return [t.shape for t in flat]
    inv_leaves = [tensor_shape.as_shape(s) if s is not None else None
                  for s in _flatten_shapes(shape_invariants)]
    if len(inv_leaves) != len(flat):
        raise ValueError("shape_invariants of while loop '%s' (created at %s) must have the same "
                         "structure as loop_vars: %d shapes for %d loop variables"
                         % (loop_name, location, len(inv_leaves), len(flat)))
    out = []
    for t, inv in zip(flat, inv_leaves):
        if inv is None or t.dtype is dtypes.variant:
            out.append(t.shape)
            continue
        if not inv.is_compatible_with(t.shape):
            raise ValueError("The shape invariant specified for %s is not compatible with the "
                             "initial shape of the loop variable. It enters the loop with shape "
                             "%s, but the specified shape invariant is %s (while loop '%s' "
                             "created at %s)." % (t.name, t.shape, inv, loop_name, location))
        out.append(inv)
    return out


def _flatten_shapes(s):
    if isinstance(s, tensor_shape.TensorShape) or s is None:
        return [s]
    if isinstance(s, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in s) and \
            not any(isinstance(d, (list, tuple)) for d in s):
        if s and all(d is None or isinstance(d, int) for d in s):
            return [tensor_shape.TensorShape(list(s))]
    if isinstance(s, dict):
        return [x for k in sorted(s) for x in _flatten_shapes(s[k])]
    if isinstance(s, (list, tuple)):
        return [x for item in s for x in _flatten_shapes(item)]
    if hasattr(s, "element_shape"):  # TensorArray invariant
        return [None]
    return [tensor_shape.as_shape(s)]


def _check_loop_var(t_in, t_out, invariant, loop_name, location):
    if t_out is None:
        raise ValueError("The body of while loop '%s' (created at %s) returned None for loop "
                         "variable %s" % (loop_name, location, t_in.name))
    if t_out.dtype is not t_in.dtype:
        raise TypeError("Loop variable %s of while loop '%s' (created at %s) enters the loop "
                        "with type %s but has type %s after one iteration. The body must keep "
                        "each loop variable's dtype." % (t_in.name, loop_name, location,
                                                         t_in.dtype.name, t_out.dtype.name))
    if t_in.dtype is dtypes.variant:
        return
    if not _more_specific(t_out.shape, invariant):
        raise ValueError("Input tensor '%s' enters the loop with shape %s, but has shape %s after "
                         "one iteration of while loop '%s' (created at %s). To allow the shape "
                         "to vary across iterations, use the `shape_invariants` argument of "
                         "tf.while_loop to specify a less-specific shape."
                         % (t_in.name, invariant, t_out.shape, loop_name, location))


def _more_specific(shape, invariant):
    """Whether every dim the invariant fixes is the same in `shape`."""
    if invariant.ndims is None:
        return True
    if shape.ndims is None or shape.ndims != invariant.ndims:
        return False
    return all(i is None or s == i for s, i in zip(shape.as_tuple(), invariant.as_tuple()))


__all__ = ["while_loop"]

