"""Keras 3's confusion-matrix metrics: TruePositives ... FalseNegatives, Precision, Recall, AUC and
the *At* metrics (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
SpecificityAtSensitivity).

Each batch contributes counts at every threshold (graph tensors, summed over the batch); the engine
or `update_state` adds them up and `result_from` turns the totals into the value, as Keras's
variables would after the same updates. Counting follows Keras 3: `y_pred > threshold` is a
positive; evenly spaced thresholds (AUC's and the *At* metrics' defaults) use Keras's bucketing,
`ceil(y_pred * (n - 1)) - 1`, so values on a bucket edge fall where Keras puts them.
"""
import numpy as np

import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras.engine import step_context
from tfgraph_keras.metrics.base import Metric

NEG_INF = -1e10


class VectorMetric(Metric):
    """A Metric whose per-batch statistics may be arrays (counts per threshold or class)."""

    def __init__(self, name=None, dtype=None):
        # Keras 3 names metrics created without a name 'auc', 'auc_1', ... (process-wide)
        if name is None:
            name = backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self._totals = None

    reset_states = reset_state

    def accumulate(self, values):
        values = [np.asarray(v, np.float64) for v in values]
        if self._totals is None:
            self._totals = values
        else:
            self._totals = [a + b for a, b in zip(self._totals, values)]

    def result(self):
        if step_context.current() is not None:
            return step_context.MetricResult(self)
        if self._totals is None:
            return self.result_from(self._empty())
        return self.result_from(self._totals)

    def _empty(self):
        raise NotImplementedError


def _same_rank(x1, x2, expand_rank_1=True):
    """Keras's squeeze_or_expand_to_same_rank on static ranks."""
    r1, r2 = x1.shape.ndims, x2.shape.ndims
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = tf.expand_dims(x2, -1)
        else:
            x1 = tf.squeeze(x1, [-1])
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = tf.expand_dims(x1, -1)
        else:
            x2 = tf.squeeze(x2, [-1])
    return x1, x2


def filter_top_k(x, k):
    """x where the value is among the k largest of its last axis, NEG_INF elsewhere."""
    _, idx = tf.nn.top_k(x, k)
    mask = tf.reduce_sum(tf.one_hot(idx, int(x.shape[-1]), dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1.0 - mask)


def _prepare(y_true, y_pred, sample_weight, top_k=None, class_id=None, where="metric"):
    """(labels as 0/1 floats, predictions, weights broadcast to the predictions or None)."""
    y_pred = tf.cast(y_pred, tf.float32)
    y_true = tf.cast(y_true, tf.float32)
    y_pred, y_true = _same_rank(y_pred, y_true)
    w = None
    if sample_weight is not None:
        w = tf.expand_dims(tf.cast(sample_weight, tf.float32), -1)
        _, w = _same_rank(y_true, w, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.shape.ndims == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             "(num_samples, num_classes), found shape: %s" % (y_pred.shape,))
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    y_true = tf.cast(tf.not_equal(y_true, 0.0), tf.float32)
    if w is not None:
        w = w * tf.ones_like(y_pred)
    return y_true, y_pred, w


def confusion_counts(y_true, y_pred, w, thresholds, evenly=False, with_epsilon=False,
                     multi_label=False, label_weights=None):
    """[tp, fp, tn, fn] summed over the batch: shape (T,), or (T, labels) for multi_label."""
    t_count = len(thresholds)
    if label_weights is not None and not multi_label:
        lw = tf.constant(np.asarray(label_weights, np.float32))
        w = lw * tf.ones_like(y_pred) if w is None else w * lw
    if not multi_label:
        y_true, y_pred = tf.reshape(y_true, [-1]), tf.reshape(y_pred, [-1])
        if w is not None:
            w = tf.reshape(w, [-1])
    pos_w = y_true if w is None else y_true * w
    neg_w = (1.0 - y_true) if w is None else (1.0 - y_true) * w
    if evenly:
        y_pred = tf.clip_by_value(y_pred, 0.0, 1.0)
        bucket = tf.ceil(y_pred * float(t_count - 1)) - 1.0
        if with_epsilon:
            bucket = tf.nn.relu(bucket)
        # one-hot of the bucket (a -1 bucket is all zeros, as segment_sum drops it), then the
        # count above each threshold is the reverse cumulative sum over buckets
        hot = tf.one_hot(tf.cast(bucket, tf.int32), t_count, dtype=tf.float32)
        tp = tf.cumsum(tf.reduce_sum(hot * tf.expand_dims(pos_w, -1), axis=0), axis=-1,
                       reverse=True)
        fp = tf.cumsum(tf.reduce_sum(hot * tf.expand_dims(neg_w, -1), axis=0), axis=-1,
                       reverse=True)
        if multi_label:
            tp, fp = tf.transpose(tp), tf.transpose(fp)
    else:
        thr = tf.constant(np.asarray(thresholds, np.float32))
        thr = tf.reshape(thr, [t_count] + [1] * (2 if multi_label else 1))
        above = tf.cast(tf.greater(tf.expand_dims(y_pred, 0), thr), tf.float32)
        tp = tf.reduce_sum(above * pos_w, axis=1)
        fp = tf.reduce_sum(above * neg_w, axis=1)
    total_pos = tf.reduce_sum(pos_w, axis=0)
    total_neg = tf.reduce_sum(neg_w, axis=0)
    return [tp, fp, total_neg - fp, total_pos - tp]


def _div(a, b):
    """divide_no_nan."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def _value(x):
    x = np.asarray(x, np.float64)
    return float(x) if x.ndim == 0 else x


def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return [default], True
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        values = [float(t) for t in np.asarray(thresholds).reshape(-1)]
        one = False
    else:
        values, one = [float(thresholds)], True
    for t in values:
        if not (0.0 <= t <= 1.0) and t != NEG_INF:
            raise ValueError("Threshold values must be in [0, 1]. Received: %s" % (thresholds,))
    return values, one


class _ConfusionCount(VectorMetric):
    """One cell of the confusion matrix at `thresholds` (default 0.5)."""

    _index = 0

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.thresholds, self._one = _parse_thresholds(thresholds, 0.5)
        super().__init__(name=name, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        t, p, w = _prepare(y_true, y_pred, sample_weight)
        return [confusion_counts(t, p, w, self.thresholds)[self._index]]

    def _empty(self):
        return [np.zeros(len(self.thresholds))]

    def result_from(self, totals):
        v = np.asarray(totals[0], np.float64)
        return _value(v[0] if len(self.thresholds) == 1 else v)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) number of true positives: label 1 and prediction > threshold."""
    _index = 0


class FalsePositives(_ConfusionCount):
    """The (weighted) number of false positives: label 0 and prediction > threshold."""
    _index = 1


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of true negatives: label 0 and prediction <= threshold."""
    _index = 2


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of false negatives: label 1 and prediction <= threshold."""
    _index = 3


class _PrecisionRecall(VectorMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds, self._one = _parse_thresholds(thresholds, default)
        self.top_k = top_k
        self.class_id = class_id
        super().__init__(name=name, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        t, p, w = _prepare(y_true, y_pred, sample_weight, self.top_k, self.class_id)
        return confusion_counts(t, p, w, self.thresholds)

    def _empty(self):
        return [np.zeros(len(self.thresholds))] * 4

    def result_from(self, totals):
        tp, fp, _, fn = totals
        v = _div(tp, tp + (fp if self._precision else fn))
        return _value(v[0] if len(self.thresholds) == 1 else v)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at `thresholds`, over the `top_k` predictions or one `class_id`."""
    _precision = True


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at `thresholds`, over the `top_k` predictions or one `class_id`."""
    _precision = False


def _evenly_spaced(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


class AUC(VectorMetric):
    """Area under the ROC or PR curve, from confusion counts at `num_thresholds` thresholds."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if str(curve).upper() not in ("ROC", "PR", "PRGAIN"):
            raise ValueError('Invalid `curve` argument value "%s". Expected one of: '
                             "['ROC', 'PR', 'PRGAIN']" % (curve,))
        if str(summation_method).lower() not in ("interpolation", "minoring", "majoring"):
            raise ValueError('Invalid `summation_method` argument value "%s". Expected one of: '
                             "['interpolation', 'majoring', 'minoring']" % (summation_method,))
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(thresholds) + 2
            self._evenly = _evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. Received: "
                                 "num_thresholds=%s" % (num_thresholds,))
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        eps = backend.epsilon()
        self._thresholds = [0.0 - eps] + list(thresholds) + [1.0 + eps]
        self.curve = str(curve).upper()
        self.summation_method = str(summation_method).lower()
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights,
                                                                           np.float64)
        self._from_logits = from_logits
        super().__init__(name=name, dtype=dtype)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def stats(self, y_true, y_pred, sample_weight=None):
        if self._from_logits:
            y_pred = tf.sigmoid(tf.cast(y_pred, tf.float32))
        t, p, w = _prepare(y_true, y_pred, sample_weight)
        if self.multi_label and p.shape.ndims != 2:
            raise ValueError("AUC with multi_label=True expects 2D predictions (batch_size, "
                             "num_labels). Received: y_pred.shape=%s" % (p.shape,))
        return confusion_counts(t, p, w, self._thresholds, self._evenly, True, self.multi_label,
                                None if self.multi_label else self.label_weights)

    def _empty(self):
        shape = (self.num_thresholds,) + ((self.num_labels or 1,) if self.multi_label else ())
        return [np.zeros(shape)] * 4

    def _by_label(self, terms):
        if not self.multi_label:
            return float(np.sum(terms))
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(_div(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:n - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _div(p[:n - 1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore"):
            log_ratio = np.log(np.where(ratio > 0, ratio, 1.0))
        terms = _div(slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(terms)

    def result_from(self, totals):
        tp, fp, tn, fn = [np.asarray(v, np.float64) for v in totals]
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _div(tp, tp + fp)
        else:
            scale = _div(tp + fn, tn + fp)
            x = np.maximum(np.where(tp == 0, 0.0, 1.0 - scale * _div(fn, tp)), 0.0)
            y = np.where(tp == 0, 1.0, 1.0 - scale * _div(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:n - 1], y[1:])
        else:
            heights = np.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(), "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config


class _AtBase(VectorMetric):
    """Counts at `num_thresholds` evenly spaced thresholds in [0, 1] (0.5 alone when 1)."""

    _arg = "value"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             "num_thresholds=%s" % (num_thresholds,))
        if not 0 <= value <= 1:
            raise ValueError("Argument `%s` must be in the range [0, 1]. Received: %s=%s"
                             % (self._arg, self._arg, value))
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        super().__init__(name=name, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        t, p, w = _prepare(y_true, y_pred, sample_weight, class_id=self.class_id)
        return confusion_counts(t, p, w, self.thresholds, self._evenly, False)

    def _empty(self):
        return [np.zeros(len(self.thresholds))] * 4

    def result_from(self, totals):
        tp, fp, tn, fn = [np.asarray(v, np.float64) for v in totals]
        constrained, dependent = self._curves(tp, fp, tn, fn)
        feasible = constrained >= self.value
        return float(np.max(np.where(feasible, dependent, 0.0), initial=0.0))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                self._arg: self.value, "class_id": self.class_id}


class SensitivityAtSpecificity(_AtBase):
    """The best sensitivity (recall) over the thresholds where specificity >= `specificity`."""
    _arg = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity

    def _curves(self, tp, fp, tn, fn):
        return _div(tn, tn + fp), _div(tp, tp + fn)


class SpecificityAtSensitivity(_AtBase):
    """The best specificity over the thresholds where sensitivity >= `sensitivity`."""
    _arg = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity

    def _curves(self, tp, fp, tn, fn):
        return _div(tp, tp + fn), _div(tn, tn + fp)


class PrecisionAtRecall(_AtBase):
    """The best precision over the thresholds where recall >= `recall`."""
    _arg = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall

    def _curves(self, tp, fp, tn, fn):
        return _div(tp, tp + fn), _div(tp, tp + fp)


class RecallAtPrecision(_AtBase):
    """The best recall over the thresholds where precision >= `precision`."""
    _arg = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision

    def _curves(self, tp, fp, tn, fn):
        return _div(tp, tp + fp), _div(tp, tp + fn)
