"""keras.callbacks.TensorBoard: per-epoch loss/metrics, the model graph and weight histograms.

Runs go to `log_dir/train` and `log_dir/validation` (files `events.out.tfevents.*.v2`). Scalars are
`epoch_loss`, `epoch_<metric>`, `epoch_learning_rate` (train run) with step = epoch, and in the
validation run `epoch_<m>` plus `evaluation_<m>_vs_iterations` with step = training iteration, as
rank-0 float tensors under the scalars plugin. write_graph=True writes both the op graph (Graphs
tab, "op graph") and the Keras model config (the "conceptual graph", tag `keras`). Event files
are encoded by tfgraph.viz (no `tensorboard` package needed to write them).
"""
import os
import time

import numpy as np

from tfgraph.viz import event_file, graph_def_wire, summary_proto
from tfgraph_keras.callbacks.callback import Callback


class TensorBoard(Callback):
    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None, **kwargs):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.update_freq = update_freq
        self._writers = {}
        self._iterations = 0

    def _writer(self, run):
        w = self._writers.get(run)
        if w is None:
            w = self._writers[run] = event_file.EventFileWriter(
                os.path.join(self.log_dir, run), filename_suffix=".v2")
        return w

    def _write(self, run, summary_bytes, step):
        self._writer(run).add_event(event_file.event_bytes(time.time(), step, summary=summary_bytes))

    def on_train_begin(self, logs=None):
        self._iterations = 0
        if self.write_graph and self.model is not None:
            graph = self.model.outputs[0].graph if getattr(self.model, "outputs", None) else None
            if graph is not None:
                self._writer("train").add_event(event_file.event_bytes(
                    time.time(), graph_def=graph_def_wire.graph_def_bytes(graph)))
            try:
                self._write("train", summary_proto.keras_model("keras", self.model.to_json()), 0)
            except (NotImplementedError, TypeError, ValueError):
                pass  # subclassed models without a config have no conceptual graph

    def on_train_batch_end(self, batch, logs=None):
        self._iterations += 1
        if isinstance(self.update_freq, int) and self._iterations % self.update_freq == 0:
            for k, v in (logs or {}).items():
                if _is_number(v):
                    self._write("train", summary_proto.tensor_scalar("batch_" + k, v),
                                self._iterations)

    def on_epoch_end(self, epoch, logs=None):
        train, val = b"", b""
        for k, v in (logs or {}).items():
            if not _is_number(v):
                continue
            if k.startswith("val_"):
                m = k[4:]
                val += summary_proto.tensor_scalar("epoch_" + m, v)
                self._write("validation", summary_proto.tensor_scalar(
                    "evaluation_%s_vs_iterations" % m, v), self._iterations)
            else:
                train += summary_proto.tensor_scalar("epoch_" + k, v)
        lr = self._learning_rate()
        if lr is not None:
            train += summary_proto.tensor_scalar("epoch_learning_rate", lr)
        if train:
            self._write("train", train, epoch)
        if val:
            self._write("validation", val, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            hist = b""
            for w, value in zip(self.model.weights, self.model.get_weights()):
                name = getattr(w, "path", None) or getattr(w, "name", "weight").split(":")[0]
                hist += summary_proto.histogram(name + "/histogram", value)
            if hist:
                self._write("train", hist, epoch)
        for w in self._writers.values():
            w.flush()

    def _learning_rate(self):
        opt = getattr(self.model, "optimizer", None)
        lr = getattr(opt, "learning_rate", None)
        if lr is None:
            return None
        try:
            from tfgraph_keras import backend
            return float(np.asarray(backend.get_value(lr)))
        except Exception:  # a schedule or something get_value cannot read: not logged
            try:
                return float(lr)
            except (TypeError, ValueError):
                return None

    def on_train_end(self, logs=None):
        for w in self._writers.values():
            w.close()
        self._writers = {}


def _is_number(v):
    return isinstance(v, (int, float, np.number)) or (isinstance(v, np.ndarray) and v.size == 1)
