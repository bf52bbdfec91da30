"""Neural-network ops (tf.nn): activations, softmax, bias_add, cross-entropies, l2_loss, top-k, LRN.

Activation backward passes are ops of their own (ReluGrad, EluGrad, ...), as in TF, each with a
gradient, so second-order gradients work. The softmax cross-entropies are single ops with two
outputs (loss, backprop): the gradient reuses `backprop`, and a Numba kernel computes both in one
pass (tfgraph/kernels/softmax.py).
"""
import functools

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import (
    OpDef,
    TensorSpec,
    constant_value,
    convert_to_tensor,
    require,
    require_float,
)
from tfgraph.kernels import elementwise as _elementwise
from tfgraph.kernels import softmax as _kernels
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.activation_ops import *  # noqa: F401,F403 - tf.nn.relu etc. (activation_ops.py)
from tfgraph.ops.activation_ops import (_FAST_FLOATS, _Activation, _ActivationGrad, _flat,  # noqa: F401
                                        _unary_kernel, _zeros)

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


# -- row-wise Numba kernels ------------------------------------------------------------------------
def _row_kernel(op, fast, ref, max_classes):
    """`fast` (a Numba row kernel) when the last dim is below `max_classes`, else the numpy `ref`:
    numpy's vectorized exp wins on long rows, one fused pass wins on short ones."""
    x = op.inputs[0]
    c = x.shape.as_list()[-1] if x.shape.ndims else None
    if x.dtype not in (dtypes.float32, dtypes.float64) or x.shape.ndims == 0 or \
            (c is not None and c >= max_classes):
        return ref
    if c is not None:
        return fast
    return lambda x, *rest: (fast if x.shape[-1] < max_classes else ref)(x, *rest)


# -- softmax / log_softmax -------------------------------------------------------------------------
class _SoftmaxBase(OpDef):
    attrs = {"axis": -1}

    def infer(self, logits, *, axis):
        require_float(logits, self.type)
        nd = logits.shape.ndims
        require(nd is None or nd >= 1, "Shape must be at least rank 1 but is rank 0")
        require(nd is None or -nd <= axis < nd,
                "Dimension %d must be in the range [%d, %d)" % (axis, -(nd or 0), nd or 0))
        return [TensorSpec(logits.shape, logits.dtype)]


# Numba's scalar exp loses to numpy's vectorized exp on long rows. Measured, float32, 2 shared
# cores:
# (128, 10) numpy 80 us, Numba 12 us; (128, 100) 66 vs 171 us; (128, 1000) 1062 vs 1469 us.
_SOFTMAX_FAST_MAX = 32


class Softmax(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the max so it never overflows."""
    type = "Softmax"

    def compute(self, x, *, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    def fast(self, x):
        out = np.empty(x.shape, x.dtype)
        if x.size:
            c = x.shape[-1]
            _kernels.softmax_rows(x.reshape(-1, c), out.reshape(-1, c))
        return out

    def make_kernel(self, op, rt):
        ref = functools.partial(self.compute, axis=op.attrs["axis"])
        nd = op.inputs[0].shape.ndims
        if op.attrs["axis"] != -1 and (nd is None or op.attrs["axis"] != nd - 1):
            return ref
        return _row_kernel(op, self.fast, ref, _SOFTMAX_FAST_MAX)

    def grad(self, op, dy):
        y, axis = op.outputs[0], op.attrs["axis"]
        return [(dy - math_ops.reduce_sum(dy * y, axis, keepdims=True)) * y]


class LogSoftmax(_SoftmaxBase):
    """x - log(sum(exp(x))) along `axis`, computed stably."""
    type = "LogSoftmax"

    def compute(self, x, *, axis):
        shifted = x - x.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def grad(self, op, dy):
        y, axis = op.outputs[0], op.attrs["axis"]
        return [dy - math_ops.reduce_sum(dy, axis, keepdims=True) * math_ops.exp(y)]


def _axis(axis, dim, default=-1):
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    return default if axis is None else int(axis)


def softmax(logits, axis=None, name=None, dim=None):
    """tf.nn.softmax: exp(logits) / reduce_sum(exp(logits), axis) (axis defaults to -1)."""
    return Softmax.apply(logits, axis=_axis(axis, dim), name=name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """tf.nn.log_softmax: logits - log(reduce_sum(exp(logits), axis))."""
    return LogSoftmax.apply(logits, axis=_axis(axis, dim), name=name)


# -- bias_add --------------------------------------------------------------------------------------
def _channel_axis(ndims, data_format):
    return 1 if data_format == "NCHW" else ndims - 1


class BiasAdd(OpDef):
    """value + bias along the channel dim (last for NHWC, dim 1 for NCHW)."""
    type = "BiasAdd"
    scalar = "{0} + {1}"   # NHWC: the bias runs along the last dim, as fused kernels broadcast it
    attrs = {"data_format": "NHWC"}
    same_dtype = (0, 1)

    def scalar_expression(self, op):
        return self.scalar if op.attrs["data_format"] == "NHWC" else None

    def infer(self, value, bias, *, data_format):
        nd = value.shape.ndims
        require(nd is None or nd >= 2, "Shape must be at least rank 2 but is rank %s" % nd)
        require(bias.shape.ndims in (None, 1), "Shape must be rank 1 but is rank %s"
                % bias.shape.ndims)
        if nd is not None and bias.shape.ndims == 1:
            c = value.shape.as_tuple()[_channel_axis(nd, data_format)]
            b = bias.shape.as_tuple()[0]
            require(c is None or b is None or c == b,
                    "Dimensions must be equal, but are %s and %s" % (c, b))
        return [TensorSpec(value.shape, value.dtype)]

    def compute(self, value, bias, *, data_format):
        if data_format == "NCHW":
            bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
        return value + bias

    def make_kernel(self, op, rt):
        compute = functools.partial(self.compute, **op.attrs)
        if op.attrs["data_format"] == "NCHW" or op.inputs[0].dtype not in _FAST_FLOATS:
            return compute

        def kernel(value, bias):
            c = bias.shape[0] if bias.ndim == 1 else -1
            if value.ndim < 2 or value.shape[-1] != c:
                return compute(value, bias)   # raises the reference's shape error
            out = np.empty(value.shape, value.dtype)
            if out.size:
                _elementwise.bias_add(np.ascontiguousarray(value).reshape(-1, c),
                                      np.ascontiguousarray(bias), out.reshape(-1, c))
            return out
        return kernel

    def grad(self, op, dy):
        return [dy, BiasAddGrad.apply(dy, data_format=op.attrs["data_format"])]


class BiasAddGrad(OpDef):
    """Sums `out_backprop` over every dim but the channel dim."""
    type = "BiasAddGrad"
    attrs = {"data_format": "NHWC"}

    def infer(self, dy, *, data_format):
        nd = dy.shape.ndims
        require(nd is None or nd >= 2, "Shape must be at least rank 2 but is rank %s" % nd)
        c = None if nd is None else dy.shape.as_tuple()[_channel_axis(nd, data_format)]
        return [TensorSpec([c], dy.dtype)]

    def compute(self, dy, *, data_format):
        if data_format == "NCHW":
            return dy.sum(axis=(0,) + tuple(range(2, dy.ndim)))
        return dy.reshape(-1, dy.shape[-1]).sum(axis=0)

    def make_kernel(self, op, rt):
        compute = functools.partial(self.compute, **op.attrs)
        if op.attrs["data_format"] == "NCHW" or op.inputs[0].dtype not in _FAST_FLOATS:
            return compute

        def kernel(dy):
            if dy.size == 0 or dy.ndim < 2:
                return compute(dy)
            # numpy's dy.sum(axis=0) adds a (rows, 32) array row after row (W3's conv gradient,
            # (128, 26, 26, 32): 2.4 ms); the blocked Numba column sum streams it once (0.5 ms).
            c = dy.shape[-1]
            out = np.empty(c, dy.dtype)
            _elementwise.bias_add_grad(np.ascontiguousarray(dy).reshape(-1, c), out)
            return out
        return kernel

    def grad(self, op, g):
        dy = op.inputs[0]
        nd = dy.shape.ndims
        require(nd is not None, "BiasAddGrad's gradient needs the rank of its input")
        bshape = [1] * nd
        bshape[_channel_axis(nd, op.attrs["data_format"])] = -1
        return [math_ops.broadcast_to(array_ops.reshape(g, bshape), array_ops.shape(dy))]


def _data_format(data_format):
    return "NCHW" if data_format and data_format.upper().startswith("NC") else "NHWC"


def bias_add(value, bias, data_format=None, name=None):
    """tf.nn.bias_add: adds a 1-D `bias` along the channel dim of `value` (NHWC: the last)."""
    return BiasAdd.apply(value, bias, data_format=_data_format(data_format), name=name)


# -- dropout's mask --------------------------------------------------------------------------------
def _dropout_scale(rate, dtype):
    keep = 1.0 - float(rate)    # python floats: np.errstate alone costs 4 us per call
    return dtype.type(1.0 / keep if keep else np.inf)


class DropoutMask(OpDef):
    """The scaled keep mask of dropout: 1 / (1 - rate) where noise >= rate, else 0.

    TF1 builds it from GreaterEqual, Cast and a scale Mul; tf.nn.dropout multiplies x by this one op
    instead (one pass over the noise, and its gradient is the same Mul). `rate` is a scalar of the
    noise's dtype; the scale is rounded to that dtype once, as TF1's constant 1 / keep_prob.
    """
    type = "DropoutMask"
    same_dtype = (0, 1)

    def infer(self, noise, rate):
        require_float(noise, self.type)
        require(rate.shape.ndims in (None, 0), "rate must be a scalar, got shape %s" % rate.shape)
        return [TensorSpec(noise.shape, noise.dtype)]

    def compute(self, noise, rate):
        scale = _dropout_scale(rate, noise.dtype)
        return np.where(noise >= rate, scale, noise.dtype.type(0)).astype(noise.dtype)

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in _FAST_FLOATS:
            return self.compute

        def kernel(noise, rate):
            out = np.empty(noise.shape, noise.dtype)
            dt = noise.dtype.type
            _elementwise.dropout_mask(_flat(noise), dt(rate), _dropout_scale(rate, noise.dtype),
                                      out.reshape(-1))
            return out
        return kernel

    def grad(self, op, dy):
        return [None, None]   # random noise; TF1's graph has no gradient into the mask either


# -- softmax cross-entropies -----------------------------------------------------------------------
# The fused Numba kernel beats numpy for few classes; numpy's vectorized exp and pairwise sums win
# for many. Measured (128 rows, float32, 2 shared cores): 10 classes numpy 42 us, Numba 19 us;
# 100 classes 76 vs 77 us; 1000 classes 605 vs 803 us. So Numba below this many classes:
_FAST_MAX_CLASSES = 100

def _is_zero(t):
    if t is None or t.op.type == "ZerosLike":  # what tf.gradients feeds for an unused output
        return True
    v = constant_value(t)
    return v is not None and not np.any(v)


def _xent_logits_grad(op, grad_loss, grad_grad):
    """d/dlogits of (loss, backprop): grad_loss * backprop, plus the second-order term."""
    logits, backprop = op.inputs[0], op.outputs[1]
    grad = array_ops.expand_dims(grad_loss, -1) * backprop
    if not _is_zero(grad_grad):
        sm = softmax(logits)
        grad = grad + (grad_grad - math_ops.reduce_sum(grad_grad * sm, -1, keepdims=True)) * sm
    return grad


class _XentBase(OpDef):
    def infer_common(self, logits):
        require_float(logits, self.type)
        nd = logits.shape.ndims
        require(nd is None or nd >= 1, "logits must be at least rank 1")
        dims = logits.shape.as_tuple()
        loss_shape = tensor_shape.unknown_shape() if dims is None else dims[:-1]
        return loss_shape

    def make_kernel(self, op, rt):
        return _row_kernel(op, self.fast, self.compute, _FAST_MAX_CLASSES)


class SoftmaxCrossEntropyWithLogits(_XentBase):
    """(loss, backprop) = (-sum(labels * log_softmax(logits), -1), softmax(logits) - labels)."""
    type = "SoftmaxCrossEntropyWithLogits"
    same_dtype = (0, 1)

    def infer(self, logits, labels):
        loss_shape = self.infer_common(logits)
        require(logits.shape.is_compatible_with(labels.shape),
                "logits and labels must be broadcastable: logits_size=%s labels_size=%s"
                % (logits.shape, labels.shape))
        return [TensorSpec(loss_shape, logits.dtype),
                TensorSpec(logits.shape.merge_with(labels.shape), logits.dtype)]

    @staticmethod
    def _check(logits, labels):
        if logits.shape != labels.shape:
            raise ValueError("logits and labels must be broadcastable: logits_size=%s "
                             "labels_size=%s" % (list(logits.shape), list(labels.shape)))

    def compute(self, logits, labels):
        self._check(logits, labels)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=-1, keepdims=True)
        loss = np.sum(labels * (np.log(s) - shifted), axis=-1)
        return loss, e / s - labels

    def fast(self, logits, labels):
        self._check(logits, labels)
        c = logits.shape[-1]
        lg, lb = logits.reshape(-1, c), labels.reshape(-1, c)
        loss = np.empty(lg.shape[0], dtype=logits.dtype)
        backprop = np.empty(lg.shape, dtype=logits.dtype)
        if lg.size:
            _kernels.softmax_xent_rows(lg, lb, loss, backprop)
        return loss.reshape(logits.shape[:-1]), backprop.reshape(logits.shape)

    def grad(self, op, grad_loss, grad_grad):
        logits = op.inputs[0]
        g_labels = array_ops.expand_dims(grad_loss, -1) * math_ops.negative(log_softmax(logits))
        if not _is_zero(grad_grad):
            g_labels = g_labels - grad_grad
        return [_xent_logits_grad(op, grad_loss, grad_grad), g_labels]


class SparseSoftmaxCrossEntropyWithLogits(_XentBase):
    """(loss, backprop) for integer class labels: -log_softmax(logits)[label], softmax - onehot."""
    type = "SparseSoftmaxCrossEntropyWithLogits"

    def infer(self, logits, labels):
        if not labels.dtype.is_integer:
            raise TypeError("labels must be int32 or int64, got %s" % labels.dtype.name)
        loss_shape = self.infer_common(logits)
        require(labels.shape.is_compatible_with(loss_shape),
                "logits and labels must have the same first dimension, got logits shape %s and "
                "labels shape %s" % (logits.shape, labels.shape))
        return [TensorSpec(loss_shape, logits.dtype), TensorSpec(logits.shape, logits.dtype)]

    @staticmethod
    def _bad_label(labels, c):
        flat = labels.reshape(-1)
        bad = flat[(flat < 0) | (flat >= c)][0]
        return ValueError("Received a label value of %d which is outside the valid range of "
                          "[0, %d).  Label values: %s" % (bad, c, " ".join(map(str, flat))))

    def compute(self, logits, labels):
        c = logits.shape[-1]
        if labels.shape != logits.shape[:-1]:
            raise ValueError("logits and labels must have the same first dimension, got logits "
                             "shape %s and labels shape %s" % (list(logits.shape),
                                                              list(labels.shape)))
        if np.any((labels < 0) | (labels >= c)):
            raise self._bad_label(labels, c)
        lg, lb = logits.reshape(-1, c), labels.reshape(-1)
        shifted = lg - lg.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=-1, keepdims=True)
        rows = np.arange(len(lb))
        loss = (np.log(s[:, 0]) - shifted[rows, lb]).reshape(labels.shape)
        backprop = e / s
        backprop[rows, lb] -= 1
        backprop = backprop.reshape(logits.shape)
        return loss, backprop

    def fast(self, logits, labels):
        c = logits.shape[-1]
        if labels.shape != logits.shape[:-1]:
            return self.compute(logits, labels)  # raises the shape error
        lg = logits.reshape(-1, c)
        loss = np.empty(lg.shape[0], dtype=logits.dtype)
        backprop = np.empty(lg.shape, dtype=logits.dtype)
        if lg.size and _kernels.sparse_softmax_xent_rows(lg, labels.reshape(-1), loss,
                                                         backprop) >= 0:
            raise self._bad_label(labels, c)
        return loss.reshape(logits.shape[:-1]), backprop.reshape(logits.shape)

    def grad(self, op, grad_loss, grad_grad):
        return [_xent_logits_grad(op, grad_loss, grad_grad), None]


def _move_axis_last(t, axis):
    nd = t.shape.ndims
    if axis in (-1, None) or (nd is not None and axis == nd - 1):
        return t
    require(nd is not None, "softmax_cross_entropy_with_logits: axis %d needs a known rank" % axis)
    axis %= nd
    return array_ops.transpose(t, [i for i in range(nd) if i != axis] + [axis])


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """tf.nn.softmax_cross_entropy_with_logits_v2: -sum(labels * log_softmax(logits), axis).

    Gradients flow into both logits and labels (wrap labels in tf.stop_gradient if needed).
    """
    axis = _axis(axis, dim)
    g = get_default_graph()
    with g.name_scope(name or "softmax_cross_entropy_with_logits") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        logits_t, labels_t = _move_axis_last(logits, axis), _move_axis_last(labels, axis)
        loss, _ = SoftmaxCrossEntropyWithLogits.apply(logits_t, labels_t, name=scope)
        return loss


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                      axis=None):
    """tf.nn.softmax_cross_entropy_with_logits (v1): as _v2, with no gradient into labels."""
    _ensure_named(_sentinel, "softmax_cross_entropy_with_logits", labels, logits)
    g = get_default_graph()
    with g.name_scope(name or "softmax_cross_entropy_with_logits_sg") as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits,
                                                axis=_axis(axis, dim), name=scope)


def _ensure_named(sentinel, fn_name, labels, logits):
    if sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...)"
                         % fn_name)
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """tf.nn.sparse_softmax_cross_entropy_with_logits: -log_softmax(logits)[labels] per example.

    labels: int32/int64 of shape logits.shape[:-1], each in [0, num_classes).
    """
    _ensure_named(_sentinel, "sparse_softmax_cross_entropy_with_logits", labels, logits)
    g = get_default_graph()
    with g.name_scope(name or "SparseSoftmaxCrossEntropyWithLogits"):
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(labels)
        lr, gr = labels.shape.ndims, logits.shape.ndims
        if lr is not None and gr is not None and lr != gr - 1:
            raise ValueError("Rank mismatch: Rank of labels (received %d) should equal rank of "
                             "logits minus 1 (received %d)." % (lr, gr))
        loss, _ = SparseSoftmaxCrossEntropyWithLogits.apply(logits, labels)
        return loss


# -- l2_loss, in_top_k, top_k ----------------------------------------------------------------------
class L2Loss(OpDef):
    """sum(t ** 2) / 2, a scalar."""
    type = "L2Loss"

    def infer(self, t):
        require_float(t, self.type)
        return [TensorSpec([], t.dtype)]

    def compute(self, t):
        return np.asarray(np.sum(t * t) / 2, dtype=t.dtype)

    def grad(self, op, dy):
        return [op.inputs[0] * dy]


def l2_loss(t, name=None):
    """tf.nn.l2_loss: sum(t ** 2) / 2."""
    return L2Loss.apply(t, name=name)


class InTopKV2(OpDef):
    """Whether targets[i] is among the top k of predictions[i] (ties at the boundary count in)."""
    type = "InTopKV2"
    same_dtype = (1, 2)

    def infer(self, predictions, targets, k):
        require(predictions.shape.ndims in (None, 2), "Shape must be rank 2 but is rank %s"
                % predictions.shape.ndims)
        require(targets.shape.ndims in (None, 1), "Shape must be rank 1 but is rank %s"
                % targets.shape.ndims)
        if not targets.dtype.is_integer:
            raise TypeError("targets must be int32 or int64, got %s" % targets.dtype.name)
        batch = tensor_shape.TensorShape([None]).merge_with(targets.shape)
        if predictions.shape.ndims == 2:
            batch = batch.merge_with(predictions.shape.as_tuple()[:1])
        return [TensorSpec(batch, dtypes.bool)]

    def compute(self, predictions, targets, k):
        n, c = predictions.shape
        valid = (targets >= 0) & (targets < c)
        target_pred = predictions[np.arange(n), np.where(valid, targets, 0)]
        more = np.sum(predictions > target_pred[:, None], axis=1)
        finite = np.all(np.isfinite(predictions), axis=1)
        return valid & finite & (more < k)

    def grad(self, op, dy):
        return [None, None, None]


def in_top_k(predictions, targets, k, name=None):
    """tf.nn.in_top_k: bool [batch], True where the target class is within the top k predictions."""
    targets = convert_to_tensor(targets)
    return InTopKV2.apply(predictions, targets, np.asarray(k, dtype=targets.dtype.np), name=name)


class TopKV2(OpDef):
    """The k largest entries along the last dim (values, int32 indices); ties keep lower indices."""
    type = "TopKV2"
    attrs = {"sorted": True}
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, k, *, sorted):
        kv = constant_value(k)
        dims = x.shape.as_tuple()
        if dims is None:
            shape = tensor_shape.unknown_shape()
        else:
            require(len(dims) >= 1, "input must be at least rank 1")
            if kv is not None and dims[-1] is not None:
                require(int(kv) <= dims[-1], "input must have at least k columns. Had %d, needed %d"
                        % (dims[-1], int(kv)))
            shape = tensor_shape.TensorShape(dims[:-1] + (None if kv is None else int(kv),))
        return [TensorSpec(shape, x.dtype), TensorSpec(shape, dtypes.int32)]

    def compute(self, x, k, *, sorted):
        k = int(k)
        if k > x.shape[-1]:
            raise ValueError("input must have at least k columns. Had %d, needed %d"
                             % (x.shape[-1], k))
        idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
        return np.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)

    def grad(self, op, dvalues, dindices):
        x, idx = op.inputs[0], op.outputs[1]
        n = array_ops.shape(x)[-1]
        onehot = array_ops.one_hot(idx, n, dtype=dvalues.dtype)   # [..., k, n]
        return [math_ops.reduce_sum(array_ops.expand_dims(dvalues, -1) * onehot, axis=-2), None]


def top_k(input, k=1, sorted=True, name=None):
    """tf.nn.top_k: (values, indices) of the k largest entries of the last dimension."""
    return TopKV2.apply(input, k, sorted=sorted, name=name)


# -- local response normalization ------------------------------------------------------------------
def _window_sum(v, r):
    """Sum over the channel window [d - r, d + r] of the last axis (zero beyond the edges)."""
    out = v.copy()
    c = v.shape[-1]
    for k in range(1, min(r, c - 1) + 1):
        out[..., k:] += v[..., :-k]
        out[..., :-k] += v[..., k:]
    return out


class LRN(OpDef):
    """x / (bias + alpha * sum(x^2 over depth_radius channels each side)) ** beta (NHWC)."""
    type = "LRN"
    attrs = {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5}

    def infer(self, x, **attrs):
        require_float(x, self.type)
        require(x.shape.ndims in (None, 4), "input must be 4-dimensional")
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, *, depth_radius, bias, alpha, beta):
        t = x.dtype.type
        norm = t(bias) + t(alpha) * _window_sum(x * x, depth_radius)
        return x * norm ** t(-beta)

    def grad(self, op, dy):
        return [LRNGrad.apply(dy, op.inputs[0], op.outputs[0], **op.attrs)]


class LRNGrad(OpDef):
    """The gradient of LRN from (dy, x, y)."""
    type = "LRNGrad"
    attrs = {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5}
    same_dtype = (0, 1, 2)

    def infer(self, dy, x, y, **attrs):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, dy, x, y, *, depth_radius, bias, alpha, beta):
        t = x.dtype.type
        norm = t(bias) + t(alpha) * _window_sum(x * x, depth_radius)
        # dx_j = dy_j N_j^-beta - 2 alpha beta x_j sum_{i near j} dy_i y_i / N_i
        return dy * norm ** t(-beta) - t(2 * alpha * beta) * x * _window_sum(dy * y / norm,
                                                                             depth_radius)


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,
                                 name=None):
    """tf.nn.local_response_normalization (tf.nn.lrn): normalizes each channel of a 4-D NHWC input
    by the squared sum of its `depth_radius` neighbouring channels."""
    return LRN.apply(input, depth_radius=int(depth_radius), bias=float(bias), alpha=float(alpha),
                     beta=float(beta), name=name)


lrn = local_response_normalization


__all__ = [
    "bias_add",
    "elu",
    "in_top_k",
    "l2_loss",
    "leaky_relu",
    "local_response_normalization",
    "log_softmax",
    "lrn",
    "relu",
    "relu6",
    "selu",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "softplus",
    "softsign",
    "sparse_softmax_cross_entropy_with_logits",
    "top_k",
]
