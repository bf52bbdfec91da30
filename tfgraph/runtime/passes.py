"""The plan's rewrite passes, in the order a plan runs them after lowering ops to steps.

A pass is a callable `(steps, fetch_slots, make_step, rt) -> steps`. The default list folds by the
registered rule table (runtime/rewrite_engine.py), then fuses what is left of elementwise chains
into generated kernels (runtime/fusion.py). A session's plans use `session._state.passes` when it
is set, which is how tests compare a plan with and without a fold.
"""
from tfgraph.framework.rewrite_rule import rewrite_rules
from tfgraph.runtime import fusion, rewrite_engine


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


def default_passes(exclude_rules=(), elementwise=True):
    """The passes plans run: every fold rule but `exclude_rules`, then elementwise fusion."""
    passes = [rule_pass(exclude_rules)]
    if elementwise:
        passes.append(elementwise_fusion)
    return passes
