"""Callbacks of horovod.keras (`dist.callbacks.BroadcastGlobalVariablesCallback(0)`, ...)."""
import numpy as np

from tfgraph.distribute.optimizer import broadcast_variables
from tfgraph.ops import collective_ops
from tfgraph_keras import backend
from tfgraph_keras.callbacks.callback import Callback


class BroadcastGlobalVariablesCallback(Callback):
    """Sets the model's weights and its optimizer's state to root_rank's when training starts
    (once per model), so every rank starts alike."""

    def __init__(self, root_rank=0):
        super().__init__()
        self.root_rank = root_rank
        self._done = set()

    def on_train_begin(self, logs=None):
        model = self.model
        if id(model) in self._done:
            return
        variables = list(model.weights)
        opt = getattr(model, "optimizer", None)
        if opt is not None:
            seen = {id(v) for v in variables}
            variables += [v for v in opt._all_variables if id(v) not in seen]
        graph = model._graph
        with graph.as_default():
            op = broadcast_variables(variables, self.root_rank, name="broadcast_model")
        sess = backend.get_session(graph)
        backend.initialize_variables(variables, sess)
        sess.run(op)
        self._done.add(id(model))


class MetricAverageCallback(Callback):
    """Averages the epoch's numeric logs over ranks (horovod.keras's callback). `fit` with a
    DistributedOptimizer already logs metrics over every rank's samples; this keeps Horovod
    scripts working and averages values that callbacks before it added."""

    def on_epoch_end(self, epoch, logs=None):
        if not logs:
            return
        keys = sorted(k for k, v in logs.items() if isinstance(v, (int, float, np.number)))
        buf = np.array([float(logs[k]) for k in keys], np.float64)
        collective_ops.get_world().allreduce(buf, "Average", "MetricAverageCallback")
        for k, v in zip(keys, buf):
            logs[k] = float(v)
