"""Keras 3's customizable training step: `train_step` / `test_step` / `predict_step`,
`compute_loss` / `compute_metrics`, the `metrics` property, on tfgraph's compiled plans.

How it runs (what differs from Keras): there is no eager execution. `fit` builds placeholders
shaped like the first batch (batch dimension free), calls `model.train_step(data)` ONCE on them
(the step is traced into the model's graph), and then runs the traced step as one session
callable per batch. So inside a step:

- gradients come from a graph call: `tfgraph_keras.backend.gradients(loss, variables)`, or a
  TF2-style `with tf.GradientTape() as tape: ...; tape.gradient(loss, variables)` (`import
  tfgraph as tf`: a graph-mode tape over `tf.gradients`);
- `self.optimizer.apply(grads, variables)` / `apply_gradients(zip(grads, variables))` return the
  update op, which the traced step runs every batch (several optimizers in one step work);
- `metric.update_state(...)` on symbolic tensors adds the metric's batch statistics to the step;
  `metric.result()` stands for the metric's value after each batch; `{name: tensor}` in the
  returned logs is that tensor's value for the batch (epoch logs are the last batch's logs,
  as in Keras);
- Python control flow runs once, at trace time: branch on tensors with `keras.ops.cond`;
- layers called without `training=` run in inference mode (Keras 3 too); the default steps pass
  `training=True` / `False` as Keras's do.

The default steps follow Keras 3.15: `train_step` calls `self(x, training=True)`, the loss from
`compute_loss` (compiled losses + `self.losses`), tracked by a `Mean` named 'loss' weighted by
the batch size, and returns `compute_metrics(...)`, i.e. `{m.name: m.result() for m in
self.metrics}`. Metrics are reset at the start of every epoch and of evaluate.
"""
import inspect
import math
import warnings

import numpy as np

import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras import losses as losses_mod
from tfgraph_keras import metrics as metrics_mod
from tfgraph_keras.engine import data as data_mod
from tfgraph_keras.engine import step_context

_STEP_METHODS = ("train_step", "test_step", "predict_step", "compute_loss", "compute_metrics")


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from what a dataset yields: x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, "
                     "sample_weight)`, found: %s" % (data,))


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    if y is None:
        return x if not isinstance(x, (list, tuple)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


# -- nested structures of arrays / tensors
def _leaves(s):
    if s is None:
        return []
    if isinstance(s, dict):
        return [v for k in sorted(s) for v in _leaves(s[k])]
    if isinstance(s, (list, tuple)):
        return [v for e in s for v in _leaves(e)]
    return [s]


def _map(fn, s):
    if s is None:
        return None
    if isinstance(s, dict):  # in _leaves' order
        return {k: _map(fn, s[k]) for k in sorted(s)}
    if isinstance(s, (list, tuple)):
        return type(s)(_map(fn, e) for e in s)
    return fn(s)


def _as_arrays(s):
    return _map(lambda a: a if isinstance(a, np.ndarray) else np.asarray(a), s)


def _placeholder(a, name):
    dtype = a.dtype
    if dtype.kind in "UO":
        return tf.placeholder(tf.string, (None,) + a.shape[1:], name=name)
    if dtype.kind == "f":
        dtype = np.dtype(backend.floatx())
    return tf.placeholder(tf.as_dtype(dtype), (None,) + a.shape[1:], name=name)


class StepMixin:
    """Keras 3's overridable step methods, mixed into Model (see the module docstring)."""

    # -- the default steps (Keras 3.15's)
    def train_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self._step_call(x, True)
        loss = _compute_loss(self, x, y, y_pred, sample_weight, True)
        self._loss_tracker_for_step().update_state(loss, sample_weight=_batch_size_of(x))
        weights = self.trainable_weights
        if weights:
            grads = tf.gradients(loss, weights)
            self.optimizer.apply_gradients(zip(grads, weights))
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self._step_call(x, False)
        loss = _compute_loss(self, x, y, y_pred, sample_weight, False)
        self._loss_tracker_for_step().update_state(loss, sample_weight=_batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self._step_call(x, False)

    def _step_call(self, x, training):
        """self(x, training=...); the model's own input tensors give its built outputs (the
        losses and metric updates its call added stay valid)."""
        own = list(getattr(self, "inputs", None) or [])
        flat = _leaves(x)
        if own and self.outputs and len(flat) == len(own) and \
                {id(a) for a in flat} == {id(b) for b in own}:
            trace = step_context.current()
            if trace is not None:
                trace.own_inputs = True
            outs = list(self.outputs)
            return outs[0] if len(outs) == 1 else outs
        if "training" in self._call_params():
            return self(x, training=training)
        return self(x)

    # -- losses and metrics
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled losses on (y, y_pred) plus the model's `losses` (add_loss)."""
        terms = []
        compiled = self._compiled_loss(y, y_pred, sample_weight)
        if compiled is not None:
            terms.append(compiled)
        terms.extend(tf.cast(lo, backend.floatx()) for lo in self.losses)
        if not terms:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return terms[0] if len(terms) == 1 else tf.add_n(terms)

    def _compiled_loss(self, y, y_pred, sample_weight):
        args = self._compile_args or {}
        loss = args.get("loss")
        if loss is None or y is None:
            return None
        preds = _leaves(y_pred)
        ys = _leaves(y)
        fns = self._step_per_output(loss, len(preds))
        lw = args.get("loss_weights")
        weights = [1.0] * len(preds) if lw is None else (
            [float(lw.get(n, 1.0)) for n in self._step_output_names(len(preds))]
            if isinstance(lw, dict) else [float(w) for w in lw])
        sws = [sample_weight] * len(preds) if not isinstance(sample_weight, (list, tuple)) \
            else list(sample_weight)
        terms = []
        for fn, t, p, sw, w in zip(fns, ys, preds, sws, weights):
            if fn is None:
                continue
            fn = losses_mod.get(fn)
            per = losses_mod.per_sample_fn(fn)(tf.cast(t, p.dtype) if not
                                               losses_mod.is_sparse(fn) else t, p)
            if sw is not None:
                sw = tf.cast(sw, per.dtype)
                for _ in range(max(0, (per.shape.ndims or 1) - (sw.shape.ndims or 1))):
                    sw = tf.expand_dims(sw, -1)
                per = per * sw
            size = tf.cast(tf.reduce_prod(tf.shape(per)), per.dtype)
            term = tf.reduce_sum(per) / size
            terms.append(term * w if w != 1.0 else term)
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else tf.add_n(terms)

    @property
    def compiled_loss(self):
        """Keras 2's `self.compiled_loss(y, y_pred, sample_weight, regularization_losses)` (kept
        by Keras 3 with a deprecation warning): the compiled losses, plus the given ones."""
        warnings.warn("`model.compiled_loss()` is deprecated. Instead, use `model.compute_loss"
                      "(x, y, y_pred, sample_weight, training)`.", DeprecationWarning,
                      stacklevel=2)

        def compiled_loss(y, y_pred, sample_weight=None, regularization_losses=None):
            terms = [self._compiled_loss(y, y_pred, sample_weight)]
            terms += [tf.cast(lo, backend.floatx()) for lo in regularization_losses or []]
            terms = [t for t in terms if t is not None]
            if not terms:
                raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
            return terms[0] if len(terms) == 1 else tf.add_n(terms)
        return compiled_loss

    @property
    def compiled_metrics(self):
        """Keras 2's `self.compiled_metrics.update_state(y, y_pred)` (deprecated in Keras 3)."""
        warnings.warn("`model.compiled_metrics()` is deprecated. Instead, use e.g.: `for metric "
                      "in self.metrics: metric.update_state(y, y_pred)`", DeprecationWarning,
                      stacklevel=2)
        return CompileMetrics(self)

    def _step_output_names(self, n):
        names = list(getattr(self, "output_names", None) or [])
        return names if len(names) == n else ["output_%d" % (i + 1) for i in range(n)]

    def _step_per_output(self, value, n):
        if isinstance(value, dict):
            return [value.get(k) for k in self._step_output_names(n)]
        if isinstance(value, (list, tuple)) and n > 1:
            return list(value)
        return [value] * n

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics with (y, y_pred); returns `get_metrics_result()`."""
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _has_compiled_metrics(self):
        args = self._compile_args or {}
        return bool(args.get("metrics") or args.get("weighted_metrics"))

    def _update_compiled_metrics(self, y, y_pred, sample_weight=None):
        preds = _leaves(y_pred)
        if y is not None and self._has_compiled_metrics():
            entries = self._step_compiled_metrics(preds)
            ys = _leaves(y)
            sws = [sample_weight] * len(preds) if not isinstance(sample_weight, (list, tuple)) \
                else list(sample_weight)
            for i, metric, weighted in entries:
                metric.update_state(ys[i], preds[i], sws[i] if weighted else None)

    def _step_compiled_metrics(self, preds):
        """[(output index, Metric, weighted)], made once per compile with Keras 3's names."""
        cached = self.__dict__.get("_step_metric_entries")
        if cached is not None:
            return cached
        args = self._compile_args
        n = len(preds)
        names = self._step_output_names(n)
        loss_fns = self._step_per_output(args.get("loss"), n)
        entries, taken = [], set()
        for i in range(n):
            prefix = names[i] + "_" if n > 1 else ""
            specs = [(m, False) for m in _per_output_list(args.get("metrics"), names, i, n)] + \
                [(m, True) for m in _per_output_list(args.get("weighted_metrics"), names, i, n)]
            for spec, weighted in specs:
                fn = losses_mod.get(loss_fns[i]) if loss_fns[i] is not None else None
                metric = metrics_mod.resolve(spec, fn, preds[i].shape.as_list())
                named = weighted and not isinstance(spec, metrics_mod.Metric)
                name = base = prefix + ("weighted_" if named else "") + metric.name
                k = 0
                while name in taken:
                    k += 1
                    name = "%s_%d" % (base, k)
                taken.add(name)
                metric._log_name = name
                entries.append((i, metric, weighted))
        self._step_metric_entries = entries
        return entries

    def _loss_tracker_for_step(self):
        tracker = self.__dict__.get("_loss_tracker")
        if tracker is None:
            tracker = self._loss_tracker = metrics_mod.Mean(name="loss")
        return tracker

    @property
    def metrics(self):
        """Keras 3's list: the loss tracker and compiled metrics (once compiled), then the
        Metric objects held by the model and its layers (not those of nested models)."""
        out = []
        if self._compile_args is not None:
            out.append(self._loss_tracker_for_step())
            if self._has_compiled_metrics():
                out.append(CompileMetrics(self))
        for m in _tracked_metrics(self):
            if not any(m is o for o in out):
                out.append(m)
        return out

    def get_metrics_result(self):
        """{name: result} of every metric in `self.metrics` (compiled metrics flattened)."""
        logs = {}
        for m in self.metrics:
            if isinstance(m, CompileMetrics):
                logs.update(m.result())
            else:
                logs[m.name] = m.result()
        return logs

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def _uses_custom_step(self):
        """Whether fit/evaluate/predict run through traced steps: an overridden step method, a
        compile() without a loss (add_loss models), or metrics updated inside call."""
        cls = type(self)
        if any(getattr(cls, name) is not getattr(StepMixin, name) for name in _STEP_METHODS):
            return True
        if self._compile_args is not None and self._compile_args.get("loss") is None:
            return True
        if not step_context.metric_updates_in_calls:
            return False
        return any(m.__dict__.get("_graph_updates") for m in _tracked_metrics(self))


class CompileMetrics:
    """The metrics given to compile(), as one entry of `model.metrics` (Keras 3's): its
    update_state(y, y_pred) updates them all, its result() is {name: result}."""

    name = "compile_metrics"

    def __init__(self, model):
        self._model = model

    @property
    def metrics(self):
        compiled = getattr(self._model, "_compiled", None)
        out = [m for _, m, _ in compiled.metrics] if compiled is not None else []
        return out + [m for _, m, _ in self._model.__dict__.get("_step_metric_entries") or []]

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._model._update_compiled_metrics(y_true, y_pred, sample_weight)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def result(self):
        return {getattr(m, "_log_name", m.name): m.result() for m in self.metrics}


def store_totals(model, compiled, loss_sum, seen, stats):
    """After a plain fit/evaluate: the epoch's sums put into the Metric objects, so that
    `model.metrics[i].result()` gives the logged values, as Keras's metric variables do."""
    model._loss_tracker_for_step()._totals = np.array([loss_sum, seen], np.float64)
    k = 0
    for _, metric, tensors in compiled.metrics:
        values = [np.asarray(v, np.float64) for v in stats[k:k + len(tensors)]]
        k += len(tensors)
        if isinstance(metric._totals, np.ndarray):
            metric._totals = np.array([float(v) for v in values])
        else:
            metric._totals = values


def _per_output_list(metrics, names, i, n):
    if metrics is None:
        return []
    if isinstance(metrics, dict):
        v = metrics.get(names[i])
        return [] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])
    metrics = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
    if n > 1 and len(metrics) == n and all(isinstance(m, (list, tuple)) or m is None
                                           for m in metrics):
        v = metrics[i]
        return [] if v is None else list(v)
    return metrics


def _tracked_metrics(layer, seen=None):
    """Metric attributes of a layer and its sublayers (nested models keep theirs)."""
    from tfgraph_keras.layers.base_layer import Layer
    seen = set() if seen is None else seen
    if id(layer) in seen:
        return []
    seen.add(id(layer))
    out = []
    for key, v in list(vars(layer).items()):
        if key in ("_loss_tracker", "_step_metric_entries"):
            continue
        items = v if isinstance(v, (list, tuple)) else [v]
        for e in items:
            if isinstance(e, metrics_mod.Metric):
                out.append(e)
            elif isinstance(e, Layer) and e is not layer and not isinstance(e, StepMixin):
                out.extend(_tracked_metrics(e, seen))
    return out


def _compute_loss(model, x, y, y_pred, sample_weight, training):
    """model.compute_loss(...), with `training=` only where the override takes it (Keras 3)."""
    kwargs = dict(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
    params = inspect.signature(model.compute_loss).parameters
    if "training" in params or any(p.kind == p.VAR_KEYWORD for p in params.values()):
        kwargs["training"] = training
    return model.compute_loss(**kwargs)


def _batch_size_of(x):
    first = next(t for t in _leaves(x) if t is not None)
    return tf.cast(tf.shape(first)[0], backend.floatx())


# -- tracing and running
class _TracedStep:
    """One traced step: its feeds, its fetches and how to turn them into logs."""

    def __init__(self, model, kind, x, y, sw):
        self.kind = kind
        graph = _model_graph(model)
        self.graph = graph
        trace = step_context.StepTrace()
        trace.own_inputs = False
        with graph.as_default():
            xp = self._inputs(model, x)
            yp = _map(lambda a: _placeholder(a, "step_y"), y)
            sp = _map(lambda a: tf.placeholder(backend.floatx(), (None,) + a.shape[1:],
                                               name="step_sample_weight"), sw)
            data = pack_x_y_sample_weight(xp, yp, sp)
            before = {id(u) for u in model.updates}
            step_context.push(trace)
            try:
                out = getattr(model, kind + "_step")(data)
            finally:
                step_context.pop()
            new_updates = [u for u in model.updates if id(u) not in before]
        self.feeds = _leaves(xp) + _leaves(yp) + _leaves(sp)
        self.structure = (x, y, sw)
        metric_updates = list(trace.metric_updates)
        if trace.own_inputs:
            # metrics updated in the model's call when it was built (Keras 3's in-call metrics)
            for m in _tracked_metrics(model):
                for stats in m.__dict__.get("_graph_updates") or []:
                    if stats and stats[0].graph is graph:  # not a numpy call's private graph
                        metric_updates.append((m, stats))
        self.metric_updates = metric_updates
        self.out = out
        fetch_tensors = []
        if kind == "predict":
            self.out_leaves = _leaves(out)
            fetch_tensors = list(self.out_leaves)
        else:
            if not isinstance(out, dict):
                raise TypeError("`%s` must return a dict of logs ({name: value}); received %r"
                                % (kind + "_step", type(out)))
            self.log_items = []
            items = []
            for k, v in out.items():  # {"compile_metrics": {...}} logs flattened, as Keras's
                items.extend(v.items() if isinstance(v, dict) else [(k, v)])
            for k, v in items:
                if isinstance(v, step_context.MetricResult):
                    self.log_items.append((k, "metric", v.metric))
                elif isinstance(v, (tf.Tensor, tf.Variable)):
                    self.log_items.append((k, "tensor", len(fetch_tensors)))
                    fetch_tensors.append(v)
                else:
                    self.log_items.append((k, "const", v))
        self.n_out = len(fetch_tensors)
        for _, stats in self.metric_updates:
            fetch_tensors.extend(stats)
        ops = list(trace.update_ops) + (list(new_updates) if kind == "train" else [])
        ops = [u.op if isinstance(u, tf.Tensor) else u for u in ops]
        sess = backend.get_session(graph)
        with graph.as_default():
            variables = tf.global_variables()
        backend.initialize_variables(variables, sess)
        feeds = list(self.feeds)
        phase = backend._graph_learning_phase(graph)
        self.feed_phase = kind == "train" and trace.own_inputs and phase is not None
        if self.feed_phase:
            feeds.append(phase)
        call = sess.make_callable([fetch_tensors, ops], feeds)
        if self.feed_phase:
            self.call = lambda *a: call(*a, True)[0]
        else:
            self.call = lambda *a: call(*a)[0]

    @staticmethod
    def _inputs(model, x):
        own = list(getattr(model, "inputs", None) or [])
        names = list(getattr(model, "input_names", None) or [])
        if isinstance(x, dict) and own and model.outputs and sorted(x) == sorted(names):
            # inputs fed by name: each key to the Input of that name
            own = [own[names.index(k)] for k in sorted(x)]
        leaves = _leaves(x)
        if own and model.outputs and len(own) == len(leaves) and all(
                a.shape[1:] == tuple(t.shape.as_list()[1:]) or None in t.shape.as_list()[1:]
                for a, t in zip(leaves, own)):
            # the model's own Input tensors: its built outputs, losses and in-call metrics
            it = iter(own)
            return _map(lambda a: next(it), x)
        return _map(lambda a: _placeholder(a, "step_x"), x)

    def feed_values(self, x, y, sw):
        values = []
        for a, t in zip(_leaves(x) + _leaves(y) + _leaves(sw), self.feeds):
            a = np.asarray(a)
            want = t.dtype.np
            values.append(a if a.dtype == want or want.kind == "O" else a.astype(want))
        return values

    def run(self, x, y, sw):
        values = self.call(*self.feed_values(x, y, sw))
        k = self.n_out
        for metric, stats in self.metric_updates:
            metric.accumulate(values[k:k + len(stats)])
            k += len(stats)
        if self.kind == "predict":
            return values[:self.n_out]
        logs = {}
        for name, how, v in self.log_items:
            if how == "metric":
                logs[name] = _plain(v.result())
            elif how == "tensor":
                logs[name] = _plain(values[v])
            else:
                logs[name] = v
        return logs


def _plain(v):
    a = np.asarray(v)
    return float(a) if a.ndim == 0 and a.dtype.kind in "fiub" else a


def _model_graph(model):
    weights = model.weights
    if weights:
        return weights[0].graph
    g = getattr(model, "_graph", None)
    return g if g is not None else tf.get_default_graph()


def _signature(x, y, sw):
    return tuple((a.dtype.str, a.shape[1:]) for a in _leaves(x) + _leaves(y) + _leaves(sw)) + (
        y is None, sw is None)


def _step(model, kind, x, y, sw):
    cache = model.__dict__.setdefault("_traced_steps", {})
    key = (kind, _signature(x, y, sw))
    step = cache.get(key)
    if step is None:
        if kind == "train" and model.optimizer is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        with backend._LOCK:
            step = cache[key] = _TracedStep(model, kind, x, y, sw)
    return step


# -- data
def _array_batches(x, y, sw, batch_size, shuffle, steps=None):
    n = len(_leaves(x)[0])
    if n == 0:
        raise ValueError("Expected input data to be non-empty.")
    index = data_mod.batch_indices(n, batch_size, shuffle)
    if steps is not None:
        index = [index[i % len(index)] for i in range(steps)]
    for idx in index:
        yield _map(lambda a: a[idx], x), _map(lambda a: a[idx], y), _map(lambda a: a[idx], sw)


def _sample_weights(y, sample_weight, class_weight):
    if sample_weight is not None:
        return _as_arrays(sample_weight)
    if class_weight is not None and y is not None:
        ys = _leaves(y)
        if len(ys) != 1:
            raise ValueError("`class_weight` is only supported for Models with a single output.")
        return data_mod.class_weights_to_sample_weights(ys[0], class_weight)
    return None


class _Source:
    """The batches of one fit/evaluate/predict call: arrays or a generator/Dataset/Sequence."""

    def __init__(self, x, y, sample_weight, class_weight, batch_size, shuffle, steps):
        self.feeder = None
        if data_mod.is_generator_like(x):
            self.feeder = data_mod.GeneratorFeeder(x, steps, shuffle=shuffle)
            self.steps = self.feeder.steps
            self.class_weight = class_weight
            return
        self.x, self.y = _as_arrays(x), _as_arrays(y)
        self.sw = _sample_weights(self.y, sample_weight, class_weight)
        self.batch_size, self.shuffle, self.steps_arg = batch_size, shuffle, steps
        n = len(_leaves(self.x)[0]) if _leaves(self.x) else 0
        self.n = n
        self.steps = steps or int(math.ceil(n / batch_size))

    def batches(self):
        if self.feeder is None:
            return _array_batches(self.x, self.y, self.sw, self.batch_size, self.shuffle,
                                  self.steps_arg)
        return self._generator_batches()

    def _generator_batches(self):
        for x, y, sw in self.feeder.epoch():
            x, y = _as_arrays(x), _as_arrays(y)
            yield x, y, _sample_weights(y, sw, self.class_weight)


def _run(model, kind, batches, callbacks=None, hook=None):
    logs = {}
    begin = end = None
    if callbacks is not None:
        begin = callbacks.batch_hook("on_%s_batch_begin" % hook)
        end = callbacks.batch_hook("on_%s_batch_end" % hook)
    seen = 0
    for step, (x, y, sw) in enumerate(batches):
        if begin is not None:
            begin(step, {})
        logs = _step(model, kind, x, y, sw).run(x, y, sw)
        seen += 1
        if end is not None:
            end(step, logs)
        if kind == "train" and model.stop_training:
            break
    if not seen:
        raise ValueError("`%s` received no batches: expected input data to be non-empty."
                         % {"train": "fit", "test": "evaluate"}.get(kind, kind))
    return logs


def fit(model, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
        shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
        validation_batch_size, validation_freq):
    """Model.fit through the traced train_step (and test_step for validation)."""
    from tfgraph_keras.callbacks.callback_list import CallbackList
    val = None
    if validation_split and validation_data is None and not data_mod.is_generator_like(x):
        xs, ys = _as_arrays(x), _as_arrays(y)
        n = len(_leaves(xs)[0])
        cut = int(n * (1.0 - validation_split))
        x = _map(lambda a: a[:cut], xs)
        val = (_map(lambda a: a[cut:], xs), _map(lambda a: a[cut:], ys))
        y = _map(lambda a: a[:cut], ys)
        sample_weight = _map(lambda a: np.asarray(a)[:cut], sample_weight)
    elif validation_data is not None:
        val = validation_data if data_mod.is_generator_like(validation_data) else \
            unpack_x_y_sample_weight(tuple(validation_data))
    source = _Source(x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch)
    cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                       verbose=verbose, epochs=epochs, steps=source.steps)
    model.stop_training = False
    cbs.on_train_begin()
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        cbs.on_epoch_begin(epoch)
        logs = dict(_run(model, "train", source.batches(), cbs, "train"))
        if val is not None and (epoch + 1 in validation_freq if not isinstance(
                validation_freq, int) else (epoch + 1) % validation_freq == 0):
            model.reset_metrics()
            vsrc = _val_source(val, validation_batch_size or batch_size, validation_steps)
            val_logs = _run(model, "test", vsrc.batches())
            logs.update({"val_" + k: v for k, v in val_logs.items()})
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return cbs.history


def _val_source(val, batch_size, steps):
    if data_mod.is_generator_like(val):
        return _Source(val, None, None, None, batch_size, False, steps)
    vx, vy, vsw = val if len(val) == 3 else (val[0], val[1], None)
    return _Source(vx, vy, vsw, None, batch_size, False, steps)


def evaluate(model, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
    from tfgraph_keras.callbacks.callback_list import CallbackList
    source = _Source(x, y, sample_weight, None, batch_size, False, steps)
    model.reset_metrics()
    cbs = None
    if callbacks or verbose:
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                           epochs=1, steps=source.steps)
    if cbs is not None:
        cbs.on_test_begin()
    logs = _run(model, "test", source.batches(), cbs, "test")
    if cbs is not None:
        cbs.on_test_end(logs)
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size, steps):
    source = _Source(x, None, None, None, batch_size, False, steps)
    results = [_step(model, "predict", bx, None, None).run(bx, None, None)
               for bx, _, _ in source.batches()]
    if not results:
        raise ValueError("`predict()` received no batches: expected input data to be non-empty.")
    outs = [np.concatenate([r[i] for r in results]) for i in range(len(results[0]))]
    return outs[0] if len(outs) == 1 else outs


def on_batch(model, kind, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
    """train_on_batch / test_on_batch through the traced step (metrics reset per call)."""
    model.reset_metrics()
    x, y = _as_arrays(x), _as_arrays(y)
    sw = _sample_weights(y, sample_weight, class_weight)
    logs = _step(model, kind, x, y, sw).run(x, y, sw)
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values
