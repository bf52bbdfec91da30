"""A plan pass: large optimizer updates run on the pool's thread beside the steps that follow.

In a plan whose heavy kernels split the batch over the cores (`OpDef.splits_batch`: convolutions,
LSTMs), an optimizer's update of a large variable is one memory-bound kernel on this thread, with
the other cores idle: W7's Adam over its 3136x1024 dense kernel took 2.1-2.4 ms of a 46-50 ms step.
Its gradient is ready long before: the dense layer's weight gradient waits only for the layer's
output gradient, but the plan's topological order computed it after the convolutions' gradients.

This pass moves such an update (an op whose OpDef sets `runs_beside`, on a variable of at least
`MIN_ELEMENTS` elements), and the steps whose results only it reads (the weight gradient's
matmul), to just after the last step they must follow, and marks the update `beside`. The plan
then hands it to the pool's thread and goes on; the next kernel that splits the batch into chunks
(`threads.by_chunks`) has its chunks taken by this thread until the pool's thread is done with
the update and joins in. TensorFlow's executor gets the same overlap by running every ready op.

What may not move, and when the plan waits (`join_points`):
- a step moves only past steps that are pure computations (neither stateful nor writing a
  variable) or, for an update, past other variable writes on disjoint variables; never past a
  step whose results it reads, nor one that reads a variable it writes (that step must see the
  old value). A control input on a pure step orders nothing else, so it does not hold an update
  back: the optimizer's gate of every gradient before any update (train/optimizer.py) exists for
  exactly those reads, which are checked here one by one;
- the plan waits for an update before the first later step that reads its result or a variable
  it writes, writes any variable, is stateful (random numbers, control flow, I/O), runs another
  update beside, or depends on it by a control input; and before returning (also when a step
  fails). One update is in flight at a time.

A kernel that fails after an update has started leaves that variable updated, as TensorFlow's
executor does (it applies each update once its gradient is ready). Runs rejected before any
kernel runs (feed checks, an unfed placeholder) still change nothing.

Only plans that split the batch: elsewhere the GEMMs run on OpenBLAS's own threads, which a
pool thread running an update would compete with.
"""
from tfgraph.kernels import threads
from tfgraph.runtime import rewrite_engine
from tfgraph.runtime.fusion import FusedKernel

# Smaller updates run in place: the hand-over costs more than it saves (one W7 Adam of 3.2M
# elements: 2.1 ms; one of 64K: 27 us against ~15 us to hand it over).
MIN_ELEMENTS = 1 << 18


def _ops(st):
    """The graph ops a step runs (a fused chain's or fold's members)."""
    if isinstance(st.kernel, FusedKernel):
        return list(st.kernel.ops)
    if isinstance(st.op, rewrite_engine.FusedOp):
        return list(st.op.members)
    return [st.op]


def _written(st):
    """The variable ops a step writes (its ref inputs)."""
    ref = st.op.op_def.ref_inputs
    if isinstance(st.op, rewrite_engine.FusedOp) or not ref:
        return frozenset()
    return frozenset(st.op.inputs[i].op for i in ref)


def _pure(st):
    d = st.op.op_def
    return not d.stateful and not d.ref_inputs


class _Plan:
    """Which slots hold a buffer of a variable some step writes, over a list of steps."""

    def __init__(self, steps):
        written = set().union(*(_written(st) for st in steps))
        # the variable op's own step, and the views of its buffer (Reshape, slices...)
        self.slot_var = {}
        for st in steps:
            ops = _ops(st)
            if len(ops) == 1 and ops[0] in written:
                for s in st.outputs:
                    self.slot_var[s] = ops[0]
            v = st.op.op_def.view_of_input
            if v is not None and v < len(st.inputs) and st.inputs[v] in self.slot_var:
                for s in st.outputs:
                    self.slot_var[s] = self.slot_var[st.inputs[v]]

    def reads(self, st):
        """The written variables a step reads."""
        return frozenset(self.slot_var[s] for s in st.inputs if s in self.slot_var)


def _must_follow(a, b, plan, a_is_update):
    """Whether step a, moving earlier, must stay after step b."""
    if set(b.outputs) & set(a.inputs):
        return True
    if _pure(b):
        # Ordering against a computation shows only in what it reads: b must see the value of a
        # variable a writes from before the update. A control input of a on b says no more than
        # that (the optimizer's gate of every gradient before any update, train/optimizer.py).
        return bool(_written(a) & plan.reads(b))
    b_ops = set(_ops(b))
    if any(c in b_ops for op in _ops(a) for c in op.control_inputs):
        return True
    if a_is_update and b.op.op_def.ref_inputs and not isinstance(b.op, rewrite_engine.FusedOp):
        # another variable write: only past one on other variables than a reads or writes
        wa, wb = _written(a), _written(b)
        return bool(wa & (wb | plan.reads(b)) or wb & plan.reads(a))
    return True


def _earliest(steps, i, plan, a_is_update):
    """The first index at which step i may run, given the steps before it."""
    for j in range(i - 1, -1, -1):
        if _must_follow(steps[i], steps[j], plan, a_is_update):
            return j + 1
    return 0


def _move(steps, i, to):
    steps.insert(to, steps.pop(i))


def _only_for(steps, p, update, fetched):
    """Whether every result of step p is read by `update` alone (and none is fetched)."""
    outs = set(steps[p].outputs)
    if outs & fetched:
        return False
    return all(st is update or not (outs & set(st.inputs)) for st in steps)


def overlap_updates(steps, fetch_slots, make_step, rt):
    """The pass: see the module docstring."""
    if threads.THREADS <= 1 or not any(st.op.op_def.splits_batch for st in steps):
        return steps
    candidates = [st for st in steps if st.op.op_def.runs_beside and
                  not isinstance(st.op, rewrite_engine.FusedOp) and
                  (st.op.inputs[0].shape.num_elements() or 0) >= MIN_ELEMENTS]
    if not candidates:
        return steps
    steps, fetched = list(steps), set(fetch_slots)
    plan = _Plan(steps)     # slots and variables: moving steps changes neither
    for update in candidates:
        # first the steps whose results only this update reads (its gradient's matmul), on a
        # copy: they move only if the update then moves up too (else their results would just
        # be held longer)
        moved = list(steps)
        for s in update.inputs:
            p = next((k for k, st in enumerate(moved) if s in st.outputs), None)
            if p is not None and _pure(moved[p]) and _only_for(moved, p, update, fetched):
                _move(moved, p, _earliest(moved, p, plan, False))
        i = moved.index(update)
        to = _earliest(moved, i, plan, True)
        if to < i:
            _move(moved, i, to)
            steps = moved
        update.beside = True
    return steps


def join_points(steps):
    """{i: [indices of the beside steps to wait for before step i]}; index len(steps) is the
    end of the plan."""
    plan = _Plan(steps)
    joins, pending = {}, None
    for i, st in enumerate(steps):
        if pending is not None:
            a = steps[pending]
            if st.beside or _must_wait(a, st, plan):
                joins.setdefault(i, []).append(pending)
                pending = None
        if st.beside:
            pending = i
    if pending is not None:
        joins.setdefault(len(steps), []).append(pending)
    return joins


def _must_wait(a, st, plan):
    """Whether step st, after beside step a, must wait for it."""
    if not _pure(st):
        return True
    if set(a.outputs) & set(st.inputs) or _written(a) & plan.reads(st):
        return True
    a_ops = set(_ops(a))
    return any(c in a_ops for op in _ops(st) for c in op.control_inputs)
