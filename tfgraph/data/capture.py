"""What a pipeline captures from the graph, and the values it runs with after initialization."""


class Context:
    """One initialization of an iterator: the session, the captured values, per-node state."""

    __slots__ = ("rt", "values", "state")

    def __init__(self, rt, values):
        self.rt = rt
        self.values = values
        self.state = {}  # dataset node -> its state for this initialization (caches, generators)


class Failed:
    """An element whose making failed: get_next raises `error`, and the iterator goes on with the
    next element (as TensorFlow's iterators do); `ignore_errors` drops it."""

    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


def placeholders_upstream(tensors, args):
    """The Placeholder outputs (other than `args`) the tensors depend on: captured by value."""
    seen, found = set(), []
    stack = [t.op for t in tensors]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            if op.outputs[0] not in args:
                found.append(op.outputs[0])
            continue
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return sorted(found, key=lambda t: t.op._id)
