"""tfgraph.distribute: synchronous data-parallel training on MPI, with Horovod's API for TF1 graphs.

Every process runs the same script on its own share of the data; the gradients are averaged
across processes inside each training step, so every process applies the same update and the
weights stay identical (bitwise) on every rank:

    import tfgraph as tf
    import tfgraph.distribute as dist

    dist.init()
    x_train, y_train = dist.shard_arrays(x_train, y_train)      # this rank's share
    opt = dist.DistributedOptimizer(tf.train.AdamOptimizer(1e-3))
    train_op = opt.minimize(loss)
    with tf.train.MonitoredTrainingSession(hooks=[dist.BroadcastGlobalVariablesHook(0)]) as s:
        ...

Start it with `mpirun -np 2 python train.py` (one machine) or `mpirun -np 8 -f hosts python
train.py` (a hostfile of machines). Needs the `distributed` extra (mpi4py and an MPI library);
`import tfgraph` never imports mpi4py.
"""
from tfgraph.distribute.core import (Average, Max, Min, Sum, allgather, allreduce, broadcast,
                                     init, is_initialized, local_rank, local_size, rank,
                                     shard_arrays, shard_dataset, shard_range, size)
from tfgraph.distribute.optimizer import (BroadcastGlobalVariablesHook, DistributedOptimizer,
                                          allreduce_gradients, broadcast_global_variables,
                                          broadcast_variables)

__all__ = ["Average", "Sum", "Min", "Max", "init", "is_initialized", "rank", "size",
           "local_rank", "local_size", "allreduce", "allgather", "broadcast", "shard_range",
           "shard_arrays", "shard_dataset", "DistributedOptimizer", "allreduce_gradients",
           "broadcast_variables", "broadcast_global_variables", "BroadcastGlobalVariablesHook"]
