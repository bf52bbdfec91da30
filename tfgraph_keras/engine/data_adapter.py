"""Keras data adapter: numpy arrays, generators and Datasets to the (xs, ys, sample weights)
batches the trainer feeds, with Keras's input checks (ranks, dtypes, class_weight)."""

import numpy as np

from tfgraph_keras.engine import data as data_mod



class DataAdapterMixin:
    """Input preparation and batching for fit/evaluate/predict, mixed into Model."""

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


def _num(v):
    v = float(v)
    return int(v) if v.is_integer() else v


def _short(a):
    flat = np.asarray(a).reshape(-1)
    return np.array2string(flat[:10]) + (" ..." if flat.size > 10 else "")
