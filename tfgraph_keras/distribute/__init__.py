"""keras data-parallel training on MPI, Horovod style (horovod.keras's API):

    import tfgraph_keras as keras
    import tfgraph_keras.distribute as dist

    dist.init()
    model.compile(dist.DistributedOptimizer(keras.optimizers.Adam(1e-3)), "mse")
    model.fit(x, y, batch_size=32, epochs=5, callbacks=[dist.BroadcastGlobalVariablesCallback(0)])

and `mpirun -np 2 python train.py`. Why this rather than a strategy object
(`with strategy.scope(): ...`): the wrapped optimizer is the one change an existing script
needs, it is what Horovod users already write, and the model, its saving and its graph stay the
single-process ones (a strategy would have to own variable creation). With a DistributedOptimizer
`fit` does the rest:

- x, y and sample weights are sharded by rank (contiguous equal blocks; `batch_size` is per rank,
  so one step trains on size() * batch_size samples, averaged);
- the initial weights and optimizer state are broadcast from rank 0 when training starts (the
  callback above only makes it explicit, or picks another root);
- the logs, the progress bar, History and callbacks see metrics over every rank's samples (the
  sums behind them are added across ranks each batch), identical on every rank, so EarlyStopping
  and ReduceLROnPlateau decide alike everywhere;
- the progress bar, ModelCheckpoint, TensorBoard and CSVLogger run on rank 0 only;
- evaluate and predict run unchanged on each rank (the weights are the same everywhere), and
  print on rank 0 only.

A generator or tf.data input to `fit` is not sharded: give each rank its own share
(`shard_dataset`) and the same number of steps. Wrap the optimizer before the first `compile`:
the copy starts with fresh optimizer state.
"""
import warnings

import numpy as np

from tfgraph.distribute import (Average, Max, Min, Sum, allgather, allreduce,  # noqa: F401
                                broadcast, init, local_rank, local_size, rank, shard_arrays,
                                shard_dataset, shard_range, size)
from tfgraph.distribute.optimizer import allreduce_gradients
from tfgraph.ops import collective_ops
from tfgraph_keras.callbacks.csv_logger import CSVLogger
from tfgraph_keras.callbacks.model_checkpoint import ModelCheckpoint
from tfgraph_keras.callbacks.progbar import ProgbarLogger
from tfgraph_keras.callbacks.tensorboard import TensorBoard
from tfgraph_keras.distribute import callbacks  # noqa: F401 - dist.callbacks.*, as horovod.keras
from tfgraph_keras.distribute.callbacks import (BroadcastGlobalVariablesCallback,
                                                MetricAverageCallback)

# callbacks that write files or the terminal: rank 0's alone are kept
RANK0_ONLY = (ModelCheckpoint, TensorBoard, CSVLogger, ProgbarLogger)


class _Distribution:
    """What `fit` asks of a distributed optimizer (see tfgraph_keras/engine/training.py)."""

    def __init__(self, op, fusion_threshold, sparse_as_dense):
        self.op = op
        self.fusion_threshold = fusion_threshold
        self.sparse_as_dense = sparse_as_dense
        self.world = collective_ops.get_world()

    def shard(self, xs, ys, sws):
        """This rank's equal block of every array (the last n % size samples are not used)."""
        n = len(xs[0]) if xs else len(ys[0])
        size, rank = self.world.size, self.world.rank
        if n % size and rank == 0:
            warnings.warn("fit: %d samples over %d ranks: the last %d are not used so that every "
                          "rank runs the same number of steps." % (n, size, n % size),
                          stacklevel=3)
        m = n // size
        if m == 0:
            raise ValueError("fit: %d samples cannot be shared by %d ranks" % (n, size))
        cut = lambda arrays: [a[rank * m:(rank + 1) * m] for a in arrays]  # noqa: E731
        return cut(xs), cut(ys), cut(sws)

    def fit_callbacks(self, user_callbacks, verbose):
        cbs = list(user_callbacks or [])
        if not any(isinstance(c, BroadcastGlobalVariablesCallback) for c in cbs):
            cbs.insert(0, BroadcastGlobalVariablesCallback(0))
        if self.world.rank != 0:
            cbs = [c for c in cbs if not isinstance(c, RANK0_ONLY)]
            verbose = 0
        return cbs, verbose

    def verbose(self, verbose):
        """evaluate's and predict's verbosity: rank 0's alone prints."""
        return verbose if self.world.rank == 0 else 0

    def reduce_sums(self, loss_sums, seen, stats):
        """The per-batch running sums of every rank added up (one small allreduce)."""
        buf = np.array(list(loss_sums) + [seen] + list(stats), np.float64)
        self.world.allreduce(buf, "Sum", "fit's metric sums")
        k = len(loss_sums)
        return list(buf[:k]), float(buf[k]), list(buf[k + 1:])


class _DistributedMixin:
    """Overrides of a Keras optimizer: the gradients are reduced across ranks."""

    def get_gradients(self, loss, params):
        grads = self._loss_gradients(loss, params)
        d = self._distribution
        with loss.graph.name_scope("DistributedAllreduce"):
            grads = allreduce_gradients(grads, params, d.op, d.fusion_threshold,
                                        d.sparse_as_dense)
        return self._update_gradients(grads, params)   # gathered slices: Keras 3's squares

    def apply_gradients(self, grads_and_vars, name=None):
        grads_and_vars = [(g, v) for g, v in grads_and_vars if g is not None]
        d = self._distribution
        grads = allreduce_gradients([g for g, _ in grads_and_vars],
                                    [v for _, v in grads_and_vars], d.op, d.fusion_threshold,
                                    d.sparse_as_dense)
        return super().apply_gradients(list(zip(grads, [v for _, v in grads_and_vars])), name)


def DistributedOptimizer(optimizer, op=Average, fusion_threshold=None, sparse_as_dense=False):
    """A copy of the Keras `optimizer` (same class name and config) whose gradients are averaged
    (op=Average) or summed over ranks in a few fused buffers before each update."""
    from tfgraph_keras import optimizers
    optimizer = optimizers.get(optimizer)
    collective_ops._check_reduction(op)
    cls = type(type(optimizer).__name__, (_DistributedMixin, type(optimizer)),
               {"__module__": type(optimizer).__module__})
    wrapped = cls.from_config(optimizer.get_config())
    wrapped._distribution = _Distribution(op, fusion_threshold, sparse_as_dense)
    return wrapped


__all__ = ["Average", "Sum", "Min", "Max", "init", "rank", "size", "local_rank", "local_size",
           "allreduce", "allgather", "broadcast", "shard_range", "shard_arrays", "shard_dataset",
           "DistributedOptimizer", "BroadcastGlobalVariablesCallback", "MetricAverageCallback"]
