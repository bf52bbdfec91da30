"""Keras 3 preprocessing layers that work in a static graph: CategoryEncoding and Normalization
(with `adapt` on numpy data or an iterable of numpy batches)."""
import numpy as np

import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple
from tfgraph_keras.layers.index_lookup import ArrayInputLayer, encode_categorical


class CategoryEncoding(Layer):
    """Encodes integer ids in [0, num_tokens) as one-hot, multi-hot or count vectors.

        CategoryEncoding(num_tokens=4, output_mode="multi_hot")([[0, 1], [3, 3]])
        # -> [[1, 1, 0, 0], [0, 0, 0, 1]]
    multi_hot/count reduce the last input axis; one_hot adds an axis (a last axis of size 1 is
    replaced). `count_weights` (same shape as the ids) weighs each id in 'count' mode. Ids
    outside the range fail at run time with an error naming the layer.
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError("Unknown arg for output_mode: %s (layer CategoryEncoding)"
                             % (output_mode,))
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens "
                             "is not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError("`num_tokens` must be >= 1. Received: num_tokens=%s." % (num_tokens,))
        if sparse:
            raise ValueError("CategoryEncoding(sparse=True) is not supported: tfgraph has no "
                             "sparse outputs.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                             "Received `count_weights=%s`." % (count_weights,))
        ids = inputs if inputs.dtype.is_integer else tf.cast(inputs, tf.int64)
        if ids.shape.ndims == 0:
            ids = tf.expand_dims(ids, -1)
        check = tf.Assert(tf.logical_and(tf.reduce_all(tf.greater_equal(ids, 0)),
                                         tf.reduce_all(tf.less(ids, self.num_tokens))),
                          ["Input values of layer %s must be in the range 0 <= values < "
                           "num_tokens with num_tokens=%d; received values:"
                           % (self.name, self.num_tokens), ids], summarize=20)
        with tf.control_dependencies([check]):
            ids = tf.identity(ids)
        hot = tf.one_hot(ids, self.num_tokens, dtype=self.dtype)
        if self.output_mode == "one_hot":
            if ids.shape.ndims > 1 and ids.shape.as_list()[-1] == 1:
                hot = tf.squeeze(hot, [-2])
            return hot
        if self.output_mode == "multi_hot":
            return tf.reduce_max(hot, axis=-2)
        if count_weights is not None:
            hot = hot * tf.expand_dims(tf.cast(count_weights, hot.dtype), -1)
        return tf.reduce_sum(hot, axis=-2)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if shape[-1] != 1 or len(shape) == 1:
                return shape + (self.num_tokens,)
            return shape[:-1] + (self.num_tokens,)
        return shape[:-1] + (self.num_tokens,)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}


def _as_list(value):
    if value is None:
        return None
    value = np.asarray(value)
    return value.item() if value.ndim == 0 else value.tolist()


class Normalization(Layer):
    """(x - mean) / max(sqrt(variance), epsilon) per position of the kept `axis` (x * std + mean
    with invert=True).

        norm = Normalization()          # axis=-1: one mean/variance per feature
        norm.adapt(x_train)             # numpy data, or an iterable of numpy batches
    mean and variance are given or computed by `adapt`; adapted ones are non-trainable weights
    `mean`, `variance` and `count` (Keras 3's, saved with the model).
    """

    _supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(int(a) for a in axis)
        self.input_mean, self.input_variance = _as_list(mean), _as_list(variance)
        self.invert = invert
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             "set. Received: mean=%s and variance=%s (layer Normalization)"
                             % (mean, variance))
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have "
                                 "the same shape. Received: mean shape %s and variance shape %s"
                                 % (np.shape(mean), np.shape(variance)))
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number of "
                                 "axes (%d). Received: mean shape %s for axis %s"
                                 % (len(self.axis), np.shape(mean), self.axis))
        self.mean = self.variance = None

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             "inputs with ndim=%d, while axis=%s (layer %s)"
                             % (ndim, self.axis, self.name))
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if shape[d] is None:
                raise ValueError("All `axis` values to be kept must have a known shape. Received "
                                 "axis=%s, inputs.shape=%s, with unknown axis at index %d "
                                 "(layer %s)" % (self.axis, shape, d, self.name))
        self._build_shape = shape
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._stats_shape = tuple(shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._stats_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._stats_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
        self.built = True

    def _constants(self):
        """The given mean/variance, placed on the kept axes and broadcast to the input rank."""
        out = []
        for value in (self.input_mean, self.input_variance):
            v = np.asarray(value, dtype=np.dtype(self.dtype))
            expanded = [1] * len(self._broadcast_shape)
            for i in range(1, v.ndim + 1):
                expanded[self._keep_axis[-i]] = v.shape[-i]
            out.append(np.broadcast_to(v.reshape(expanded), self._broadcast_shape))
        return [tf.constant(v) for v in out]

    def call(self, inputs):
        x = tf.cast(inputs, self.dtype) if inputs.dtype.name != self.dtype else inputs
        if self.input_mean is None:
            mean = tf.reshape(self.adapt_mean, self._broadcast_shape)
            variance = tf.reshape(self.adapt_variance, self._broadcast_shape)
        else:
            mean, variance = self._constants()
        std = tf.maximum(tf.sqrt(variance), backend.epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def adapt(self, data, batch_size=None, steps=None):
        """Computes mean and variance over the reduced axes of `data`: a numpy array (or
        array-like) or an iterable of numpy batches (their statistics combined by count)."""
        if isinstance(data, np.ndarray) or not hasattr(data, "__iter__"):
            batches = iter([np.asarray(data, np.float64)])
        else:   # as Keras: a list, generator or dataset yields batches
            batches = (np.asarray(b[0] if isinstance(b, tuple) else b, np.float64) for b in data)
        first = next(batches, None)
        if first is None:
            raise ValueError("adapt() of layer %s received an empty iterable (no batches)."
                             % self.name)
        if not self.built:
            self._maybe_build_for(first.shape)
        if self.input_mean is not None:
            raise ValueError("Layer %s was given `mean` and `variance`; it cannot be adapted."
                             % self.name)
        total_mean = total_var = None
        total = 0
        for batch in _chain(first, batches):
            for d in self._keep_axis:
                if batch.shape[d] != self._build_shape[d]:
                    raise ValueError("The layer %s was built with input_shape=%s, but adapt() is "
                                     "being called with data with an incompatible shape, "
                                     "data.shape=%s" % (self.name, self._build_shape, batch.shape))
            mean = batch.mean(axis=self._reduce_axis)
            var = batch.var(axis=self._reduce_axis)
            n = int(np.prod([batch.shape[d] for d in self._reduce_axis], dtype=np.int64))
            if total_mean is None:
                total_mean, total_var, total = mean, var, n
                continue
            w = n / (total + n)
            new_mean = total_mean * (1 - w) + mean * w
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1 - w)
                         + (var + (mean - new_mean) ** 2) * w)
            total_mean, total = new_mean, total + n
        backend.batch_set_value([(self.adapt_mean, total_mean.astype(self.dtype)),
                                 (self.adapt_variance, total_var.astype(self.dtype))])

    def _maybe_build_for(self, data_shape):
        shape = list(data_shape)
        if 0 not in {a % len(shape) for a in self.axis}:
            shape[0] = None
        self.build(tuple(shape))

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": self.input_mean, "variance": self.input_variance}


class Discretization(ArrayInputLayer):
    """Buckets numbers by `bin_boundaries` (bin i holds boundaries[i-1] <= x < boundaries[i]),
    or by `num_bins` quantile boundaries learned with `adapt` (Keras's approximate summary with
    tolerance `epsilon`). Output: int32 bin indices, or one_hot/multi_hot/count vectors.

        Discretization(bin_boundaries=[0.0, 1.0])([[-1.5, 0.5, 2.0]])   # -> [[0, 1, 2]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("Discretization(sparse=True) is not supported: tfgraph has no "
                             "sparse outputs.")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError("Received: output_mode=%s. Allowed values are: %s (layer "
                             "Discretization)" % (output_mode, ", ".join(modes)))
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. Received: "
                             "`num_bins=%s`" % (num_bins,))
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             "`num_bins=%s` and `bin_boundaries=%s`" % (num_bins, bin_boundaries))
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon, self.output_mode = num_bins, epsilon, output_mode
        self.sparse = False
        self._boundaries_var = None
        self.reset_state()

    def reset_state(self):
        self._summary = np.zeros((2, 0), np.float32)

    def adapt(self, data, batch_size=None, steps=None):
        """Learns `num_bins` - 1 quantile boundaries from an array or an iterable of batches."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        if isinstance(data, np.ndarray) or not hasattr(data, "__iter__"):
            batches = [data]
        elif hasattr(data, "as_numpy_iterator"):
            from tfgraph_keras.engine.data import _DatasetEpochs
            batches = _DatasetEpochs(data.take(steps) if steps is not None else data)
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            batch = np.asarray(batch[0] if isinstance(batch, tuple) else batch, np.float32)
            merged = np.concatenate([self._summary, _summarize(batch, self.epsilon)], axis=1)
            self._summary = _compress(merged[:, np.argsort(merged[0], kind="stable")],
                                      self.epsilon)
        self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        x = inputs if inputs.dtype.is_floating else tf.cast(inputs, tf.float32)
        edges = tf.constant(np.asarray(self.bin_boundaries, x.dtype.np).reshape(-1))
        ids = tf.reduce_sum(tf.cast(tf.greater_equal(tf.expand_dims(x, -1), edges), tf.int32),
                            axis=-1)
        if self.output_mode == "int":
            return ids
        return encode_categorical(ids, self.output_mode, len(self.bin_boundaries) + 1)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        if self.output_mode == "one_hot":
            return shape[:-1] + (depth,) if len(shape) > 1 and shape[-1] == 1 \
                else shape + (depth,)
        return (shape[0],) + shape[2:] + (depth,) if len(shape) >= 2 else (depth,)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": False}


def _summarize(values, epsilon):
    """Keras's quantile summary of one batch: every step-th sorted value, weighted by step."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.ones_like(picked) * step])


def _compress(summary, epsilon):
    """Re-bins a (values, weights) summary at the cumulative-weight fractions eps, 2 eps, ..."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    where = cum / cum[-1]
    values = np.interp(fractions, where, summary[0])
    cum = np.interp(fractions, where, cum)
    return np.stack([values, np.diff(cum, prepend=0.0)]).astype(np.float32)


def _chain(first, rest):
    yield first
    yield from rest


__all__ = ["CategoryEncoding", "Discretization", "Normalization"]
