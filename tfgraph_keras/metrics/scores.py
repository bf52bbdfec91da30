"""Keras 3's F-scores (FBetaScore, F1Score), MeanIoU and R2Score, with per-class statistics summed
over batches (see confusion.py's VectorMetric)."""
import warnings

import numpy as np

import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras.metrics.confusion import VectorMetric, _div, _same_rank


def _check_2d(cls_name, y_true, y_pred):
    if y_pred.shape.ndims != 2 or y_true.shape.ndims != 2:
        raise ValueError("%s expects 2D inputs with shape (batch_size, output_dim). Received "
                         "input shapes: y_pred.shape=%s and y_true.shape=%s."
                         % (cls_name, y_pred.shape, y_true.shape))
    if y_pred.shape[-1] is None or y_true.shape[-1] is None:
        raise ValueError("%s expects 2D inputs with shape (batch_size, output_dim), with "
                         "output_dim fully defined (not None). Received input shapes: "
                         "y_pred.shape=%s and y_true.shape=%s."
                         % (cls_name, y_pred.shape, y_true.shape))


class FBetaScore(VectorMetric):
    """F-beta per class, or averaged ('micro', 'macro', 'weighted'); predictions count as
    positive above `threshold`, or at their row's maximum when `threshold` is None."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', "
                             "'macro', 'weighted'}. Received: average=%s" % (average,))
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             "Received: beta=%s of type '%s'" % (beta, type(beta)))
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. Received: "
                             "beta=%s" % (beta,))
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 "float. Received: threshold=%s of type '%s'"
                                 % (threshold, type(threshold)))
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < "
                                 "threshold <= 1. Received: threshold=%s" % (threshold,))
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self._n_classes = None
        super().__init__(name=name, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        _check_2d(type(self).__name__, y_true, y_pred)
        self._n_classes = int(y_pred.shape[-1])
        y_pred = tf.cast(y_pred, tf.float32)
        y_true = tf.cast(y_true, tf.float32)
        if self.threshold is None:
            top = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            pred = tf.logical_and(tf.greater_equal(y_pred, top), tf.greater(tf.abs(y_pred), 1e-9))
        else:
            pred = tf.greater(y_pred, self.threshold)
        pred = tf.cast(pred, tf.float32)
        axis = None if self.average == "micro" else 0
        w = None if sample_weight is None else tf.expand_dims(tf.cast(sample_weight, tf.float32),
                                                              1)

        def total(v):
            return tf.reduce_sum(v if w is None else v * w, axis=axis)
        return [total(pred * y_true), total(pred * (1.0 - y_true)), total((1.0 - pred) * y_true),
                total(y_true)]

    def _empty(self):
        shape = () if self.average == "micro" else (self._n_classes or 0,)
        return [np.zeros(shape)] * 4

    def result_from(self, totals):
        tp, fp, fn, weights = [np.asarray(v, np.float64) for v in totals]
        eps = backend.epsilon()
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta ** 2
        f = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            return float(np.sum(f * weights / (np.sum(weights) + eps)))
        if self.average is not None:
            return float(np.mean(f))
        return f

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F-1: the harmonic mean of precision and recall (FBetaScore with beta=1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class MeanIoU(VectorMetric):
    """Mean over classes of intersection over union, from a num_classes x num_classes confusion
    matrix. Like Keras 3 its dtype is 'int32' unless given: labels, predictions and sample
    weights are truncated to integers before counting."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        super().__init__(name=name, dtype=dtype or "int32")

    def stats(self, y_true, y_pred, sample_weight=None):
        integer = "int" in str(self.dtype)
        if not self.sparse_y_true:
            y_true = tf.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tf.argmax(y_pred, axis=self.axis)
        cast = tf.int32 if integer else tf.float32
        y_true = tf.reshape(tf.cast(y_true, cast), [-1])
        y_pred = tf.reshape(tf.cast(y_pred, cast), [-1])
        if sample_weight is None:
            w = tf.ones_like(y_true)
        else:
            w = tf.reshape(tf.cast(sample_weight, cast), [-1]) * tf.ones_like(y_true)
        n = self.num_classes
        ok = tf.logical_and(
            tf.logical_and(tf.greater_equal(y_true, 0), tf.less(y_true, n)),
            tf.logical_and(tf.greater_equal(y_pred, 0), tf.less(y_pred, n)))
        if self.ignore_class is not None:
            ok = tf.logical_and(ok, tf.not_equal(y_true, self.ignore_class))
        zero = tf.zeros_like(y_true)
        y_true, y_pred = tf.where(ok, y_true, zero), tf.where(ok, y_pred, zero)
        w = tf.cast(tf.where(ok, w, zero), tf.float32)
        cell = tf.cast(y_true, tf.int32) * n + tf.cast(y_pred, tf.int32)
        hot = tf.one_hot(cell, n * n, dtype=tf.float32)
        return [tf.reduce_sum(hot * tf.expand_dims(w, -1), axis=0)]

    def _empty(self):
        return [np.zeros(self.num_classes ** 2)]

    def result_from(self, totals):
        cm = np.asarray(totals[0], np.float64).reshape(self.num_classes, self.num_classes)
        rows, cols, tp = cm.sum(axis=0), cm.sum(axis=1), np.diag(cm)
        denominator = rows + cols - tp
        valid = np.count_nonzero(denominator)
        return float(_div(np.sum(_div(tp, denominator)), valid))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class R2Score(VectorMetric):
    """The coefficient of determination per output, averaged ('uniform_average',
    'variance_weighted_average') or not (None); adjusted when `num_regressors` > 0."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             "%s. Received: class_aggregation=%s" % (valid, class_aggregation))
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= "
                             "0. Received: num_regressors=%s" % (num_regressors,))
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self._n_out = None
        super().__init__(name=name, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        y_true = tf.cast(y_true, tf.float32)
        y_pred = tf.cast(y_pred, tf.float32)
        y_true, y_pred = _same_rank(y_true, y_pred)
        _check_2d("R2Score", y_true, y_pred)
        self._n_out = int(y_pred.shape[-1])
        if sample_weight is None:
            w = tf.ones_like(y_true)
        else:
            w = tf.cast(sample_weight, tf.float32)
            if w.shape.ndims == 1:
                w = tf.expand_dims(w, 1)
            w = w * tf.ones_like(y_true)
        wy = y_true * w
        size = tf.cast(tf.size(y_true), tf.float32)
        return [tf.reduce_sum(wy, 0), tf.reduce_sum(y_true * wy, 0),
                tf.reduce_sum(tf.square(y_true - y_pred) * w, 0), tf.reduce_sum(w, 0), size]

    def _empty(self):
        z = np.zeros(self._n_out or 0)
        return [z, z, z, z, np.zeros(())]

    def result_from(self, totals):
        s, sq, mse, count, n = [np.asarray(v, np.float64) for v in totals]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s / count
            total = sq - s * mean
            raw = 1.0 - mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            r2 = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = np.sum(total * raw) / np.sum(total)
        else:
            r2 = raw
        p = self.num_regressors
        if p:
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard "
                              "R2 score.", stacklevel=2)
            else:
                r2 = 1.0 - (1.0 - r2) * (n - 1.0) / (n - p - 1.0)
        return float(r2) if np.ndim(r2) == 0 else r2

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
