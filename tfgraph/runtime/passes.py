"""The plan's rewrite passes, in the order a plan runs them after lowering ops to steps.

A pass is a callable `(steps, fetch_slots, make_step, rt) -> steps`. The default list folds by the
registered rule table (runtime/rewrite_engine.py), then fuses what is left of elementwise chains
into generated kernels (runtime/fusion.py), then lets large optimizer updates run beside the steps
after them (runtime/overlap.py). A session's plans use `session._state.passes` when it
is set, which is how tests compare a plan with and without a fold.
"""
import numpy as np

from tfgraph.framework.op_def import OpDef
from tfgraph.framework.rewrite_rule import rewrite_rules
from tfgraph.runtime import fusion, overlap, rewrite_engine


def rule_pass(exclude=()):
    """The pass applying the registered fold rules, but those named in `exclude`."""
    exclude = frozenset(exclude)
    unknown = exclude - {r.name for r in rewrite_rules()}
    if unknown:
        raise ValueError("no rewrite rule named %s" % ", ".join(sorted(unknown)))

    def fold_by_rules(steps, fetch_slots, make_step, rt):
        rules = [r for r in rewrite_rules() if r.name not in exclude]
        return rewrite_engine.apply_rules(rules, steps, fetch_slots, make_step, rt)
    return fold_by_rules


def elementwise_fusion(steps, fetch_slots, make_step, rt):
    """Chains of elementwise ops become one generated Numba kernel (runtime/fusion.py)."""
    return fusion.fuse(steps, fetch_slots, make_step)


def default_passes(exclude_rules=(), elementwise=True, overlap_updates=True):
    """The passes plans run: every fold rule but `exclude_rules`, then elementwise fusion, then
    large optimizer updates moved to run beside the steps after them (runtime/overlap.py)."""
    passes = [rule_pass(exclude_rules)]
    if elementwise:
        passes.append(elementwise_fusion)
    if overlap_updates:
        passes.append(overlap.overlap_updates)
    return passes


def reference_check(checked):
    """A pass for tests and debugging: every step whose op has a kernel of its own (not its numpy
    reference) also runs the op's reference, `OpDef.compute`, on the same inputs; the run fails
    unless the two agree and each output's shape and dtype fit the op's static ones. The op types
    compared are added to the set `checked`. Ops that write variables or draw random numbers are
    left alone (their reference would write or draw again)."""
    def check_against_reference(steps, fetch_slots, make_step, rt):
        out = []
        for st in steps:
            op_def = st.op.op_def
            if isinstance(st.kernel, fusion.FusedKernel) or op_def.stateful or \
                    op_def.ref_inputs or type(op_def).make_kernel is OpDef.make_kernel:
                out.append(st)
                continue
            out.append(make_step(st.op, _checked_kernel(st.op, st.kernel, checked), st.inputs,
                                 st.outputs, folded=st.folded))
        return out
    return check_against_reference


def _checked_kernel(op, kernel, checked):
    def run(*args):
        result = kernel(*args)
        try:
            want = op.op_def.compute(*args, **op.attrs)
        except NotImplementedError:
            return result
        got = list(result) if len(op.outputs) != 1 else [result]
        want = list(want) if len(op.outputs) != 1 else [want]
        compared = False
        for i, (g, w, t) in enumerate(zip(got, want, op.outputs)):
            if not isinstance(g, (np.ndarray, np.generic)):
                continue   # a host object (a TensorArray's list): nothing to compare
            g, w = np.asarray(g), np.asarray(w)
            where = "op %s '%s' output %d" % (op.type, op.name, i)
            if not t.shape.is_compatible_with(g.shape) or g.dtype != t.dtype.as_numpy_dtype:
                raise AssertionError("%s: kernel gave %s %s, the static spec is %s %s" % (
                    where, g.dtype, g.shape, t.dtype.name, t.shape))
            if g.dtype.kind in "fc":
                tol = 1e-9 if g.dtype.itemsize >= 8 else 2e-4
                scale = max(1.0, float(np.nanmax(np.abs(w)))) if w.size else 1.0
                np.testing.assert_allclose(g, w, rtol=tol, atol=tol * scale, err_msg=where)
            else:
                np.testing.assert_array_equal(g, w, err_msg=where)
            compared = True
        if compared:
            checked.add(op.type)
        return result
    return run
