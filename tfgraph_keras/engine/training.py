"""compile / fit / evaluate / predict for keras Models, on tfgraph sessions.

`compile` records the optimizer, losses and metrics; the graph pieces (target and sample-weight
placeholders, the weighted loss, metric statistics, optimizer update ops) are built ONCE, as soon
as the
model is built, in the model's own graph. Each of train/test/predict is then one cached
`Session.make_callable`, called once per batch with numpy arrays: nothing is rebuilt per call.

Logs follow Keras 3: the epoch loss is the batch-size-weighted mean of batch losses, metrics are
exact
over the epoch's samples (their statistics are accumulated), keys are 'loss', '<output>_loss' for
several outputs, metric names (prefixed by the output name for several outputs) and 'val_' + key.
"""
import math
import warnings

import numpy as np

import tfgraph as tf
from tfgraph_keras import _legacy, backend
from tfgraph_keras import losses as losses_mod
from tfgraph_keras import metrics as metrics_mod
from tfgraph_keras import optimizers as optimizers_mod
from tfgraph_keras.engine import data as data_mod
from tfgraph_keras.engine import train_step as step_mod


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


class TrainingMixin(step_mod.StepMixin):
    """The Keras training API mixed into Model (custom steps: engine/train_step.py)."""

    def __init__(self):
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._compile_args = None
        self._compiled = None
        self._predict_fn = None
        self._predict_fns = {}
        self._input_checks = None

    def _reset_compiled(self):
        self._compiled = None
        self._predict_fn = None
        self._predict_fns = {}
        self._input_checks = None

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
        fn = c.fns.get(kind)
        if fn is not None:
            return fn
        with backend._LOCK:
            fn = c.fns.get(kind)
            if fn is None:
                fn = c.fns[kind] = self._make_function(c, kind)
        return fn

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
        if fn is not None:
            return fn
        with backend._LOCK:
            fn = self._predict_fns.get(training)
            if fn is None:
                fn = self._predict_fns[training] = self._make_predict_function(training)
        return fn

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

    # -- data preparation
    # ----------------------------------------------------------------------------
    def _prepare_x(self, x):
        if type(x) is np.ndarray and self.outputs:
            # the common case, one array of the right dtype and shape: no conversion, no copy
            checks = self._input_checks or self._make_input_checks()
            if len(checks) == 1:
                dtype, ndim, tail = checks[0]
                if x.dtype == dtype and x.ndim == ndim and x.shape[1:] == tail:
                    return [x]
        if x is None:
            raise ValueError("Argument `x` is None: expected a numpy array, or a list or dict of "
                             "arrays, for model %s's %d input(s)." % (self.name,
                                                                      len(self.inputs) or 1))
        arrays = data_mod.to_list(x, getattr(self, "input_names", None) or None, "input")
        if not self.outputs:
            self._build_once(arrays)
        if len(arrays) != len(self.inputs):
            raise ValueError("Layer \"%s\" expects %d input(s), but it received %d input tensors."
                             % (self.name, len(self.inputs), len(arrays)))
        out = []
        for t, a in zip(self.inputs, arrays):
            a = _adjust_rank(np.asarray(a), t)
            if a.dtype == object:  # astype would turn None into NaN silently
                bad = [i for i, v in enumerate(a.reshape(-1)) if v is None]
                if bad:
                    raise TypeError("Input %s of model %s holds None (at flat index %d); expected "
                                    "numbers of dtype %s." % (t.name, self.name, bad[0],
                                                              t.dtype.name))
            if a.dtype != t.dtype.np:
                a = a.astype(t.dtype.np)
            out.append(a)
        self._check_model_inputs(out)
        return out

    def _compiled_inputs(self, x):
        """`_prepare_x(x)` for fit/evaluate/*_on_batch, once the model is built (from `x` if it
        was not) and compiled."""
        if self.outputs:
            self._ensure_compiled()
        else:
            x = data_mod.to_list(x, getattr(self, "input_names", None) or None, "input")
            self._ensure_compiled(x)
        return self._prepare_x(x)

    def _make_input_checks(self):
        """(dtype, rank, shape after the batch dim) per input for `_prepare_x`'s fast path; the tail
        is None where the batch dim is fixed or another dim unknown (the general path checks)."""
        checks = []
        for t in self.inputs:
            dims = t.shape.as_list() if t.shape.ndims is not None else [0, None]
            tail = tuple(dims[1:])
            fast = bool(dims) and dims[0] is None and None not in tail
            checks.append((t.dtype.np, len(dims), tail if fast else None))
        self._input_checks = checks
        return checks

    def _prepare_y(self, y):
        c = self._compiled
        names = self.output_names
        ys = data_mod.to_list(y, names, "output")
        live = c.live
        if len(ys) == len(self.outputs) and len(live) != len(self.outputs):
            ys = [ys[i] for i in live]
        if len(ys) != len(live):
            raise ValueError("The model has %d outputs with a loss, but the target data has %d "
                             "entries." % (len(live), len(ys)))
        out = []
        for i, yv in zip(live, ys):
            t = c.targets[i]
            expected = t.shape.as_list()
            yv = np.asarray(yv)
            output_shape = tuple(self.outputs[i].shape.as_list())
            if c.sparse[i]:
                if yv.ndim == len(expected) + 1 and yv.shape[-1] == 1:
                    yv = yv.reshape(yv.shape[:-1])
                if yv.ndim != len(expected) or any(e is not None and e != g for e, g in
                                                   zip(expected[1:], yv.shape[1:])):
                    raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. "
                                     "Received: target.shape=%s, output.shape=%s"
                                     % ((None,) + yv.shape[1:], output_shape))
                n_classes = output_shape[-1]
                if yv.size and (yv.min() < 0 or yv.max() >= n_classes):
                    bad = yv.max() if yv.max() >= n_classes else yv.min()
                    raise ValueError("Received a label value of %s which is outside the valid "
                                     "range of [0, %d). Label values: %s"
                                     % (_num(bad), n_classes, _short(yv)))
            else:
                if yv.ndim == len(expected) - 1 and expected[-1] == 1:
                    yv = yv[..., None]
                if yv.ndim != len(expected) or any(e is not None and e != g for e, g in
                                                   zip(expected[1:], yv.shape[1:])):
                    raise ValueError("Arguments `target` and `output` must have the same shape. "
                                     "Received: target.shape=%s, output.shape=%s"
                                     % ((None,) + yv.shape[1:], output_shape))
            out.append(yv.astype(t.dtype.np, copy=False))
        return out

    def _prepare_sw(self, sample_weight, class_weight, ys, n):
        live = self._compiled.live
        if sample_weight is None:
            sws = [None] * len(live)
        elif isinstance(sample_weight, dict):
            sws = [sample_weight.get(self.output_names[i]) for i in live]
        elif isinstance(sample_weight, (list, tuple)) and len(live) > 1:
            sws = list(sample_weight)
        else:
            sws = [sample_weight] * len(live)
        out = []
        for k, sw in enumerate(sws):
            if sw is None and class_weight is not None:
                cw = class_weight
                if isinstance(cw, dict) and cw and isinstance(next(iter(cw)), str):
                    cw = cw.get(self.output_names[live[k]], {})
                sw = data_mod.class_weights_to_sample_weights(ys[k], cw)
            if sw is None:
                sw = np.ones(n, np.float32)
            sw = np.asarray(sw, np.float32).reshape(-1) if np.ndim(sw) <= 1 else \
                np.asarray(sw, np.float32)
            if len(sw) != n:
                raise ValueError("sample_weight has %d entries, but the data has %d samples."
                                 % (len(sw), n))
            out.append(sw)
        return out

    # -- loops
    # ---------------------------------------------------------------------------------------
    def _run_batches(self, kind, batches, callbacks=None, hook="train", reduce=None):
        """Runs `kind` over (xs, ys, sws) batches; returns the logs (epoch aggregates).

        Per batch: the hooks that do something (looked up once), one session call, and the sums
        (Python floats: float64, as numpy would, without its per-call cost); the logs dict is
        built per batch only for a batch-end hook to see. `reduce(loss_sums, seen, stats)`, when
        given, returns the sums over every rank (distributed fit).
        """
        c = self._compiled
        fn = self._function(kind)
        n_loss = len(c.loss_tensors)
        loss_sums = [0.0] * n_loss
        seen = 0
        stats = [0.0] * len(c.stat_tensors)
        begin = end = None
        if callbacks is not None:
            begin = callbacks.batch_hook("on_%s_batch_begin" % hook)
            end = callbacks.batch_hook("on_%s_batch_end" % hook)
        may_stop = kind == "train" and callbacks is not None
        vector = c.vector_stats
        logs = None
        totals = (loss_sums, seen, stats)
        for step, (xs, ys, sws) in enumerate(batches):
            if begin is not None:
                begin(step, {})
            values = fn(*xs, *ys, *sws)
            n = len(xs[0])
            seen += n
            loss_sums = [s + float(v) * n for s, v in zip(loss_sums, values)]
            if vector:
                stats = [s + np.asarray(v, np.float64) for s, v in zip(stats, values[n_loss:])]
            else:
                stats = [s + float(v) for s, v in zip(stats, values[n_loss:])]
            totals = (loss_sums, seen, stats) if reduce is None else reduce(loss_sums, seen, stats)
            if end is not None:
                logs = self._logs(*totals)
                end(step, logs)
            if may_stop and self.stop_training:
                break
        if logs is None:
            logs = self._logs(*totals) if seen else {}
        if seen:
            step_mod.store_totals(self, c, loss_sums[0], seen, stats)
        return logs

    def _logs(self, loss_sums, seen, stats):
        c = self._compiled
        logs = {name: s / seen for name, s in zip(c.loss_names, loss_sums)}
        k = 0
        for name, metric, tensors in c.metrics:
            logs[name] = metric.result_from(stats[k:k + len(tensors)])
            k += len(tensors)
        return logs

    def _array_batches(self, xs, ys, sws, batch_size, shuffle, steps=None):
        n = data_mod.num_samples(xs + ys)
        index = data_mod.batch_indices(n, batch_size, shuffle)
        if steps is not None:
            index = [index[i % len(index)] for i in range(steps)]
        take = data_mod.take
        for idx in index:
            yield take(xs, idx), take(ys, idx), take(sws, idx)

    def _generator_batches(self, feeder, class_weight=None):
        for x, y, sw in feeder.epoch():
            xs = self._prepare_x(x)
            ys = self._prepare_y(y)
            sws = self._prepare_sw(sw, class_weight, ys, len(xs[0]))
            yield xs, ys, sws

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False, **kwargs):
        """Trains for `epochs` epochs; returns a History (`history.history['loss']`, ...)."""
        if "nb_epoch" in kwargs:
            warnings.warn("The `nb_epoch` argument in `fit` has been renamed `epochs`.",
                          DeprecationWarning, stacklevel=2)
            epochs = kwargs.pop("nb_epoch")
        if kwargs:
            raise TypeError("Invalid keyword argument(s) in `fit()`: %s" % sorted(kwargs))
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        verbose = 1 if verbose == "auto" else verbose
        batch_size = _batch_size(batch_size, "fit")
        if self._uses_custom_step():
            return step_mod.fit(self, x, y, batch_size, epochs, verbose, callbacks,
                                validation_split, validation_data, shuffle, class_weight,
                                sample_weight, initial_epoch, steps_per_epoch, validation_steps,
                                validation_batch_size, validation_freq)
        from tfgraph_keras.callbacks.callback_list import CallbackList

        # a tfgraph_keras.distribute optimizer: shard by rank, reduce the logs, rank-0 callbacks
        dist = getattr(self.optimizer, "_distribution", None)
        if dist is not None:
            callbacks, verbose = dist.fit_callbacks(callbacks, verbose)
        generator = data_mod.is_generator_like(x)
        val_batches_fn = None
        if generator:
            feeder = data_mod.GeneratorFeeder(x, steps_per_epoch, shuffle=shuffle)
            if not self.outputs:
                first = next(iter(data_mod.GeneratorFeeder(x, 1).epoch()))
                self._build_once(data_mod.to_list(first[0]))
            self._ensure_compiled()
            steps = feeder.steps
            train_batches = lambda: self._generator_batches(feeder, class_weight)  # noqa: E731
        else:
            xs = self._compiled_inputs(x)
            ys = self._prepare_y(y)
            n = data_mod.num_samples(xs + ys)
            sws = self._prepare_sw(sample_weight, class_weight, ys, n)
            if validation_split and validation_data is None:
                (xs, ys, sws), (vx, vy, vsw) = data_mod.split_validation([xs, ys, sws],
                                                                         validation_split)
                val_batches_fn = lambda: self._array_batches(  # noqa: E731
                    vx, vy, vsw, validation_batch_size or batch_size, False, validation_steps)
            if dist is not None:
                xs, ys, sws = dist.shard(xs, ys, sws)
            n = data_mod.num_samples(xs + ys)
            _non_empty(n, "fit")
            steps = steps_per_epoch or int(math.ceil(n / batch_size))
            train_batches = lambda: self._array_batches(  # noqa: E731
                xs, ys, sws, batch_size, shuffle, steps_per_epoch)
        if validation_data is not None:
            val_batches_fn = self._validation_batches(validation_data, validation_batch_size
                                                      or batch_size, validation_steps)

        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        self._function("train")
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            logs = self._run_batches("train", train_batches(), cbs, "train",
                                     dist.reduce_sums if dist is not None else None)
            if val_batches_fn is not None and _should_validate(epoch, validation_freq):
                val_logs = self._run_batches("test", val_batches_fn())
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return cbs.history

    def _validation_batches(self, validation_data, batch_size, steps):
        if data_mod.is_generator_like(validation_data):
            feeder = data_mod.GeneratorFeeder(validation_data, steps)
            return lambda: self._generator_batches(feeder)
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError("`validation_data` should be a tuple `(val_x, val_y, "
                             "val_sample_weight)`"
                             " or `(val_x, val_y)`. Found: %r" % (type(validation_data),))
        vx = self._prepare_x(validation_data[0])
        vy = self._prepare_y(validation_data[1])
        vsw = self._prepare_sw(validation_data[2] if len(validation_data) == 3 else None, None,
                               vy, data_mod.num_samples(vx + vy))
        return lambda: self._array_batches(vx, vy, vsw, batch_size, False, steps)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics over the data: a scalar (loss only), a list, or a dict."""
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        verbose = 1 if verbose == "auto" else verbose
        verbose = _rank0_verbose(self, verbose)
        batch_size = _batch_size(batch_size, "evaluate")
        if self._uses_custom_step():
            return step_mod.evaluate(self, x, y, batch_size, verbose, sample_weight, steps,
                                     callbacks, return_dict)
        if data_mod.is_generator_like(x):
            feeder = data_mod.GeneratorFeeder(x, steps)
            if not self.outputs:
                first = next(iter(data_mod.GeneratorFeeder(x, 1).epoch()))
                self._build_once(data_mod.to_list(first[0]))
            self._ensure_compiled()
            batches = self._generator_batches(feeder)
            n_steps = feeder.steps
        else:
            xs = self._compiled_inputs(x)
            ys = self._prepare_y(y)
            n = data_mod.num_samples(xs + ys)
            _non_empty(n, "evaluate")
            sws = self._prepare_sw(sample_weight, None, ys, n)
            n_steps = steps or int(math.ceil(n / batch_size))
            batches = self._array_batches(xs, ys, sws, batch_size, False, steps)
        cbs = _callback_list(callbacks, verbose, self, steps=n_steps)
        if cbs is not None:
            cbs.on_test_begin()
        logs = self._run_batches("test", batches, cbs, "test")
        if cbs is not None:
            cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """Outputs for every sample, in batches (one cached session callable; no graph rebuild).

        Batches are views of the input arrays; with no callback and verbose=0 no hook runs, and a
        single batch's outputs are returned as the session made them (fresh arrays)."""
        verbose = 1 if verbose == "auto" else verbose
        verbose = _rank0_verbose(self, verbose)
        batch_size = _batch_size(batch_size, "predict")
        if self._uses_custom_step():
            return step_mod.predict(self, x, batch_size, steps)
        if data_mod.is_generator_like(x):
            feeder = data_mod.GeneratorFeeder(x, steps)
            chunks = (self._prepare_x(bx) for bx, _, _ in feeder.epoch())
            n_steps = feeder.steps
        else:
            xs = self._prepare_x(x)
            n = len(xs[0]) if len(xs) == 1 else data_mod.num_samples(xs)
            _non_empty(n, "predict")
            if n <= batch_size:
                chunks = (xs,) if n else ()
            else:
                chunks = ([a[i:i + batch_size] for a in xs] for i in range(0, n, batch_size))
            n_steps = -(-n // batch_size)
        fn = self._predict_function()
        cbs = _callback_list(callbacks, verbose, self, steps=n_steps)
        if cbs is None:
            results = [fn(*bx) for bx in chunks]
        else:
            cbs.on_predict_begin()
            results = []
            for step, bx in enumerate(chunks):
                cbs.on_predict_batch_begin(step, {})
                results.append(fn(*bx))
                cbs.on_predict_batch_end(step, {"outputs": results[-1]})
            cbs.on_predict_end()
        if not results:
            raise ValueError("`predict()` received no batches (the generator or dataset yielded "
                             "no data): expected input data to be non-empty.")
        outs = _join_batches(results)
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x):
        xs = self._prepare_x(x)
        outs = self._predict_function()(*xs)
        return outs[0] if len(outs) == 1 else outs

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        if self._uses_custom_step():
            return step_mod.on_batch(self, "train", x, y, sample_weight, class_weight,
                                     return_dict)
        xs = self._compiled_inputs(x)
        ys = self._prepare_y(y)
        sws = self._prepare_sw(sample_weight, class_weight, ys, len(xs[0]))
        logs = self._run_batches("train", [(xs, ys, sws)])
        return self._return(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        if self._uses_custom_step():
            return step_mod.on_batch(self, "test", x, y, sample_weight, None, return_dict)
        xs = self._compiled_inputs(x)
        ys = self._prepare_y(y)
        sws = self._prepare_sw(sample_weight, None, ys, len(xs[0]))
        logs = self._run_batches("test", [(xs, ys, sws)])
        return self._return(logs, return_dict)

    def _return(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Deprecated (Keras 2): argmax of predict, or a 0.5 threshold for one sigmoid unit."""
        warnings.warn("`model.predict_classes()` is deprecated. Please use instead: "
                      "`np.argmax(model.predict(x), axis=-1)` (softmax) or "
                      "`(model.predict(x) > 0.5).astype('int32')` (sigmoid).",
                      DeprecationWarning, stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        warnings.warn("`model.predict_proba()` is deprecated; use `model.predict()`.",
                      DeprecationWarning, stacklevel=2)
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                      shuffle=True, initial_epoch=0, **kwargs):
        """Keras 2's fit_generator (its positional order); Keras 1 argument names are renamed."""
        warnings.warn("`Model.fit_generator` is deprecated; `Model.fit` supports generators.",
                      DeprecationWarning, stacklevel=2)
        args = dict(steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                    callbacks=callbacks, validation_data=validation_data,
                    validation_steps=validation_steps, validation_freq=validation_freq,
                    class_weight=class_weight, max_queue_size=max_queue_size, workers=workers,
                    use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                    initial_epoch=initial_epoch)
        args.update(_legacy.convert_kwargs("fit_generator", kwargs, _legacy.GENERATOR,
                                           stacklevel=3))
        return self.fit(generator, **args)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        warnings.warn("`Model.evaluate_generator` is deprecated; use `Model.evaluate`.",
                      DeprecationWarning, stacklevel=2)
        steps = self._generator_steps("evaluate_generator", steps, kwargs)
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        warnings.warn("`Model.predict_generator` is deprecated; use `Model.predict`.",
                      DeprecationWarning, stacklevel=2)
        steps = self._generator_steps("predict_generator", steps, kwargs)
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    @staticmethod
    def _generator_steps(where, steps, kwargs):
        _legacy.convert_kwargs(where, kwargs, _legacy.GENERATOR, stacklevel=4)
        steps = kwargs.pop("steps", steps)
        for k in ("workers", "use_multiprocessing"):
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError("Invalid keyword argument(s) in `%s()`: %s" % (where, sorted(kwargs)))
        return steps

    # -- saving (implemented in tfgraph_keras.saving)
    # ------------------------------------------------
    def save(self, filepath, overwrite=True, **kwargs):
        from tfgraph_keras.saving import saving_api
        return saving_api.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from tfgraph_keras.saving import saving_api
        return saving_api.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, **kwargs):
        from tfgraph_keras.saving import saving_api
        return saving_api.load_weights(self, filepath, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=True, **kwargs):
        """The inference graph as an artefact: 'onnx', 'tfgraph' (frozen GraphDef) or
        'tf_saved_model' (a folder holding the frozen graph); see saving/export.py."""
        from tfgraph_keras.saving.export import export_model
        return export_model(self, filepath, format=format, verbose=verbose, **kwargs)

    def to_json(self, **kwargs):
        from tfgraph_keras.saving import saving_api
        return saving_api.model_to_json(self, **kwargs)


def _batch_size(batch_size, where):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size <= 0:
        raise ValueError("`%s()`: argument `batch_size` must be a positive integer. Received: "
                         "batch_size=%r" % (where, batch_size))
    return int(batch_size)


def _rank0_verbose(model, verbose):
    """A tfgraph_keras.distribute optimizer prints evaluate's/predict's progress on rank 0 only."""
    dist = getattr(getattr(model, "optimizer", None), "_distribution", None)
    return verbose if dist is None else dist.verbose(verbose)


def _non_empty(n, where):
    if n == 0:
        raise ValueError("`%s()` received empty input data (0 samples): expected input data to be "
                         "non-empty." % where)


def _callback_list(callbacks, verbose, model, **params):
    """evaluate/predict's CallbackList, or None when no callback and no progress bar would run."""
    if not callbacks and not verbose:
        return None
    from tfgraph_keras.callbacks.callback_list import CallbackList
    return CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                        epochs=1, **params)


def _join_batches(results):
    """Per output, the batches' arrays joined. The session returns fresh arrays that never view
    a feed, so one batch is returned as is (a tensor fetched twice comes back as one array: the
    second is copied)."""
    if len(results) > 1:
        return [np.concatenate([r[i] for r in results]) for i in range(len(results[0]))]
    outs = list(results[0])
    for i in range(1, len(outs)):
        if any(outs[i] is o for o in outs[:i]):
            outs[i] = np.array(outs[i])
    return outs


def _adjust_rank(a, t):
    """Keras 3's functional input rank rule: (n, 28, 28) feeds Input((28, 28, 1)) with a
    trailing axis added; a trailing axis of 1 too many is dropped."""
    dims = t.shape.as_list() if t.shape.ndims is not None else None
    if dims is None or a.ndim == len(dims):
        return a
    if a.ndim == len(dims) + 1 and a.shape[-1] == 1:
        return a[..., 0]
    if a.ndim == len(dims) - 1 and dims[-1] == 1:
        return a[..., None]
    return a


def _unique(name, metrics):
    """Keras 3 renames a metric whose name is taken in the same compile: 'x', 'x_1', ..."""
    taken = {n for n, _, _ in metrics}
    out, i = name, 0
    while out in taken:
        i += 1
        out = "%s_%d" % (name, i)
    return out


def _should_validate(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


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


def _num(v):
    v = float(v)
    return int(v) if v.is_integer() else v


def _short(a):
    flat = np.asarray(a).reshape(-1)
    return np.array2string(flat[:10]) + (" ..." if flat.size > 10 else "")
