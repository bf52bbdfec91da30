"""Control ops: no_op, group, tuple, with_dependencies."""
import builtins

from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, convert_to_tensor
from tfgraph.framework.operation import Operation
from tfgraph.ops import array_ops


class NoOp(OpDef):
    """Does nothing; used to group control dependencies."""

    type = "NoOp"

    def infer(self):
        return []

    def compute(self):
        return None


def no_op(name=None):
    """tf.no_op."""
    return NoOp.create_op([], name=name or "NoOp")


def _op_of(x):
    if isinstance(x, Operation):
        return x
    if hasattr(x, "_as_graph_element"):
        x = x._as_graph_element()
    return x if isinstance(x, Operation) else x.op


def group(*inputs, **kwargs):
    """tf.group: an op that runs after all `inputs` have run."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("Unknown keyword arguments: " + ", ".join(kwargs))
    ops = []
    for x in inputs:
        for item in (x if isinstance(x, (list, builtins.tuple)) else [x]):
            if item is not None:
                op = _op_of(item)
                if op not in ops:
                    ops.append(op)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.as_default(), graph.control_dependencies(ops):
        return no_op(name=name or "group_deps")


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF's name
    """tf.tuple: each output waits for every input (and `control_inputs`)."""
    tensors = [t for t in tensors]
    live = [convert_to_tensor(t) for t in tensors if t is not None]
    graph = live[0].graph if live else get_default_graph()
    with graph.as_default(), graph.name_scope(name or "tuple"):
        gate = group(*(live + list(control_inputs or [])))
        with graph.control_dependencies([gate]):
            return [None if t is None else array_ops.identity(convert_to_tensor(t)) for t in tensors]


def with_dependencies(dependencies, output_tensor, name=None):
    """Returns `output_tensor`'s value after `dependencies` have run."""
    graph = get_default_graph()
    with graph.name_scope(name or "control_dependency"):
        with graph.control_dependencies(dependencies):
            return array_ops.identity(convert_to_tensor(output_tensor))


__all__ = [
    "no_op",
    "group",
    "tuple",
    "with_dependencies",
]
