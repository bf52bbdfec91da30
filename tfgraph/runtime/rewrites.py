"""Plan-time graph analysis and rewrites: pruning, constant folding, CSE, identity removal.

These work on one execution plan's view of the graph (slots), never on the graph itself, so the
user's graph (names, ops, exports) stays exactly as built.
"""
import numpy as np

_MAX_FOLDED_BYTES = 64 << 20


def prune(fetches, targets, feeds):
    """Ops needed to compute `fetches` and run `targets`, given `feeds`, in topological order.

    A fed tensor is a source: its producer runs only if another of its outputs is needed. Inputs that an
    op only writes (variable references, `OpDef.ref_inputs`) are not dependencies.
    """
    fed = set(feeds)
    order, state = [], {}  # op -> 1 expanding, 2 done
    stack = [(op, False) for op in reversed(list(targets))]
    stack += [(t.op, False) for t in reversed(list(fetches)) if t not in fed]
    while stack:  # iterative DFS post-order: deterministic, no recursion limit on deep graphs
        op, expanded = stack.pop()
        if expanded:
            if state.get(op) != 2:
                state[op] = 2
                order.append(op)
            continue
        if op in state:
            continue
        state[op] = 1
        stack.append((op, True))
        ref = op.op_def.ref_inputs
        deps = [t.op for i, t in enumerate(op._inputs) if i not in ref and t not in fed]
        # a control dependency on an op whose outputs are all fed is met by the feed (TF replaces it)
        deps += [c for c in op._control_inputs if not (c.outputs and all(t in fed for t in c.outputs))]
        stack.extend((d, False) for d in reversed(deps) if d not in state)
    return order


def foldable(op, in_slots):
    """A stateless op whose inputs are all plan constants can run once, at plan time."""
    return (bool(in_slots) and all(s[0] == "c" for s in in_slots) and not op.op_def.stateful
            and not op.op_def.ref_inputs and len(op.outputs) > 0
            and all(_small(t) for t in op.outputs))


def _small(t):
    """False when the static shape says the output is too big to keep (e.g. a big tf.zeros Fill):
    folding would allocate it at plan time only to drop it."""
    n = t.shape.num_elements() if t.shape.ndims is not None else None
    return n is None or n * max(t.dtype.size, 1) <= _MAX_FOLDED_BYTES


def fold(kernel, values, n_outputs):
    """The op's outputs computed now, or None when it fails or is too big to keep (it then runs)."""
    try:
        out = kernel(*values)
    except Exception:  # the same error will surface, with its op and location, when the plan runs
        return None
    outs = [out] if n_outputs == 1 else list(out)
    arrays = []
    for v in outs:
        a = np.asarray(v)
        if a.nbytes > _MAX_FOLDED_BYTES:
            return None
        a = np.array(a, copy=True) if not a.flags.c_contiguous or not a.flags.owndata else a
        a.setflags(write=False)
        arrays.append(a)
    return arrays


def cse_key(op, in_slots):
    """Identity of a computation for common-subexpression elimination, or None if not mergeable."""
    if op.op_def.stateful or op.op_def.ref_inputs or not op.outputs:
        return None
    attrs = []
    for k in sorted(op.attrs):
        v = op.attrs[k]
        if isinstance(v, np.ndarray):
            return None
        try:
            hash(v)
        except TypeError:
            v = repr(v)
        attrs.append((k, v))
    return (op.type, tuple(in_slots), tuple(attrs))
