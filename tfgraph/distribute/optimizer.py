"""DistributedOptimizer (gradients averaged across ranks in few fused buffers) and the broadcast of
the initial variables from one rank."""
import os

from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.ops import collective_ops, control_flow_ops, math_ops, state_ops
from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.train.optimizer import Optimizer
from tfgraph.train.session_run_hook import SessionRunHook
from tfgraph.variables import global_variables

# Horovod's default (HOROVOD_FUSION_THRESHOLD): gradients are packed into buffers of up to 64 MiB
DEFAULT_FUSION_THRESHOLD = 64 * 1024 * 1024


def _fusion_threshold(value):
    if value is None:
        value = int(os.environ.get("TFGRAPH_FUSION_THRESHOLD", DEFAULT_FUSION_THRESHOLD))
    if value < 0:
        raise ValueError("fusion_threshold must be >= 0 bytes, got %r" % (value,))
    return value


def _describe_grads(grads, variables):
    lines = []
    for g, v in zip(grads, variables):
        if g is None:
            continue
        kind = "sparse" if isinstance(g, IndexedSlices) else "dense"
        lines.append("%s %s %s %s" % (v.op.name, v.shape, v.dtype.name.replace("_ref", ""),
                                      kind))
    return "\n".join(lines)


def _allgather_slices(g, op, description):
    values, indices = collective_ops.MpiAllgather.apply(g.values, g.indices,
                                                        description=description + "\nsparse")
    if op == "Average":
        values = math_ops.truediv(values, float(collective_ops.get_world().size))
    elif op != "Sum":
        raise ValueError("IndexedSlices gradients are gathered: op must be Average or Sum, got %r"
                         % (op,))
    return IndexedSlices(values, indices, g.dense_shape)


def allreduce_gradients(grads, variables, op="Average", fusion_threshold=None,
                        sparse_as_dense=False):
    """The gradients reduced across ranks: dense ones packed, by dtype, into buffers of at most
    `fusion_threshold` bytes (one MpiAllreduce each); IndexedSlices gathered (values and
    indices of every rank, values / size() for Average). None stays None.

    Every op carries the list of all (variable, shape, dtype) so that the first step fails with
    the difference when ranks built different models."""
    collective_ops._check_reduction(op)
    collective_ops.get_world()  # fails here, with the install hint, without mpi4py
    threshold = _fusion_threshold(fusion_threshold)
    grads = list(grads)
    if sparse_as_dense:
        grads = [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g for g in grads]
    description = _describe_grads(grads, variables)
    out = list(grads)
    buffers = {}  # dtype -> [[index, ...], bytes]
    order = []
    for i, g in enumerate(grads):
        if g is None:
            continue
        if isinstance(g, IndexedSlices):
            out[i] = _allgather_slices(g, op, description)
            continue
        g = convert_to_tensor(g)
        nbytes = (g.shape.num_elements() or 0) * g.dtype.size
        current = buffers.get(g.dtype)
        if current is None or (current[1] + nbytes > threshold and current[0]):
            current = buffers[g.dtype] = [[], 0]
            order.append(current)
        current[0].append(i)
        current[1] += nbytes
        out[i] = g
    for k, (indices, _) in enumerate(order):
        reduced = collective_ops.MpiAllreduce.apply(
            *[out[i] for i in indices], reduction=op, name="MpiAllreduce",
            description="%s\nbuffer %d of %d" % (description, k, len(order)))
        reduced = collective_ops._as_list(reduced)
        for i, r in zip(indices, reduced):
            out[i] = r
    return out


class DistributedOptimizer(Optimizer):
    """Wraps a tf.train optimizer: compute_gradients averages (op=Average) or sums the gradients
    of every rank before apply_gradients uses them (Horovod's hvd.DistributedOptimizer).

    Dense gradients travel in few large buffers (`fusion_threshold` bytes, default 64 MiB or
    TFGRAPH_FUSION_THRESHOLD), one MPI allreduce per buffer; IndexedSlices (embedding
    gradients) are gathered, or densified first with sparse_as_dense=True. Scale the learning
    rate with size() yourself if the global batch grows with the number of ranks."""

    def __init__(self, optimizer, name=None, use_locking=False, op="Average",
                 fusion_threshold=None, sparse_as_dense=False):
        if not isinstance(optimizer, Optimizer):
            raise TypeError("DistributedOptimizer wraps a tf.train.Optimizer, got %s (for a Keras "
                            "optimizer use tfgraph_keras.distribute.DistributedOptimizer)"
                            % type(optimizer).__name__)
        collective_ops._check_reduction(op)
        _fusion_threshold(fusion_threshold)
        super().__init__(use_locking, name or "Distributed" + type(optimizer).__name__)
        self._optimizer = optimizer
        self._op = op
        self._fusion_threshold = fusion_threshold
        self._sparse_as_dense = sparse_as_dense

    def compute_gradients(self, *args, **kwargs):
        grads_and_vars = self._optimizer.compute_gradients(*args, **kwargs)
        grads = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        graph = variables[0].graph if variables else get_default_graph()
        with graph.as_default(), graph.name_scope(self._name + "_Allreduce"):
            grads = allreduce_gradients(grads, variables, self._op, self._fusion_threshold,
                                        self._sparse_as_dense)
        return list(zip(grads, variables))

    def apply_gradients(self, *args, **kwargs):
        return self._optimizer.apply_gradients(*args, **kwargs)

    def get_slot(self, *args, **kwargs):
        return self._optimizer.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._optimizer.get_slot_names(*args, **kwargs)

    def variables(self, *args, **kwargs):
        return self._optimizer.variables(*args, **kwargs)


def broadcast_variables(variables, root_rank=0, name=None):
    """An op that sets every variable in `variables` to its value on `root_rank` (one buffer)."""
    variables = list(variables)
    if not variables:
        return control_flow_ops.no_op(name=name or "broadcast_variables")
    graph = variables[0].graph
    with graph.as_default(), graph.name_scope(name or "broadcast_variables"):
        description = "\n".join("%s %s %s" % (v.op.name, v.shape, v.dtype.name.replace("_ref", ""))
                                for v in variables)
        values = collective_ops._as_list(collective_ops.MpiBroadcast.apply(
            *[convert_to_tensor(v) for v in variables], root_rank=root_rank,
            description=description))
        assigns = [state_ops.assign(v, x) for v, x in zip(variables, values)]
        return control_flow_ops.group(*assigns)


def broadcast_global_variables(root_rank=0):
    """hvd.broadcast_global_variables: an op setting every global variable (weights, optimizer
    slots, global step) to root_rank's value. Run it once, after initialization."""
    return broadcast_variables(global_variables(), root_rank, name="broadcast_global_variables")


class BroadcastGlobalVariablesHook(SessionRunHook):
    """Broadcasts the global variables from root_rank once the session has initialized them,
    so every rank starts from the same weights (for tf.train.MonitoredTrainingSession)."""

    def __init__(self, root_rank=0):
        self.root_rank = root_rank
        self._op = None

    def begin(self):
        graph = get_default_graph()
        if self._op is None or self._op.graph is not graph:
            self._op = broadcast_global_variables(self.root_rank)

    def after_create_session(self, session, coord):
        session.run(self._op)
