"""The global step: get_or_create_global_step, get_global_step, create_global_step, global_step."""
from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.ops import array_ops


def global_step(sess, global_step_tensor):
    """The current value of `global_step_tensor` in `sess`, as a Python int."""
    return int(sess.run(global_step_tensor))


def get_global_step(graph=None):
    """The graph's global step variable (collection GLOBAL_STEP, else 'global_step:0'), or None."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        return None
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    assert_global_step(step)
    return step


def assert_global_step(global_step_tensor):
    """TypeError unless the tensor is an integer scalar."""
    dtype = global_step_tensor.dtype
    if not dtype.is_integer:
        raise TypeError("Existing \"global_step\" does not have integer type: %s" % dtype.name)
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError("Existing \"global_step\" is not scalar: %s" % shape)


def create_global_step(graph=None):
    """Creates the int64 scalar 'global_step' variable (non-trainable, in GLOBAL_STEP)."""
    from tfgraph.variables import Variable
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        return Variable(lambda: array_ops.zeros([], dtype=dtypes.int64), trainable=False,
                        name=GraphKeys.GLOBAL_STEP,
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The global step variable, created on first use."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step
