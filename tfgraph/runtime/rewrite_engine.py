"""The one driver for plan-time folds: applies the rule table (framework/rewrite_rule.py) to a plan's
steps.

Each rule is applied in one sweep over the steps, in table order, so a later rule sees (and may
match) an earlier rule's fused ops. Legality is decided here, the same for every rule:
- an op a match absorbs has no reader outside the match and is not fetched (unless its pattern
  says `shared`: then its result becomes one more output of the fused step);
- no step writing a variable lies between the first and the last op of the match;
- the fused step takes the earliest place, among the matched ops' places, where every input it
  reads is ready and no outside reader of an earlier matched op's result has come yet.
"""
from tfgraph.framework.op_def import get_op_def


class FusedOp:
    """The op a folded plan step runs: fused OpDef `op_def` on the graph tensors `inputs`, giving
    the graph tensors `outputs` of the ops it replaced. It is not added to the graph: the user's
    graph stays as built. Name and location (for errors and profiles) are the root op's."""

    def __init__(self, op_def, attrs, inputs, outputs, members):
        self.op_def = op_def
        self.type = op_def.type
        self.attrs = attrs
        self.inputs = list(inputs)
        self._inputs = self.inputs
        self.outputs = list(outputs)
        self.members = list(members)   # the ops it replaces, roots first

    def __getattr__(self, name):
        # anything else an error message or a profile asks (name, location, graph, traceback)
        # is the root op's
        if name == "members":
            raise AttributeError(name)
        return getattr(self.members[0], name)

    def __repr__(self):
        return "<FusedOp %s '%s' of %s>" % (self.type, self.name,
                                           [op.type for op in self.members])


def _value_inputs(op):
    """The op's input tensors that a plan step reads (not the variables it only writes)."""
    if isinstance(op, FusedOp):
        return op.inputs
    ref = op.op_def.ref_inputs
    return [t for i, t in enumerate(op.inputs) if i not in ref]


class _Steps:
    """Who produces and who reads each slot of a list of plan steps."""

    def __init__(self, steps, fetch_slots):
        self.steps = steps
        self.fetched = set(fetch_slots)
        self.producer = {}                     # slot -> (step index, output index)
        self.readers = {}                      # slot -> [step index]
        for i, st in enumerate(steps):
            for k, s in enumerate(st.outputs):
                self.producer[s] = (i, k)
            for s in dict.fromkeys(st.inputs):
                self.readers.setdefault(s, []).append(i)
        self.writes = [i for i, st in enumerate(steps) if st.op.op_def.ref_inputs]

    def ready_before(self, slot, place):
        p = self.producer.get(slot)
        return p is None or p[0] < place


class Match:
    """A rule's match: `op(name)` is the op a pattern node matched, `value(name)` a bound tensor,
    `escapes(name)` whether a `shared` node's result is read outside the match, `reads(name, k)`
    whether anything reads the op's output k."""

    def __init__(self):
        self.slots, self.tensors = {}, {}
        self.nodes = {}                        # pattern name -> step index
        self.members, self.context, self.shared = [], [], []
        self._steps = None
        self._escaping = set()

    def copy(self):
        m = Match()
        m.slots, m.tensors, m.nodes = dict(self.slots), dict(self.tensors), dict(self.nodes)
        m.members, m.context, m.shared = list(self.members), list(self.context), list(self.shared)
        return m

    def op(self, name):
        return self._steps.steps[self.nodes[name]].op

    def value(self, name):
        return self.tensors[name]

    def escapes(self, name):
        return self.nodes[name] in self._escaping

    def reads(self, name, output):
        """Whether any step of the plan reads output `output` of the op `name` matched, or the
        plan fetches it (a rule's `where` may drop work for an output nothing reads)."""
        slot = self._steps.steps[self.nodes[name]].outputs[output]
        return bool(self._steps.readers.get(slot)) or slot in self._steps.fetched


def _match_node(node, g, i, m, taken):
    st = g.steps[i]
    if i in taken or i in m.members or i in m.context or st.op.type not in node.types:
        return False
    if st.folded and not isinstance(st.op, FusedOp):   # an elementwise chain: not its op's alone
        return False
    if len(st.inputs) != len(node.inputs):
        return False
    m.nodes[node.name] = i
    (m.context if node.context else m.members).append(i)
    if node.shared:
        m.shared.append(i)
    tensors = _value_inputs(st.op)
    for k, p in enumerate(node.inputs):
        slot = st.inputs[k]
        if p is None:
            continue
        name = p if isinstance(p, str) else p.bind
        if name is not None:
            if m.slots.setdefault(name, slot) != slot:
                return False
            m.tensors.setdefault(name, tensors[k])
        if isinstance(p, str):
            continue
        producer = g.producer.get(slot)
        if producer is None or producer[1] != p.output or \
                not _match_node(p, g, producer[0], m, taken):
            return False
    return True


def _match_roots(roots, g, i, taken):
    """The match of `roots` with the first root at step i, or None."""
    m = Match()
    if not _match_node(roots[0], g, i, m, taken):
        return None
    for root in roots[1:]:
        # another root reads a value the match has bound
        candidates = sorted({j for s in m.slots.values() for j in g.readers.get(s, ())})
        for j in candidates:
            trial = m.copy()
            if _match_node(root, g, j, trial, taken):
                m = trial
                break
        else:
            return None
    return m


def _outside_readers(g, m, i):
    members = set(m.members)
    return [r for s in g.steps[i].outputs for r in g.readers.get(s, ()) if r not in members]


def _legal_place(rule, g, m):
    """The place of the fused step, or None when the match may not be folded."""
    roots = {m.nodes[r.name] for r in rule.roots}
    for i in m.members:
        if i in roots:
            continue
        escapes = bool(_outside_readers(g, m, i)) or any(s in g.fetched
                                                          for s in g.steps[i].outputs)
        if escapes and i not in m.shared:
            return None
        if escapes:
            m._escaping.add(i)
    lo, hi = min(m.members + m.context), max(m.members)
    if any(lo < w < hi for w in g.writes if w not in m.members):
        return None
    inputs = [m.slots[n] for n in rule.inputs]
    for place in sorted(m.members):
        if not all(g.ready_before(s, place) for s in inputs):
            continue
        early = [i for i in m.members if i < place and (i in roots or i in m._escaping)]
        if all(not (i < r <= place) for i in early for r in _outside_readers(g, m, i)):
            return place
    return None


def _fused_step(rule, g, m, make_step, rt):
    roots = [m.nodes[r.name] for r in rule.roots]
    escaping = [i for i in sorted(m.members) if i in m._escaping]
    out_slots, out_tensors = [], []
    for i in roots + escaping:
        out_slots += g.steps[i].outputs
        out_tensors += g.steps[i].op.outputs
    op_def = get_op_def(rule.fused_type)
    members = [g.steps[i].op for i in roots] + \
        [g.steps[i].op for i in sorted(m.members) if i not in roots]
    op = FusedOp(op_def, rule.attrs(m), [m.tensors[n] for n in rule.inputs], out_tensors, members)
    kernel = op_def.make_kernel(op, rt)
    return make_step(op, kernel, [m.slots[n] for n in rule.inputs], out_slots, folded=True)


def apply_rule(rule, steps, fetch_slots, make_step, rt):
    """`steps` with every legal match of `rule` replaced by one step of its fused op."""
    g = _Steps(steps, fetch_slots)
    taken, placed = set(), {}
    for i in range(len(steps)):
        m = _match_roots(rule.roots, g, i, taken)
        if m is None:
            continue
        m._steps = g
        place = _legal_place(rule, g, m)
        if place is None or (rule.where is not None and not rule.where(m)):
            continue
        placed[place] = _fused_step(rule, g, m, make_step, rt)
        taken.update(m.members)
    return [placed[i] if i in placed else st for i, st in enumerate(steps)
            if i in placed or i not in taken]


def apply_rules(rules, steps, fetch_slots, make_step, rt):
    """`steps` after every rule of `rules`, in order."""
    for rule in rules:
        steps = apply_rule(rule, steps, fetch_slots, make_step, rt)
    return steps
