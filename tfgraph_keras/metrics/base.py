"""keras.metrics: metric functions and stateful Metric objects, one get().

A Metric contributes `stats(y_true, y_pred, sample_weight)`: graph tensors summed over a batch
(e.g. [weighted sum, weight count], or [true positives, false positives]). The engine fetches them
in
the same session call as the loss and accumulates them in Python, so each epoch's value is exact
over
all its samples; `result()` turns the totals into the metric's value. Used standalone,
`update_state`
runs the same stats on numpy values in a private graph.
"""
import numpy as np

import tfgraph as tf
from tfgraph_keras import backend, losses
from tfgraph_keras.engine import step_context


def _argmax(x):
    fn = getattr(tf, "argmax", None)
    if fn is not None:
        return tf.cast(fn(x, axis=-1), tf.int32)
    return None


def _squeeze_labels(y_true, y_pred):
    """Sparse labels shaped like y_pred without its class axis (drops a trailing 1)."""
    if y_true.shape.ndims is not None and y_pred.shape.ndims is not None \
            and y_true.shape.ndims == y_pred.shape.ndims and y_true.shape[-1] == 1:
        shape = [-1 if d is None else d for d in y_pred.shape.as_list()[:-1]]
        y_true = tf.reshape(y_true, shape)
    return y_true


def _in_top_k(true_onehot, y_pred, k):
    """1.0 where the true class's score is among the k largest (ties favour the true class)."""
    true_score = tf.reduce_sum(true_onehot * y_pred, axis=-1, keepdims=True)
    above = tf.reduce_sum(tf.cast(tf.greater(y_pred, true_score), y_pred.dtype), axis=-1)
    return tf.cast(tf.less(above, float(k)), y_pred.dtype)


# -- per-sample metric functions
# ---------------------------------------------------------------------
def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true = tf.cast(y_true, y_pred.dtype)
    pred = tf.cast(tf.greater(y_pred, threshold), y_pred.dtype)
    return tf.reduce_mean(tf.cast(tf.equal(y_true, pred), y_pred.dtype), axis=-1)


def categorical_accuracy(y_true, y_pred):
    a, b = _argmax(tf.cast(y_true, y_pred.dtype)), _argmax(y_pred)
    if a is not None:
        return tf.cast(tf.equal(a, b), y_pred.dtype)
    return _in_top_k(tf.cast(y_true, y_pred.dtype), y_pred, 1)


def sparse_categorical_accuracy(y_true, y_pred):
    y_true = _squeeze_labels(y_true, y_pred)
    b = _argmax(y_pred)
    if b is not None:
        return tf.cast(tf.equal(tf.cast(y_true, tf.int32), b), y_pred.dtype)
    onehot = losses.one_hot_like(y_true, int(y_pred.shape[-1]), y_pred.dtype)
    return _in_top_k(onehot, y_pred, 1)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(tf.cast(y_true, y_pred.dtype), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true = _squeeze_labels(y_true, y_pred)
    onehot = losses.one_hot_like(y_true, int(y_pred.shape[-1]), y_pred.dtype)
    return _in_top_k(onehot, y_pred, k)


mean_squared_error = mse = losses.mean_squared_error
mean_absolute_error = mae = losses.mean_absolute_error
mean_absolute_percentage_error = mape = losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = losses.mean_squared_logarithmic_error
binary_crossentropy = losses.binary_crossentropy
categorical_crossentropy = losses.categorical_crossentropy
sparse_categorical_crossentropy = losses.sparse_categorical_crossentropy
kl_divergence = losses.kl_divergence
hinge = losses.hinge
cosine_similarity = losses.cosine_similarity


# -- Metric objects
# ----------------------------------------------------------------------------------
class Metric:
    """Stateful metric: `stats` builds per-batch sums; `result` combines the accumulated totals."""

    n_stats = 2

    def __init__(self, name=None, dtype=None):
        self.name = name or backend.to_snake_case(type(self).__name__)
        self.dtype = dtype or backend.floatx()
        self._fns = {}
        self.reset_state()

    def stats(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result_from(self, totals):
        return float(totals[0] / totals[1]) if totals[1] else 0.0

    # -- python-side state
    # ---------------------------------------------------------------------------
    def reset_state(self):
        self._totals = np.zeros(self.n_stats, np.float64)

    reset_states = reset_state

    def accumulate(self, values):
        self._totals += np.asarray(values, np.float64)

    def result(self):
        if step_context.current() is not None:
            return step_context.MetricResult(self)
        return self.result_from(self._totals)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if _symbolic(y_true, y_pred, sample_weight):
            # inside a traced step or a layer's call: graph statistics, summed per batch
            step_context.record_metric_update(self, self.stats(y_true, y_pred, sample_weight))
            return
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred, np.float32)
        sw_shape = None if sample_weight is None else np.shape(sample_weight)
        key = (y_true.shape[1:], y_true.dtype.str, y_pred.shape[1:], sw_shape)
        entry = self._fns.get(key)
        if entry is None:
            g = tf.Graph()
            with g.as_default():
                t = tf.placeholder(y_true.dtype if y_true.dtype.kind in "iu" else np.float32,
                                   (None,) + y_true.shape[1:])
                p = tf.placeholder(np.float32, (None,) + y_pred.shape[1:])
                sw = None if sw_shape is None else tf.placeholder(
                    np.float32, (None,) + sw_shape[1:] if sw_shape else ())
                out = self.stats(t, p, sw)
                sess = tf.Session(graph=g)
                feeds = [t, p] + ([sw] if sw is not None else [])
                entry = sess.make_callable(out, feeds)
            self._fns[key] = entry
        args = [y_true, y_pred] + ([np.asarray(sample_weight, np.float32)]
                                   if sample_weight is not None else [])
        self.accumulate(entry(*args))

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.reset_state()
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _symbolic(*values):
    return any(isinstance(v, (tf.Tensor, tf.Variable)) for v in values)


def _weighted_sums(values, sample_weight):
    """[sum(values * w), sum(w)] with w broadcast to the per-sample values."""
    if sample_weight is None:
        count = tf.cast(tf.reduce_prod(tf.shape(values)), values.dtype)
        return [tf.reduce_sum(values), count]
    w = tf.cast(sample_weight, values.dtype)
    if w.shape.ndims is not None and values.shape.ndims is not None \
            and w.shape.ndims < values.shape.ndims:
        for _ in range(values.shape.ndims - w.shape.ndims):
            w = tf.expand_dims(w, -1)
    w = w * tf.ones_like(values)
    return [tf.reduce_sum(values * w), tf.reduce_sum(w)]


def _masked_sums(values, mask, sample_weight):
    """Keras 3's masked mean metric: the mean over the kept steps (masked steps weigh 0)."""
    w = tf.cast(mask, values.dtype)
    if sample_weight is not None:
        sw = tf.cast(sample_weight, values.dtype)
        while sw.shape.ndims < w.shape.ndims:
            sw = tf.expand_dims(sw, -1)
        w = w * sw
    return _weighted_sums(values, w)


class Mean(Metric):
    """The (weighted) mean of the values given to update_state."""

    def stats(self, values, _unused=None, sample_weight=None):
        return _weighted_sums(tf.cast(values, tf.float32), sample_weight)

    def update_state(self, values, sample_weight=None):
        if _symbolic(values, sample_weight):
            step_context.record_metric_update(self, self.stats(values, None, sample_weight))
            return
        v = np.asarray(values, np.float64)
        w = np.ones_like(v) if sample_weight is None else np.broadcast_to(
            np.asarray(sample_weight, np.float64).reshape(
                np.shape(sample_weight) + (1,) * (v.ndim - np.ndim(sample_weight))), v.shape)
        self.accumulate([np.sum(v * w), np.sum(w)])


class MeanMetricWrapper(Metric):
    """Weighted mean over samples of a per-sample function fn(y_true, y_pred, **kwargs)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = getattr(y_pred, "_keras_mask", None)
        if mask is not None and mask.shape.ndims is not None and \
                values.shape.ndims is not None and mask.shape.ndims <= values.shape.ndims:
            return _masked_sums(values, mask, sample_weight)
        return _weighted_sums(values, sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper(cls_name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    def from_config(cls, config):
        return cls(**config)
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__,
                                                   "from_config": classmethod(from_config)})


Accuracy = _wrapper("Accuracy", lambda t, p: tf.cast(tf.equal(tf.cast(t, p.dtype), p), p.dtype),
                    "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy",
                                         sparse_top_k_categorical_accuracy,
                                         "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", losses.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", losses.mean_absolute_error,
                             "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       losses.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       losses.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", losses.binary_crossentropy,
                              "binary_crossentropy")
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", losses.categorical_crossentropy,
                                   "categorical_crossentropy")
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy",
                                         losses.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy")
KLDivergence = _wrapper("KLDivergence", losses.kl_divergence, "kl_divergence")
Hinge = _wrapper("Hinge", losses.hinge, "hinge")
CosineSimilarity = _wrapper("CosineSimilarity", lambda t, p: -losses.cosine_similarity(t, p),
                            "cosine_similarity")


class RootMeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(lambda t, p: tf.square(p - tf.cast(t, p.dtype)), name=name, dtype=dtype)

    def result_from(self, totals):
        return float(np.sqrt(totals[0] / totals[1])) if totals[1] else 0.0

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


_FUNCS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mse": mse, "mae": mae, "mape": mape, "msle": msle, "mean_squared_error": mse,
    "mean_absolute_error": mae, "mean_absolute_percentage_error": mape,
    "mean_squared_logarithmic_error": msle, "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "kl_divergence": kl_divergence, "hinge": hinge, "cosine_similarity": cosine_similarity,
}
_CLASSES = {c.__name__: c for c in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Hinge, CosineSimilarity,
    RootMeanSquaredError, Mean)}


def get(identifier):
    """A metric function or Metric from a name, class, instance or function."""
    if isinstance(identifier, str):
        if identifier in _FUNCS:
            return _FUNCS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError("Unknown metric function: '%s'. Please ensure you are using a "
                         "`keras.utils.custom_object_scope` and that this object is included in "
                         "the "
                         "scope. Known metrics: accuracy, acc, %s"
                         % (identifier, ", ".join(sorted(_FUNCS))))
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, Metric) or callable(identifier):
        return identifier
    raise ValueError("Could not interpret metric identifier: %r" % (identifier,))


def check(identifier):
    """Raises get()'s error for an unknown metric name, without making the metric."""
    if isinstance(identifier, str) and identifier not in _FUNCS \
            and identifier not in _CLASSES:
        get(identifier)


def resolve(identifier, loss, output_shape):
    """A Metric object for compile(metrics=[...]); 'accuracy'/'acc' picks the variant from the loss
    as Keras does: binary for a binary loss or one output unit, sparse for a sparse loss."""
    if identifier in ("accuracy", "acc"):
        fn = getattr(loss, "fn", loss)
        if fn is losses.binary_crossentropy or (output_shape and output_shape[-1] == 1):
            fn = binary_accuracy
        elif fn is losses.sparse_categorical_crossentropy:
            fn = sparse_categorical_accuracy
        else:
            fn = categorical_accuracy
        return MeanMetricWrapper(fn, name=identifier)
    if identifier in ("crossentropy", "ce"):
        return MeanMetricWrapper(getattr(loss, "fn", loss), name=identifier)
    m = get(identifier)
    if isinstance(m, Metric):
        if isinstance(identifier, str):
            m.name = identifier  # compile(metrics=["auc"]) logs 'auc', as Keras 3
        return m
    name = identifier if isinstance(identifier, str) else getattr(m, "__name__", "metric")
    return MeanMetricWrapper(m, name=name)


def serialize(metric):
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return getattr(metric, "__name__", metric)


def deserialize(config):
    if isinstance(config, dict):
        return _CLASSES[config["class_name"]].from_config(config.get("config", {}))
    return get(config)
