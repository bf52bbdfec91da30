"""keras.losses: per-sample loss functions (y_true, y_pred) -> tensor, Loss classes, one get().

Functions return one value per sample (the mean over the last axis, as Keras); the training engine
reduces with sample weights ('sum_over_batch_size'). Probabilities are clipped to
[epsilon, 1 - epsilon] with epsilon = 1e-7, as Keras does. When `y_pred` comes straight out of a
Softmax/Sigmoid op, the cross-entropies use its logits (as tf.keras does in graph mode): same value,
better gradients.
"""
import numpy as np

import tfgraph as tf
from tfgraph_keras import backend


def _eps(x):
    return tf.constant(backend.epsilon(), dtype=x.dtype)


def _cast_like(y_true, y_pred):
    return y_true if y_true.dtype == y_pred.dtype else tf.cast(y_true, y_pred.dtype)


def _logits_of(y_pred, op_type):
    op = getattr(y_pred, "op", None)
    if op is not None and op.type == op_type:
        return op.inputs[0]
    if op is not None and op.type == "Identity" and op.inputs[0].op.type == op_type:
        return op.inputs[0].op.inputs[0]
    return None


def one_hot_like(labels, num_classes, dtype):
    """one_hot(labels, num_classes) from an Equal against a constant arange (no gradient needed)."""
    fn = getattr(tf, "one_hot", None)
    labels = tf.cast(labels, tf.int32)
    if fn is not None:
        return fn(labels, num_classes, dtype=dtype)
    classes = tf.constant(np.arange(num_classes, dtype=np.int32))
    return tf.cast(tf.equal(tf.expand_dims(labels, -1), classes), dtype)


def _log_softmax(logits):
    fn = getattr(tf.nn, "log_softmax", None)
    if fn is not None:
        return fn(logits)
    z = logits - tf.stop_gradient(tf.reduce_max(logits, axis=-1, keepdims=True))
    return z - tf.log(tf.reduce_sum(tf.exp(z), axis=-1, keepdims=True))


# -- per-sample functions
# ----------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    return tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), _eps(y_true)))
    return 100.0 * tf.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    a = tf.log(tf.maximum(y_pred, _eps(y_pred)) + 1.0)
    b = tf.log(tf.maximum(y_true, _eps(y_true)) + 1.0)
    return tf.reduce_mean(tf.square(a - b), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_true = _cast_like(y_true, y_pred)
    err = tf.abs(y_pred - y_true)
    quad = tf.minimum(err, tf.constant(delta, dtype=err.dtype))
    return tf.reduce_mean(0.5 * tf.square(quad) + delta * (err - quad), axis=-1)


def log_cosh(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    x = y_pred - y_true
    return tf.reduce_mean(x + tf.log1p(tf.exp(-2.0 * x)) - np.log(2.0).astype(np.float32), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true = _cast_like(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred, "Sigmoid")
    if logits is not None:
        # max(x, 0) - x * z + log(1 + exp(-|x|)), the stable sigmoid cross-entropy
        zeros = tf.zeros_like(logits)
        per = tf.maximum(logits, zeros) - logits * y_true + tf.log1p(tf.exp(-tf.abs(logits)))
        return tf.reduce_mean(per, axis=axis)
    eps = _eps(y_pred)
    p = tf.clip_by_value(y_pred, eps, 1.0 - eps)
    per = -(y_true * tf.log(p) + (1.0 - y_true) * tf.log(1.0 - p))
    return tf.reduce_mean(per, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true = _cast_like(y_true, y_pred)
    if label_smoothing:
        n = int(y_pred.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    logits = y_pred if from_logits else _logits_of(y_pred, "Softmax")
    if logits is not None:
        return -tf.reduce_sum(y_true * _log_softmax(logits), axis=axis)
    p = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    eps = _eps(y_pred)
    p = tf.clip_by_value(p, eps, 1.0 - eps)
    return -tf.reduce_sum(y_true * tf.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1,
                                    ignore_class=None):
    num_classes = y_pred.shape[-1]
    if num_classes is None:
        raise ValueError("sparse_categorical_crossentropy needs a known number of classes; got "
                         "output shape %s" % (y_pred.shape,))
    logits = y_pred if from_logits else _logits_of(y_pred, "Softmax")
    sparse_fn = getattr(tf.nn, "sparse_softmax_cross_entropy_with_logits", None)
    if logits is not None and sparse_fn is not None and logits.shape.ndims == 2:
        return sparse_fn(labels=tf.cast(y_true, tf.int32), logits=logits)
    onehot = one_hot_like(y_true, int(num_classes), y_pred.dtype)
    return categorical_crossentropy(onehot, y_pred, from_logits=from_logits)


def kl_divergence(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    eps = _eps(y_pred)
    t = tf.clip_by_value(y_true, eps, 1.0)
    p = tf.clip_by_value(y_pred, eps, 1.0)
    return tf.reduce_sum(t * tf.log(t / p), axis=-1)


def poisson(y_true, y_pred):
    y_true = _cast_like(y_true, y_pred)
    return tf.reduce_mean(y_pred - y_true * tf.log(y_pred + _eps(y_pred)), axis=-1)


def _to_pm1(y_true):
    # Keras converts {0, 1} labels to {-1, 1}
    is_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0.0), tf.equal(y_true, 1.0)))
    return tf.where(tf.broadcast_to(is_binary, tf.shape(y_true)), 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true = _to_pm1(_cast_like(y_true, y_pred))
    return tf.reduce_mean(tf.maximum(1.0 - y_true * y_pred, tf.zeros_like(y_pred)), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true = _to_pm1(_cast_like(y_true, y_pred))
    return tf.reduce_mean(tf.square(tf.maximum(1.0 - y_true * y_pred, tf.zeros_like(y_pred))),
                          axis=-1)


def _l2_normalize(x, axis=-1):
    sq = tf.reduce_sum(tf.square(x), axis=axis, keepdims=True)
    return x * tf.rsqrt(tf.maximum(sq, tf.constant(1e-12, dtype=x.dtype)))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Keras's loss: -cos(y_true, y_pred) (so minimizing it aligns the vectors)."""
    y_true = _l2_normalize(_cast_like(y_true, y_pred), axis)
    y_pred = _l2_normalize(y_pred, axis)
    return -tf.reduce_sum(y_true * y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber


def mask_weights(mask, per):
    """Keras 3's weights for a masked per-step loss `per`: total/valid on the kept steps and 0
    on the masked ones, so the batch mean becomes sum(loss over kept steps) / (kept steps)."""
    m = tf.cast(mask, per.dtype)
    while m.shape.ndims < per.shape.ndims:
        m = tf.expand_dims(m, -1)
    total = tf.cast(tf.reduce_prod(tf.shape(mask)), per.dtype)
    valid = tf.reduce_sum(m)
    scale = tf.where(tf.greater(valid, 0), total / tf.maximum(valid, 1), tf.zeros_like(valid))
    return m * scale


# -- Loss classes
# ------------------------------------------------------------------------------------
class Loss:
    """Base class: `loss(y_true, y_pred, sample_weight=None)` -> scalar (sum_over_batch_size)."""

    fn = None

    def __init__(self, reduction="sum_over_batch_size", name=None, **kwargs):
        self.reduction = reduction
        self.name = name or _snake(type(self).__name__)
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return type(self).fn(y_true, y_pred, **self._fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        from tfgraph.framework.tensor import Tensor
        if not isinstance(y_pred, Tensor):
            return _eval_numpy(self, y_true, y_pred, sample_weight)
        y_true = tf.convert_to_tensor(y_true)
        per = self.call(y_true, y_pred)
        if sample_weight is not None:
            per = per * tf.cast(sample_weight, per.dtype)
        mask = getattr(y_pred, "_keras_mask", None)
        if mask is not None and mask.shape.ndims is not None and \
                mask.shape.ndims <= (per.shape.ndims or 0):
            per = per * (mask_weights(mask, per) if self.reduction == "sum_over_batch_size"
                         else tf.cast(mask, per.dtype))
        if self.reduction in ("none", None):
            return per
        total = tf.reduce_sum(per)
        if self.reduction == "sum":
            return total
        return total / tf.cast(tf.reduce_prod(tf.shape(per)), per.dtype)

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _snake(name):
    return backend.to_snake_case(name)


def _eval_numpy(loss, y_true, y_pred, sample_weight):
    """Loss objects called on numpy values (as in eager Keras) run in a private graph."""
    g = tf.Graph()
    with g.as_default():
        t = tf.constant(np.asarray(y_true, dtype=np.float32))
        p = tf.constant(np.asarray(y_pred, dtype=np.float32))
        sw = None if sample_weight is None else tf.constant(np.asarray(sample_weight, np.float32))
        out = loss(t, p, sample_weight=sw)
        with tf.Session(graph=g) as sess:
            return sess.run(out)


def _loss_class(name, fn, **defaults):
    def __init__(self, reduction="sum_over_batch_size", name=None, **kwargs):
        Loss.__init__(self, reduction=reduction, name=name or _snake(cls_name),
                      **{**defaults, **kwargs})
    cls_name = name
    return type(name, (Loss,), {"fn": staticmethod(fn), "__init__": __init__})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error)
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error)
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError",
                                          mean_absolute_percentage_error)
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError",
                                          mean_squared_logarithmic_error)
Huber = _loss_class("Huber", huber, delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh)
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, from_logits=False)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      from_logits=False)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy",
                                            sparse_categorical_crossentropy, from_logits=False)
KLDivergence = _loss_class("KLDivergence", kl_divergence)
Poisson = _loss_class("Poisson", poisson)
Hinge = _loss_class("Hinge", hinge)
SquaredHinge = _loss_class("SquaredHinge", squared_hinge)
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity)

_FUNCS = {f.__name__: f for f in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson, hinge,
    squared_hinge, cosine_similarity)}
_FUNCS.update({"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape,
               "msle": msle, "MSLE": msle, "kld": kld, "KLD": kld, "logcosh": log_cosh,
               "kullback_leibler_divergence": kl_divergence, "huber_loss": huber})
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    Huber, LogCosh, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    KLDivergence, Poisson, Hinge, SquaredHinge, CosineSimilarity)}


def serialize(loss):
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", loss)


def deserialize(config):
    if isinstance(config, dict):
        return _CLASSES[config["class_name"]].from_config(config.get("config", {}))
    return get(config)


def get(identifier):
    """A loss from a name ('mse', 'sparse_categorical_crossentropy'), a Loss, or a function."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _FUNCS:
            return _FUNCS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError("Unknown loss function: '%s'. Please ensure you are using a "
                         "`keras.utils.custom_object_scope` and that this object is included in "
                         "the scope. Known losses: %s" % (identifier, ", ".join(sorted(_FUNCS))))
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret loss identifier: %r" % (identifier,))


def loss_name(loss):
    """The name Keras uses for a loss (function name, or the Loss object's name)."""
    return getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__


def is_sparse(loss):
    fn = getattr(loss, "fn", None) if isinstance(loss, Loss) else loss
    return fn is sparse_categorical_crossentropy


def per_sample_fn(loss):
    """A function (y_true, y_pred) -> per-sample values for the engine's weighted reduction."""
    if isinstance(loss, Loss):
        return loss.call
    return loss
