"""tf.summary (TF1): summary ops producing serialized `Summary` protobufs, and FileWriter.

    loss_s = tf.summary.scalar("loss", loss)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter("logs/run1", sess.graph)
    writer.add_summary(sess.run(merged, feed), global_step=step)
    writer.close()

Summary ops output a scalar string tensor (the Summary bytes). Event files (summaries and the
GraphDef) are encoded by tfgraph/viz/event_file.py and graph_def_wire.py: no protobuf or
tensorboard package is needed to write them.
"""
import time

import numpy as np

from tfgraph.framework import dtypes, errors
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec
from tfgraph.viz import event_file, graph_def_wire, summary_proto


def _bytes(b):
    out = np.empty((), dtype=object)
    out[()] = b
    return out


class _SummaryOp(OpDef):
    stateful = True  # never folded away: a summary reports the value of each run

    def infer(self, *inputs, **attrs):
        return [TensorSpec([], dtypes.string)]


class ScalarSummary(_SummaryOp):
    """Summary with one simple_value."""
    type = "ScalarSummary"
    attrs = {"tag": ""}

    def compute(self, x, *, tag):
        if np.size(x) != 1:
            raise ValueError("tags and values are not the same shape: [] != %s (tag '%s')"
                             % (list(np.shape(x)), tag))
        return _bytes(summary_proto.scalar(tag, np.ravel(x)[0]))


class HistogramSummary(_SummaryOp):
    type = "HistogramSummary"
    attrs = {"tag": ""}

    def compute(self, x, *, tag):
        try:
            return _bytes(summary_proto.histogram(tag, x))
        except ValueError as e:  # a NaN or Inf among the values, as TF words it
            raise errors.InvalidArgumentError(
                None, None, "%s: %s" % (e, tag)) from None


class ImageSummary(_SummaryOp):
    type = "ImageSummary"
    attrs = {"tag": "", "max_images": 3}

    def infer(self, x, *, tag, max_images):
        if x.shape.ndims not in (None, 4):
            raise ValueError("Tensor must be 4-D with last dim 1, 3, or 4, not %s" % (x.shape,))
        return [TensorSpec([], dtypes.string)]

    def compute(self, x, *, tag, max_images):
        return _bytes(summary_proto.image(tag, x, max_images))


class TextSummary(_SummaryOp):
    type = "TensorSummaryV2"
    attrs = {"tag": ""}

    def compute(self, x, *, tag):
        return _bytes(summary_proto.text(tag, x))


class MergeSummary(_SummaryOp):
    """Concatenated Summary bytes: protobuf merges repeated `value` fields by concatenation."""
    type = "MergeSummary"

    def compute(self, *summaries):
        return _bytes(b"".join(bytes(np.asarray(s, dtype=object)[()]) for s in summaries))


def _summary(op_cls, name, tensor, collections, family=None, **attrs):
    graph = get_default_graph()
    scope_name = "%s/%s" % (family, name) if family else name
    with graph.name_scope(scope_name) as scope:
        tag = scope.rstrip("/")
        out = op_cls.apply(tensor, tag=tag, name=scope, **attrs)
    for key in (collections if collections is not None else [GraphKeys.SUMMARIES]):
        graph.add_to_collection(key, out)
    return out


def scalar(name, tensor, collections=None, family=None):
    """tf.summary.scalar: a Summary with the scalar value of `tensor` under tag `name`."""
    return _summary(ScalarSummary, name, tensor, collections, family)


def histogram(name, values, collections=None, family=None):
    """tf.summary.histogram: a histogram of `values` (any shape)."""
    return _summary(HistogramSummary, name, values, collections, family)


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """tf.summary.image: PNGs of a [batch, height, width, channels] tensor (channels 1, 3 or 4)."""
    return _summary(ImageSummary, name, tensor, collections, family, max_images=max_outputs)


def text(name, tensor, collections=None):
    """tf.summary.text: a string tensor shown in TensorBoard's Text tab."""
    return _summary(TextSummary, name, tensor, collections)


def merge(inputs, collections=None, name=None):
    """tf.summary.merge: one Summary holding the values of all `inputs`."""
    out = MergeSummary.apply(*inputs, name=name or "Merge/MergeSummary")
    for key in collections or []:
        get_default_graph().add_to_collection(key, out)
    return out


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """tf.summary.merge_all: merges every summary in collection `key`; None when there are none."""
    summaries = get_default_graph().get_collection(key, scope=scope)
    return merge(summaries, name=name) if summaries else None


class FileWriter:
    """tf.summary.FileWriter: writes TensorBoard event files to `logdir`."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        self._logdir = str(logdir)
        self._args = (max_queue, flush_secs, filename_suffix)
        self._writer = event_file.EventFileWriter(self._logdir, *self._args)
        self._closed = False
        if graph is not None or graph_def is not None:
            self.add_graph(graph if graph is not None else graph_def)

    def get_logdir(self):
        return self._logdir

    def add_event(self, event):
        """Writes an Event: a protobuf, or its serialized bytes."""
        self._writer.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Writes Summary bytes (what sess.run of a summary op returns) or a Summary protobuf."""
        if hasattr(summary, "SerializeToString"):
            summary = summary.SerializeToString()
        elif isinstance(summary, np.ndarray):
            summary = summary[()]
        self.add_event(event_file.event_bytes(time.time(), global_step or 0, summary=summary))

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Writes the graph (a tfgraph Graph, or a Session's graph) for TensorBoard's Graphs tab."""
        graph = getattr(graph, "graph", graph) if not hasattr(graph, "get_operations") else graph
        self.add_event(event_file.event_bytes(time.time(), global_step or 0,
                                              graph_def=graph_def_wire.graph_def_bytes(graph)))

    def flush(self):
        self._writer.flush()

    def close(self):
        if not self._closed:
            self._writer.close()
            self._closed = True

    def reopen(self):
        if self._closed:
            self._writer = event_file.EventFileWriter(self._logdir, *self._args)
            self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ["scalar", "histogram", "image", "text", "merge", "merge_all", "FileWriter"]
