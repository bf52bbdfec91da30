"""Plan-time fold rules: a pattern over ops and the fused op that replaces the ops it matches.

A fold is data, declared beside the ops it concerns (tfgraph/ops/fused_conv_ops.py) and applied by one
driver (runtime/rewrite_engine.py), in the spirit of grappler's `_FusedConv2D(fused_ops=[...])`:

    register_rewrite_rule(RewriteRule(
        "conv_bias_relu",
        Pattern("Relu", Pattern("BiasAdd", Pattern("Conv2D", "x", "w"), "bias")),
        "_FusedConv2D", inputs=("x", "w", "bias"),
        attrs=lambda m: dict(conv_attrs(m.op("Conv2D")), fused_ops=("BiasAdd", "Relu"))))

A `Pattern` matches one plan step by op type and, input by input, either binds the input to a name
(a str: the same name twice must be the same value), matches the input's producer with a nested
Pattern, or ignores it (None). The matched ops are replaced by one step running the fused OpDef
(`fused_type`), an ordinary registered OpDef with attrs, shape rule, numpy reference and kernel, so
the ordinary op tests cover it. The driver checks legality once for every rule: the ops a match
absorbs are not fetched and are read only inside the match, no variable write lies between them,
and the fused step is placed where all its inputs are ready and before any reader of its outputs.
"""

_RULES = []


class Pattern:
    """Matches a plan step running an op of type `op_type` (a str or a tuple of str).

    - `inputs`: one entry per input of the op: a name to bind, a nested Pattern, or None.
    - `name`: how `rule.attrs`/`rule.where` look the matched op up (default: its type).
    - `output`: the producer's output index a nested pattern's value must be.
    - `shared`: the op's result may have readers outside the match; then it is one more output
      of the fused op (after the roots' outputs), else nothing is computed twice.
    - `context`: the op is only read from (its inputs bind names) and stays in the plan.
    - `bind`: the name a nested pattern's value is bound to as well (for a fused op reading it).
    """

    def __init__(self, op_type, *inputs, name=None, output=0, shared=False, context=False,
                 bind=None):
        self.types = (op_type,) if isinstance(op_type, str) else tuple(op_type)
        self.inputs = inputs
        self.name = name or self.types[0]
        self.output = output
        self.shared = shared
        self.context = context
        self.bind = bind

    def nodes(self):
        """This pattern and its nested patterns, depth first."""
        yield self
        for p in self.inputs:
            if isinstance(p, Pattern):
                yield from p.nodes()


class RewriteRule:
    """One fold: `roots` (a Pattern, or a tuple of Patterns sharing bound names: ops that read the
    same values, such as a filter gradient and a bias gradient of one dy) become one step running
    OpDef `fused_type` on the bound values named by `inputs`, with attrs `attrs(match)`.
    `where(match)` (optional) says whether the fused kernel applies (dtype, layout, sizes)."""

    def __init__(self, name, roots, fused_type, inputs, attrs, where=None):
        self.name = name
        self.roots = (roots,) if isinstance(roots, Pattern) else tuple(roots)
        self.fused_type = fused_type
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.where = where

    def __repr__(self):
        return "RewriteRule(%r -> %s)" % (self.name, self.fused_type)


def register_rewrite_rule(rule):
    """Adds `rule` to the table plans apply, after the rules registered before it (a later rule
    may match an earlier rule's fused op)."""
    if any(r.name == rule.name for r in _RULES):
        raise ValueError("a rewrite rule named %r is already registered" % rule.name)
    _RULES.append(rule)
    return rule


def rewrite_rules():
    """The registered rules, in the order plans apply them."""
    return list(_RULES)
