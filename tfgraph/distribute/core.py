"""The MPI job (init, rank, size), the collective ops, and sharding data by rank."""
import warnings

from tfgraph.ops import collective_ops
from tfgraph.ops.collective_ops import allgather, broadcast  # noqa: F401 - re-exported

# Reductions, as Horovod names them (hvd.Average, hvd.Sum, ...)
Average = "Average"
Sum = "Sum"
Min = "Min"
Max = "Max"


def init(timeout=None):
    """Joins the MPI job (idempotent). `timeout`: seconds a collective may wait for the other
    ranks before it fails naming the dead ones (default TFGRAPH_MPI_TIMEOUT, else 300)."""
    collective_ops.get_world(timeout)


def is_initialized():
    return collective_ops._world is not None


def rank():
    """This process's rank in the job, 0 .. size() - 1."""
    return collective_ops.get_world().rank


def size():
    """The number of processes in the job."""
    return collective_ops.get_world().size


def local_rank():
    """This process's rank among the processes on its machine."""
    return collective_ops.get_world().local_rank


def local_size():
    """The number of processes on this machine."""
    return collective_ops.get_world().local_size


def allreduce(tensor, op=Average, name=None):
    """`tensor` (or a list of same-dtype tensors, fused into one call) reduced over ranks.

    An IndexedSlices is gathered instead (values and indices of every rank; values divided by
    size() for Average), as Horovod does."""
    from tfgraph.ops.indexed_slices import IndexedSlices
    if isinstance(tensor, IndexedSlices):
        from tfgraph.distribute.optimizer import _allgather_slices
        return _allgather_slices(tensor, op, collective_ops.describe([tensor.values], True))
    return collective_ops.allreduce(tensor, op=op, name=name)


def shard_range(n, rank=None, size=None, drop_remainder=True):
    """This rank's contiguous block of range(n).

    drop_remainder=True gives every rank n // size items (the last n % size are left out) so
    that every rank runs the same number of steps, which synchronous training needs; False
    spreads the remainder over the first ranks."""
    r = collective_ops.get_world().rank if rank is None else rank
    s = collective_ops.get_world().size if size is None else size
    if not 0 <= r < s:
        raise ValueError("shard_range: rank %d is not in [0, %d)" % (r, s))
    if drop_remainder:
        m = n // s
        return range(r * m, (r + 1) * m)
    m, extra = divmod(n, s)
    start = r * m + min(r, extra)
    return range(start, start + m + (r < extra))


def shard_arrays(*arrays, drop_remainder=True):
    """This rank's block of rows of each array (see shard_range); one array gives one array."""
    if not arrays:
        raise ValueError("shard_arrays needs at least one array")
    n = len(arrays[0])
    for a in arrays[1:]:
        if len(a) != n:
            raise ValueError("shard_arrays: the arrays have different lengths (%d and %d)"
                             % (n, len(a)))
    world = collective_ops.get_world()
    if drop_remainder and n % world.size and world.rank == 0:
        warnings.warn("shard_arrays: %d samples over %d ranks: the last %d are not used so that "
                      "every rank runs the same number of steps."
                      % (n, world.size, n % world.size), stacklevel=2)
    block = shard_range(n, drop_remainder=drop_remainder)
    out = [a[block.start:block.stop] for a in arrays]
    return out[0] if len(out) == 1 else out


def shard_dataset(dataset):
    """`dataset.shard(size(), rank())`: every size()-th element, from this rank's on."""
    return dataset.shard(size(), rank())
