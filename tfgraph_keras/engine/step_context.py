"""The step being traced (a train_step/test_step/predict_step turned into graph ops once).

While a step is traced, `Metric.update_state` on symbolic tensors and `optimizer.apply` register
here (the metric's batch statistics, the update ops); the engine then fetches them from one
session call per batch. Outside a trace a symbolic metric update is kept on the metric itself
(a metric updated inside a layer's `call` while the model is built).
"""
import threading

_LOCAL = threading.local()
# How many metric updates were recorded outside a traced step (metrics updated inside a model's
# call): while 0, no model needs the custom-step path for them, and fit/evaluate/predict skip
# looking for such metrics (a walk over every layer's attributes: ~90 us of a one-sample predict).
metric_updates_in_calls = 0


class StepTrace:
    """What one traced step registered: [(metric, stats tensors)], update ops."""

    def __init__(self):
        self.metric_updates = []
        self.update_ops = []
        self._after = []  # open control_dependencies blocks, one per update op


def current():
    """The StepTrace being built on this thread, or None."""
    stack = getattr(_LOCAL, "stack", None)
    return stack[-1] if stack else None


def push(trace):
    if not hasattr(_LOCAL, "stack"):
        _LOCAL.stack = []
    _LOCAL.stack.append(trace)


def pop():
    trace = _LOCAL.stack.pop()
    for block in reversed(trace._after):
        block.__exit__(None, None, None)
    trace._after = []


def record_metric_update(metric, stats):
    trace = current()
    if trace is not None:
        trace.metric_updates.append((metric, list(stats)))
    else:
        global metric_updates_in_calls
        metric.__dict__.setdefault("_graph_updates", []).append(list(stats))
        metric_updates_in_calls += 1


def record_update_op(op):
    """An optimizer's update op in a traced step. What the step builds afterwards runs after it,
    as it would eagerly: a GAN's generator step sees the discriminator already updated."""
    trace = current()
    if trace is not None:
        trace.update_ops.append(op)
        block = op.graph.control_dependencies([op])
        block.__enter__()
        trace._after.append(block)


class MetricResult:
    """What `metric.result()` gives inside a traced step: the metric's value after each batch,
    read by the engine once the batch's statistics are added to the metric."""

    def __init__(self, metric):
        self.metric = metric

    def __repr__(self):
        return "<result of metric %s>" % self.metric.name
