"""Keras compile utilities: what `compile` records and the graph pieces built once from it.

`CompileMixin.compile` records the optimizer, losses and metrics; as soon as the model is built,
`_Compiled` builds, once and in the model's own graph, the target and sample-weight placeholders,
the weighted loss, the metric statistics and the optimizer's update ops; `_function(kind)` makes
each of train/test/predict one cached `Session.make_callable`, called once per batch.
"""


import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras import losses as losses_mod
from tfgraph_keras import metrics as metrics_mod
from tfgraph_keras import optimizers as optimizers_mod



class _Compiled:
    """The graph pieces compile() builds: placeholders, loss, metric statistics, update ops."""

    def __init__(self, model, loss_fns, loss_weights, metric_lists, weighted_metric_lists):
        graph = model._graph
        self.graph = graph
        outputs = model.outputs
        self.n_out = len(outputs)
        self.sparse = [losses_mod.is_sparse(fn) for fn in loss_fns]
        self.loss_fns = loss_fns
        self.targets, self.sample_weights = [], []
        self.output_losses = []
        with graph.as_default(), graph.name_scope(None):
            for i, (out, fn) in enumerate(zip(outputs, loss_fns)):
                if fn is None:
                    self.targets.append(None)
                    self.sample_weights.append(None)
                    continue
                shape = out.shape.as_list()
                if self.sparse[i]:
                    shape = shape[:-1]
                name = model.output_names[i]
                with graph.name_scope(None):
                    t = tf.placeholder(backend.floatx(), [None] + shape[1:],
                                       name=name + "_target")
                    sw = tf.placeholder(backend.floatx(), [None], name=name + "_sample_weights")
                self.targets.append(t)
                self.sample_weights.append(sw)
                with graph.name_scope("loss"):
                    per = losses_mod.per_sample_fn(fn)(t, out)
                    w = sw
                    for _ in range(max(0, (per.shape.ndims or 1) - 1)):
                        w = tf.expand_dims(w, -1)
                    mask = getattr(out, "_keras_mask", None)
                    if mask is not None:
                        w = w * losses_mod.mask_weights(mask, per)
                    size = tf.cast(tf.reduce_prod(tf.shape(per)), per.dtype)
                    self.output_losses.append(tf.reduce_sum(per * w) / size)
            terms = [lw * lo if lw != 1.0 else lo
                     for lw, lo in zip(loss_weights, self.output_losses)]
            with graph.name_scope("loss"):
                total = terms[0] if len(terms) == 1 else tf.add_n(terms)
                reg = [tf.cast(r, total.dtype) for r in fed_only(model, model.losses)]
                if reg:
                    total = total + tf.add_n(reg)
            self.total_loss = total
            # metrics: (log name, Metric, stats tensors)
            self.metrics = []
            live = [i for i in range(self.n_out) if loss_fns[i] is not None]
            for i in live:
                prefix = model.output_names[i] + "_" if len(live) > 1 else ""
                out = outputs[i]
                for spec, weighted in [(m, False) for m in metric_lists[i]] + \
                        [(m, True) for m in weighted_metric_lists[i]]:
                    metric = metrics_mod.resolve(spec, loss_fns[i], out.shape.as_list())
                    with graph.name_scope("metrics"):
                        stats = metric.stats(self.targets[i], out,
                                             self.sample_weights[i] if weighted else None)
                    # Keras 3 prefixes the metrics it names (from strings), not Metric objects
                    named = weighted and not isinstance(spec, metrics_mod.Metric)
                    name = prefix + ("weighted_" if named else "") + metric.name
                    self.metrics.append((_unique(name, self.metrics), metric, stats))
        self.stat_tensors = [s for _, _, stats in self.metrics for s in stats]
        # per-threshold or per-class statistics (AUC, F1Score ...) are summed as arrays
        self.vector_stats = any(t.shape.ndims != 0 for t in self.stat_tensors)
        self.loss_names = ["loss"] + ([model.output_names[i] + "_loss" for i in live]
                                      if len(live) > 1 else [])
        self.loss_tensors = [self.total_loss] + (self.output_losses if len(live) > 1 else [])
        self.live = live
        self.updates = None
        self.fns = {}

    def build_updates(self, model):
        if self.updates is None:
            params = model.trainable_weights
            with self.graph.as_default():
                updates = model.optimizer.get_updates(self.total_loss, params) if params else []
                self.updates = list(updates) + fed_only(model, model.updates)
        return self.updates


def fed_only(model, items):
    """The updates/losses that `model`'s inputs determine. A layer first called elsewhere (a
    base model called on new inputs, as in transfer learning) keeps the updates and activity
    losses of that first call, which read placeholders this model never feeds; Keras leaves
    those out too (updates and losses are conditional on a call's inputs)."""
    fed = {id(t.op) for t in model.inputs}
    unfed = {}

    def reads_unfed(op):
        key = id(op)
        if key not in unfed:
            unfed[key] = False  # also guards against cycles
            if op.type == "Placeholder":
                unfed[key] = key not in fed
            else:
                unfed[key] = any(reads_unfed(t.op) for t in op.inputs) or any(
                    reads_unfed(c) for c in op.control_inputs)
        return unfed[key]
    return [x for x in items
            if not reads_unfed(x.op if isinstance(x, (tf.Tensor, tf.Variable)) else x)]


class CompileMixin:
    """compile() and the per-kind session callables built from it, mixed into Model."""

    # -- compile
    # -------------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, run_eagerly=None,
                steps_per_execution=None, jit_compile=None, **kwargs):
        """Configures training; the loss/metric/update ops are built once, in the model's graph."""
        kwargs.pop("target_tensors", None)
        kwargs.pop("auto_scale_loss", None)
        if kwargs:
            raise TypeError("Invalid keyword argument(s) in `compile()`: %s" % sorted(kwargs))
        self.optimizer = optimizers_mod.get(optimizer)
        self._compile_args = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                  weighted_metrics=weighted_metrics)
        # resolve names now, so unknown losses/metrics fail at compile as in Keras
        for fn in _as_flat(loss):
            losses_mod.get(fn)
        for m in _as_flat(metrics) + _as_flat(weighted_metrics):
            if m not in ("accuracy", "acc", "crossentropy", "ce"):
                metrics_mod.check(m)
        self._compiled = None
        self.__dict__.pop("_step_metric_entries", None)
        self.__dict__.pop("_traced_steps", None)
        self.stop_training = False
        if self.built and self.outputs and not self._uses_custom_step():
            self._build_compiled()

    def _per_output(self, value, what, default=None):
        names = self.output_names
        n = len(names)
        if isinstance(value, dict):
            unknown = [k for k in value if k not in names]
            if unknown:
                raise ValueError("Unknown entries in %s dictionary: %s. Only expected following "
                                 "keys: %s" % (what, unknown, names))
            return [value.get(k, default) for k in names]
        if isinstance(value, (list, tuple)) and what == "loss":
            if len(value) != n:
                raise ValueError("When passing a list as loss, it should have one entry per model "
                                 "outputs. The model has %d outputs, but you passed loss=%s"
                                 % (n, value))
            return list(value)
        return [value] * n

    def _build_compiled(self):
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        args = self._compile_args
        if args["loss"] is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        loss_fns = [losses_mod.get(lo) for lo in self._per_output(args["loss"], "loss")]
        lw = args["loss_weights"]
        if lw is None:
            loss_weights = [1.0] * len(self.outputs)
        elif isinstance(lw, dict):
            loss_weights = [float(lw.get(n, 1.0)) for n in self.output_names]
        else:
            loss_weights = [float(w) for w in lw]
        metric_lists = self._metric_lists(args["metrics"])
        weighted = self._metric_lists(args["weighted_metrics"])
        self._compiled = _Compiled(self, loss_fns, loss_weights, metric_lists, weighted)
        if self.trainable_weights:
            self._compiled.build_updates(self)

    def _metric_lists(self, metrics):
        n = len(self.outputs)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            return [_as_list(metrics.get(name)) for name in self.output_names]
        metrics = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
        if n > 1 and len(metrics) == n and all(isinstance(m, (list, tuple)) or m is None
                                               for m in metrics):
            return [_as_list(m) for m in metrics]
        return [list(metrics) for _ in range(n)]

    def _build_once(self, arrays):
        """Builds the model from the first data, once even when threads race on a first call."""
        with backend._LOCK:
            if not self.outputs:
                self._build_from_arrays(arrays)

    def _ensure_compiled(self, arrays=None):
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        if not self.outputs:
            if arrays is None:
                raise ValueError("This model has not yet been built. Build the model first by "
                                 "calling `build()` or by calling the model on a batch of data.")
            self._build_once(arrays)
        if self._compiled is None:
            with backend._LOCK:
                if self._compiled is None:
                    self._build_compiled()
        return self._compiled

    @property
    def metrics_names(self):
        if self._compiled is None:
            return []
        return self._compiled.loss_names + [name for name, _, _ in self._compiled.metrics]

    # -- session callables
    # ---------------------------------------------------------------------------
    def _session(self):
        sess = backend.get_session(self._graph)
        backend.initialize_variables(self.weights + self._state_variables(), sess)
        if self.optimizer is not None and self.optimizer._all_variables:
            backend.initialize_variables(self.optimizer._all_variables, sess)
        return sess

    def _function(self, kind):
        c = self._compiled
        fn = c.fns.get(kind)   # the per-batch path: one dict lookup
        return fn if fn is not None else _made_once(c.fns, kind,
                                                    lambda: self._make_function(c, kind))

    def _make_function(self, c, kind):
        sess = self._session()
        live = c.live
        feeds = list(self.inputs) + [c.targets[i] for i in live] + [c.sample_weights[i]
                                                                     for i in live]
        fetches = c.loss_tensors + c.stat_tensors
        phase = backend._graph_learning_phase(self._graph)
        if kind == "train":
            updates = c.build_updates(self)
            backend.initialize_variables(self.optimizer._all_variables, sess)
            if phase is not None:
                feeds.append(phase)
            # Run the updates as ops: fetching their output tensors would copy every updated
            # weight out of the session each batch (W2: 2.7 MB per step) only to be dropped.
            update_ops = [u.op if isinstance(u, tf.Tensor) else u for u in updates]
            call = sess.make_callable([fetches, update_ops], feeds)
            if phase is not None:
                fn = lambda *a: call(*a, True)[0]  # noqa: E731
            else:
                fn = lambda *a: call(*a)[0]  # noqa: E731
        else:
            fn = sess.make_callable(fetches, feeds)
        return fn

    def _predict_function(self, training=False):
        fn = self._predict_fns.get(training)
        return fn if fn is not None else _made_once(
            self._predict_fns, training, lambda: self._make_predict_function(training))

    def _make_predict_function(self, training):
        sess = self._session()
        feeds = list(self.inputs)
        phase = backend._graph_learning_phase(self._graph)
        if training and phase is not None:
            # model(x, training=True) runs the layers' updates too (BatchNormalization's
            # moving statistics), as Keras 3 does in a training-mode call
            update_ops = [u.op if isinstance(u, tf.Tensor) else u
                          for u in fed_only(self, self.updates)]
            call = sess.make_callable([list(self.outputs), update_ops], feeds + [phase])
            fn = lambda *a: call(*a, True)[0]  # noqa: E731
        else:
            fn = sess.make_callable(list(self.outputs), feeds)
        return fn


def _unique(name, metrics):
    """Keras 3 renames a metric whose name is taken in the same compile: 'x', 'x_1', ..."""
    taken = {n for n, _, _ in metrics}
    out, i = name, 0
    while out in taken:
        i += 1
        out = "%s_%d" % (name, i)
    return out


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _as_flat(x):
    if x is None:
        return []
    if isinstance(x, dict):
        out = []
        for v in x.values():
            out.extend(_as_flat(v))
        return out
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_as_flat(v))
        return out
    return [x]


def _made_once(cache, key, make):
    """cache[key], made under the backend lock unless another thread made it first (two
    threads training one model build one session callable)."""
    with backend._LOCK:
        fn = cache.get(key)
        if fn is None:
            fn = cache[key] = make()
    return fn
