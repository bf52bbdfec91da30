"""fit / evaluate / predict for keras Models, on tfgraph sessions (Keras 3's trainer).

compile_utils.py builds, once, what `compile` asks for and the session callables; data_adapter.py
turns arrays, generators and Datasets into batches; this module runs the loops. Logs follow
Keras 3: the epoch loss is the batch-size-weighted mean of batch losses, metrics are exact over
the epoch's samples (their statistics are accumulated), keys are 'loss', '<output>_loss' for
several outputs, metric names (prefixed by the output name for several outputs) and 'val_' + key.
"""
import math
import warnings

import numpy as np

from tfgraph_keras import _legacy
from tfgraph_keras.engine import data as data_mod
from tfgraph_keras.engine import train_step as step_mod
from tfgraph_keras.engine.compile_utils import CompileMixin
from tfgraph_keras.engine.data_adapter import DataAdapterMixin


class TrainingMixin(CompileMixin, DataAdapterMixin, step_mod.StepMixin):
    """The Keras training API mixed into Model: the loops of fit/evaluate/predict (compile:
    compile_utils.py; data: data_adapter.py; custom steps: train_step.py)."""

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


def _should_validate(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq
