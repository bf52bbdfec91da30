"""Plan-time graph analysis: pruning to the ops a signature needs, in a valid execution order."""


def prune(fetches, targets, feeds):
    """Ops needed to compute `fetches` and run `targets`, given `feeds`, in topological order.

    A fed tensor is a source: its producer runs only if another of its outputs is needed. Inputs that an
    op only writes (variable references, `OpDef.ref_inputs`) are not dependencies.
    """
    fed = set(feeds)
    needed_ops = []
    state = {}  # op -> 1 visiting, 2 done
    stack = []
    for t in fetches:
        if t not in fed:
            stack.append((t.op, False))
    for op in targets:
        stack.append((op, False))
    # Iterative DFS post-order: deterministic, no recursion limit on deep graphs.
    stack.reverse()
    while stack:
        op, expanded = stack.pop()
        if expanded:
            if state.get(op) != 2:
                state[op] = 2
                needed_ops.append(op)
            continue
        if op in state:
            if state[op] == 1:
                continue  # already on the path; TF graphs are acyclic, so this is a duplicate
            continue
        state[op] = 1
        stack.append((op, True))
        deps = []
        ref = op.op_def.ref_inputs
        for i, t in enumerate(op._inputs):
            if i not in ref and t not in fed:
                deps.append(t.op)
        deps.extend(op._control_inputs)
        for d in reversed(deps):
            if d not in state:
                stack.append((d, False))
    return needed_ops
