"""tf.cond, tf.case, tf.switch_case: functional conditionals (If / Case ops).

Design. TF1 builds a cond from Switch/Merge ops in one graph and relies on dead-tensor propagation
to skip the untaken side. tfgraph instead follows TF2's functional form: each branch is traced into
its own function graph (framework/func_graph.py); tensors a branch reads from outside become
explicit inputs of the op, which is

    If(pred, *captured)  ->  outputs of the taken branch
    Case(index, *captured)

Its kernel calls the taken branch's compiled execution plan (a nested plan, compiled once per
session), so the untaken branch costs nothing and can hold ops that would fail if they ran.

Gradient: an If over the branch gradients. Each branch's gradient is built inside the branch graph
itself (control_flow_util.gradient_function), as a second view with the incoming gradients as extra
inputs; the plan of that view recomputes the forward values of the taken branch that the gradient
needs, instead of the forward op storing them, except the outputs of the branch's stateful ops
(random draws, nested loops and conds): once a gradient is taken, the forward op also returns
those (extra outputs, None for the untaken branches) and the gradient is fed them, so a dropout
mask is the one the forward pass drew. The untaken branch gives zeros for every input.
"""
import numpy as np

from tfgraph.framework import errors, nest
from tfgraph.framework.func_graph import Function
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor
from tfgraph.framework.operation import user_location
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import control_flow_util as cfu
from tfgraph.ops.tensor_array_ops import TensorArray


class _Conditional(OpDef):
    """Runs one of several branch Functions on the op's inputs after the selector."""

    attrs = {"branches": None, "output_types": None, "output_shapes": None, "n_main": None,
             "extra_counts": ()}
    stateful = True  # never folded or merged: branches may hold stateful ops
    persistent_output = True  # results may be inputs or constants passed through: copied if fetched

    def infer(self, selector, *inputs, branches, output_types, output_shapes, n_main,
              extra_counts):
        return [TensorSpec(s, t) for t, s in zip(output_types, output_shapes)]

    def _select(self, value, n):
        raise NotImplementedError

    def make_kernel(self, op, rt):
        branches = op.attrs["branches"]
        n_out = len(op.outputs)
        n = len(branches)
        select = self._select
        n_main = op.attrs["n_main"]
        counts = op.attrs["extra_counts"]
        # each branch's saved intermediates go to its own outputs; the other branches' are None
        before = [sum(counts[:b]) for b in range(len(counts))]
        after = [sum(counts[b + 1:]) for b in range(len(counts))]

        def run(selector, *args):
            b = select(selector, n)
            branch = branches[b]
            try:
                values = branch.plan(rt)(args)
            except errors.OpError as e:
                cfu.add_error_context(e, "in branch '%s' of %s '%s' (created at %s)"
                                      % (branch.graph.name, op.type, op.name, op.location))
                raise
            if counts:
                values = values[:n_main] + (None,) * before[b] + values[n_main:] + \
                    (None,) * after[b]
            if n_out == 1:
                return values[0]
            return values if n_out else None

        return run

    def grad(self, op, *dys):
        inputs = op.inputs[1:]
        xs_index = [i for i, t in enumerate(inputs) if t.dtype.is_floating]
        n_main = op.attrs["n_main"] or len(op.outputs)  # saved intermediates get no gradient
        ys_index = [i for i, (t, dy) in enumerate(zip(op.outputs[:n_main], dys))
                    if t.dtype.is_floating and dy is not None]
        if not xs_index:
            return [None] * len(op.inputs)
        dys = [convert_to_tensor(dys[i]) for i in ys_index]
        grad_branches = [cfu.gradient_function(b, ys_index, xs_index, dys, "%s_grad" % op.name)
                         for b in op.attrs["branches"]]
        inters = _save_intermediates(op)
        for k, (g, b) in enumerate(zip(grad_branches, op.attrs["branches"])):
            fed = []
            for j, inter in enumerate(inters):
                fed += inter if j == k else [b.graph.add_arg(t.dtype, t.shape, "unused")
                                              for t in inter]
            grad_branches[k] = Function(g.graph, g.inputs + fed, g.outputs)
        outs = type(self).create_op(
            [op.inputs[0]] + inputs + dys + op.outputs[op.attrs["n_main"]:],
            name=op.name.split("/")[-1] + "_grad",
            branches=grad_branches, output_types=[inputs[i].dtype for i in xs_index],
            output_shapes=[inputs[i].shape for i in xs_index]).outputs
        result = [None] * len(op.inputs)
        for i, g in zip(xs_index, outs):
            result[i + 1] = g
        return result


def _save_intermediates(op):
    """Makes the forward op also return, per branch, the outputs of its stateful ops (once), so
    that the gradient reuses them (the same random draws) instead of recomputing them."""
    branches = op.attrs["branches"]
    n_main = op.attrs["n_main"]
    if n_main is not None:
        return [list(b.outputs[n_main:]) for b in branches]
    n_main = len(op.outputs)
    inters = [cfu.forward_intermediates(b.graph) for b in branches]
    types, shapes = list(op.attrs["output_types"]), list(op.attrs["output_shapes"])
    for inter in inters:
        for t in inter:
            op.outputs.append(Tensor(op, len(op.outputs), t.dtype, t.shape))
            types.append(t.dtype)
            shapes.append(t.shape)
    op.attrs.update(
        branches=[Function(b.graph, b.inputs, b.outputs + inter, b.targets)
                  for b, inter in zip(branches, inters)],
        output_types=types, output_shapes=shapes, n_main=n_main,
        extra_counts=tuple(len(i) for i in inters))
    return inters


class If(_Conditional):
    """Runs branches[0] (then) when the scalar bool predicate is true, else branches[1]."""

    type = "If"

    def infer(self, pred, *inputs, **attrs):
        if pred.dtype.name != "bool":
            raise TypeError("The predicate of tf.cond must be a bool tensor, got %s"
                            % pred.dtype.name)
        if pred.shape.ndims not in (None, 0):
            raise ValueError("The predicate of tf.cond must be a scalar, got shape %s" % pred.shape)
        return super().infer(pred, *inputs, **attrs)

    @staticmethod
    def _select(pred, n):
        if np.ndim(pred) != 0:
            raise ValueError("The first input of If must be a scalar, got shape %s"
                             % (np.shape(pred),))
        return 0 if pred else 1


class Case(_Conditional):
    """Runs branches[index]; an index outside [0, n-1) runs the last branch (the default)."""

    type = "Case"

    def infer(self, index, *inputs, **attrs):
        if index.dtype.name != "int32":
            raise TypeError("branch_index must be an int32 tensor, got %s" % index.dtype.name)
        if index.shape.ndims not in (None, 0):
            raise ValueError("branch_index must be a scalar, got shape %s" % index.shape)
        return super().infer(index, *inputs, **attrs)

    @staticmethod
    def _select(index, n):
        i = int(index)
        return i if 0 <= i < n else n - 1


class CaseIndex(OpDef):
    """Index of the first true predicate (len(preds) when none is), with tf.case's checks."""

    type = "CaseIndex"
    attrs = {"exclusive": False, "has_default": True, "names": ()}

    def infer(self, *preds, exclusive, has_default, names):
        return [TensorSpec([], "int32")]

    def compute(self, *preds, exclusive, has_default, names):
        flags = [bool(p) for p in preds]
        return np.array(flags.index(True) if any(flags) else len(flags), np.int32)

    def make_kernel(self, op, rt):   # the reference, with tf.case's checks on the predicates
        exclusive, has_default, names = (op.attrs[k] for k in ("exclusive", "has_default", "names"))

        def case_index(*preds):
            flags = [bool(p) for p in preds]
            if exclusive and sum(flags) > 1:
                raise errors.InvalidArgumentError(
                    None, op, "Input error: exclusive=True: more than 1 conditions (%s) evaluated "
                    "as True: %s (tf.case created at %s)" % (", ".join(names), flags, op.location))
            if not has_default and not flags[-1] and not any(flags[:-1]):
                raise errors.InvalidArgumentError(
                    None, op, "Input error: no default was given to tf.case and none of the "
                    "conditions (%s) evaluated as True (tf.case created at %s)"
                    % (", ".join(names), op.location))
            for i, f in enumerate(flags):
                if f:
                    return np.array(i, np.int32)
            return np.array(len(flags), np.int32)

        return case_index


def _build(op_cls, selector, fns, name, strict, kind):
    """Traces `fns`, unifies their captured inputs and output specs, and adds the op."""
    graph = get_default_graph()
    traced = []
    with graph.name_scope(name) as scope:
        for i, fn in enumerate(fns):
            traced.append(cfu.trace(fn, "%s%s" % (scope, ("true", "false")[i] if kind == "cond"
                                                   else "branch%d" % i)))
        first_result = traced[0][2]
        for t in traced[1:]:
            try:
                nest.assert_same_structure(first_result, t[2])
            except (ValueError, TypeError) as e:
                raise ValueError("The branches of %s must return the same nested structure "
                                 "(%s). %s" % (kind, user_location(), e)) from None
        flats = [t[3] for t in traced]
        outputs_none = [all(f[i] is None for f in flats) for i in range(len(flats[0]))]
        specs = []
        for i, none in enumerate(outputs_none):
            if none:
                continue
            if any(f[i] is None for f in flats):
                raise ValueError("%s: a branch returned None where another returned %s (%s)"
                                 % (kind, [f[i] for f in flats if f[i] is not None][0],
                                    user_location()))
            dtype = flats[0][i].dtype
            shape = flats[0][i].shape
            for f in flats[1:]:
                if f[i].dtype is not dtype:
                    raise ValueError("Outputs of true_fn and false_fn must have the same type(s): "
                                     "%s and %s (output %d of %s at %s)"
                                     % (dtype.name, f[i].dtype.name, i, kind, user_location()))
                shape = cfu.most_specific_compatible_shape(shape, f[i].shape)
            specs.append((dtype, shape))
        # every branch takes every captured tensor, in one order
        captured = []
        for g, *_ in traced:
            for outer, _ in g.captured_inputs():
                if outer not in captured:
                    captured.append(outer)
        branches = []
        for g, _, _, flat, ops in traced:
            args = [g.captures[t] if t in g.captures else g.add_arg(t.dtype, t.shape, "unused")
                    for t in captured]
            outs = [t for t, none in zip(flat, outputs_none) if not none]
            branches.append(cfu.make_function(g, args, outs, ops))
        op = op_cls.create_op([selector] + captured, name=scope, branches=branches,
                              output_types=[s[0] for s in specs],
                              output_shapes=[s[1] for s in specs])
        cfu.add_outer_control_inputs(op, [t[0] for t in traced])
    outs = iter(op.outputs)
    flat_result = [None if none else next(outs) for none in outputs_none]
    for i, leaf in enumerate(nest.flatten(first_result)):
        if isinstance(leaf, TensorArray):  # a TensorArray result crossed as its flow value
            flat_result[i] = leaf._with_flow(flat_result[i])
    result = nest.pack_sequence_as(first_result, flat_result)
    if not strict and isinstance(result, (list, tuple)) and len(result) == 1 and \
            not hasattr(result, "_fields"):
        return result[0]  # TF1 unpacks a one-element list/tuple unless strict=True
    return result


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """tf.cond: `true_fn()` if `pred` else `false_fn()`; only the taken branch runs.

    Both branches must return the same nested structure of tensors with equal dtypes. With
    strict=False (TF1's default) a one-element list or tuple result is returned unpacked.
    """
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    pred = convert_to_tensor(pred)
    if pred.dtype.name != "bool":
        raise TypeError("pred must be a bool tensor, got %s (tf.cond at %s)"
                        % (pred.dtype.name, user_location()))
    return _build(If, pred, [true_fn, false_fn], name or "cond", strict, "cond")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """tf.case: runs the callable of the first true predicate (TF1 order), else `default`.

    `pred_fn_pairs` is a list of (bool tensor, callable) pairs or a dict. Without a default the
    last pair's callable is the default and its predicate must hold when no other does;
    exclusive=True raises at run time when more than one predicate is true.
    """
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    elif isinstance(pred_fn_pairs, (list, tuple)):
        pairs = list(pred_fn_pairs)
    else:
        raise TypeError("fns must be a list, tuple, or dict")
    for p in pairs:
        if not isinstance(p, tuple) or len(p) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        if not callable(p[1]):
            raise TypeError("fn for pred %s must be callable." % (p[0],))
    if not pairs:
        if default is None:
            raise ValueError("pred_fn_pairs is empty and no default was given to tf.case")
        return default()
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    preds = [convert_to_tensor(p) for p, _ in pairs]
    for p in preds:
        if p.dtype.name != "bool":
            raise TypeError("pred must be Tensor of type bool: %s" % p.name)
    fns = [f for _, f in pairs]
    graph = get_default_graph()  # may be a branch or loop body: preds from outside are captured
    with graph.name_scope(name) as scope:
        index = CaseIndex.apply(*preds, exclusive=exclusive, has_default=default is not None,
                                names=tuple(p.name for p in preds))
        if default is None:
            # the last callable doubles as the default; CaseIndex checks its predicate held
            branches = fns[:-1] + [fns[-1]]
        else:
            branches = fns + [default]
        return _build(Case, index, branches, scope, strict, "case")


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """tf.switch_case: runs `branch_fns[branch_index]`; an index out of range runs `default`
    (or the last branch when no default is given)."""
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    elif isinstance(branch_fns, (list, tuple)) and branch_fns and isinstance(branch_fns[0], tuple):
        items = sorted(branch_fns)
    else:
        items = list(enumerate(branch_fns))
    if not items:
        raise ValueError("branch_fns must not be empty")
    keys = [k for k, _ in items]
    if keys != list(range(len(keys))):
        raise ValueError("branch indices must be 0, 1, ..., n-1; got %s" % keys)
    for _, f in items:
        if not callable(f):
            raise TypeError("branch_fns must contain callables, got %r" % (f,))
    fns = [f for _, f in items]
    if default is not None:
        fns.append(default)
    index = convert_to_tensor(branch_index, dtype="int32")
    return _build(Case, index, fns, name, True, "switch_case")


__all__ = ["cond", "case", "switch_case"]
