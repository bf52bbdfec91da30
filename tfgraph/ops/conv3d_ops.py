"""3-D convolution and pooling ops (NDHWC, filters DHWIO): conv3d, conv3d_transpose, max_pool3d,
avg_pool3d and their gradients, as TensorFlow's Conv3D / Conv3DBackpropInputV2 /
Conv3DBackpropFilterV2 / MaxPool3D / MaxPool3DGrad / AvgPool3D / AvgPool3DGrad.

Padding follows TF (conv_ops.py): 'VALID', or 'SAME' with pad_total = max((out - 1) * stride +
(k - 1) * dilation + 1 - in, 0), pad_before = pad_total // 2.

The kernels are the numpy references: loops over the kernel taps, each tap one strided slice
times a (C, F) matrix (a BLAS matmul). They are correct and vectorised over the batch and the
output positions, but not yet a fast path (no Numba kernels, no fusion); the convolution
backprop ops are differentiable, so conv3d_transpose has gradients and second order works.
"""
import itertools

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, require, shape_from_tensor
from tfgraph.ops import array_ops

_RANK = 5


def _list3(value, name, fill=1):
    """strides/ksize/dilations: an int, 3 ints or the full [1, d, h, w, 1] -> a 5-tuple."""
    if value is None:
        value = fill
    if isinstance(value, (int, np.integer)):
        vals = [int(value)] * 3
    else:
        vals = [int(v) for v in value]
        if len(vals) == 1:
            vals = vals * 3
        elif len(vals) == 5:
            require(vals[0] == 1 and vals[-1] == 1,
                    "%s in the batch and depth dimensions must be 1, got %s" % (name, vals))
            vals = vals[1:-1]
        require(len(vals) == 3, "%s must have 1, 3 or 5 elements, got %s" % (name, list(value)))
    require(all(v >= 1 for v in vals), "%s must be positive, got %s" % (name, vals))
    return (1,) + tuple(vals) + (1,)


def _padding(padding):
    p = padding.upper() if isinstance(padding, str) else padding
    require(p in ("SAME", "VALID"), "padding must be 'SAME' or 'VALID', got %r" % (padding,))
    return p


def _data_format(fmt):
    fmt = fmt or "NDHWC"
    require(fmt == "NDHWC", "data_format %r is not supported: tfgraph computes 3-D convolutions "
            "and pools in NDHWC" % (fmt,))
    return fmt


def _dims(t, what):
    if t.shape.ndims is None:
        return (None,) * _RANK
    require(t.shape.ndims == _RANK, "%s must be 5-dimensional, got shape %s" % (what, t.shape))
    return t.shape.as_tuple()


def _sizes_dims(sizes):
    if sizes.op.type == "Shape" and sizes.op.inputs[0].shape.ndims == _RANK:
        return sizes.op.inputs[0].shape.as_tuple()
    s = shape_from_tensor(sizes)
    return s.as_tuple() if s.ndims == _RANK else (None,) * _RANK


def _require_float(t, op_type):
    if not t.dtype.is_floating:
        raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed "
                        "values: float16, float32, float64 (op %s)" % (t.dtype.name, op_type))


def out_size(n, k, stride, dilation, padding):
    """(output length, pad before) along one axis; None for an unknown length."""
    if n is None or k is None:
        return None, 0
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-n // stride)
        return out, max((out - 1) * stride + eff - n, 0) // 2
    return (n - eff) // stride + 1, 0


def _out_dims(x_dims, k_dims, strides, dilations, padding, op_type):
    outs = []
    for i in range(3):
        o, _ = out_size(x_dims[1 + i], k_dims[i], strides[1 + i], dilations[1 + i], padding)
        if o is not None and o <= 0:
            raise ValueError("%s: negative or zero output size %d along spatial axis %d (input "
                             "%d, window %d)" % (op_type, o, i, x_dims[1 + i],
                                                  (k_dims[i] - 1) * dilations[1 + i] + 1))
        outs.append(o)
    return outs


# -- numpy references: loops over the kernel taps ------------------------------------------------
def _geometry(shape, k, strides, dilations, padding):
    """(output sizes, pads before, padded sizes) of the three spatial axes."""
    outs, pads, padded = [], [], []
    for i in range(3):
        o, p = out_size(shape[1 + i], k[i], strides[1 + i], dilations[1 + i], padding)
        outs.append(o)
        pads.append(p)
        padded.append(max((o - 1) * strides[1 + i] + (k[i] - 1) * dilations[1 + i] + 1,
                          shape[1 + i] + p))
    return outs, pads, padded


def _tap_slices(tap, strides, dilations, outs):
    return (slice(None),) + tuple(
        slice(t * d, t * d + (o - 1) * s + 1, s)
        for t, d, s, o in zip(tap, dilations[1:4], strides[1:4], outs)) + (slice(None),)


def _padded(x, k, strides, dilations, padding, fill=0):
    outs, pads, padded = _geometry(x.shape, k, strides, dilations, padding)
    xp = np.full((x.shape[0],) + tuple(padded) + (x.shape[4],), fill, dtype=x.dtype)
    xp[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(pads, x.shape[1:4]))] = x
    return xp, pads, outs


def _unpad(xp, pads, shape):
    return xp[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(pads, shape[1:4]))]


def conv3d_reference(x, w, strides, padding, dilations):
    xp, _, outs = _padded(x, w.shape[:3], strides, dilations, padding)
    out = np.zeros((x.shape[0],) + tuple(outs) + (w.shape[4],), dtype=np.result_type(x, w))
    for tap in itertools.product(*(range(k) for k in w.shape[:3])):
        out += np.matmul(xp[_tap_slices(tap, strides, dilations, outs)], w[tap])
    return out


def conv3d_backprop_input_reference(sizes, w, dy, strides, padding, dilations):
    shape = tuple(int(s) for s in sizes)
    outs, pads, padded = _geometry(shape, w.shape[:3], strides, dilations, padding)
    dxp = np.zeros((shape[0],) + tuple(padded) + (shape[4],), dtype=np.result_type(w, dy))
    for tap in itertools.product(*(range(k) for k in w.shape[:3])):
        dxp[_tap_slices(tap, strides, dilations, outs)] += np.matmul(dy, w[tap].T)
    return _unpad(dxp, pads, shape)


def conv3d_backprop_filter_reference(x, sizes, dy, strides, padding, dilations):
    k = tuple(int(s) for s in sizes)
    xp, _, outs = _padded(x, k[:3], strides, dilations, padding)
    dw = np.zeros(k, dtype=np.result_type(x, dy))
    c, f = x.shape[4], dy.shape[4]
    for tap in itertools.product(*(range(n) for n in k[:3])):
        patch = xp[_tap_slices(tap, strides, dilations, outs)].reshape(-1, c)
        dw[tap] = patch.T @ dy.reshape(-1, f)
    return dw


# -- convolution ops -------------------------------------------------------------------------------
class _Conv3DBase(OpDef):
    attrs = {"strides": (1, 1, 1, 1, 1), "padding": "VALID", "dilations": (1, 1, 1, 1, 1),
             "data_format": "NDHWC"}

    @staticmethod
    def _fwd_attrs(op):
        return {k: op.attrs[k] for k in _Conv3DBase.attrs}

    @staticmethod
    def _check(x_dims, w_dims, op_type):
        require(x_dims[4] is None or w_dims[3] is None or x_dims[4] == w_dims[3],
                "%s: input depth (%s) must equal the filter's input depth (%s)"
                % (op_type, x_dims[4], w_dims[3]))


class Conv3D(_Conv3DBase):
    """NDHWC input (N, D, H, W, C) convolved with a (KD, KH, KW, C, F) filter."""

    type = "Conv3D"
    same_dtype = (0, 1)

    def infer(self, x, w, *, strides, padding, dilations, data_format):
        _require_float(x, self.type)
        xd, wd = _dims(x, "input"), _dims(w, "filter")
        self._check(xd, wd, self.type)
        outs = _out_dims(xd, wd[:3], strides, dilations, padding, self.type)
        return [TensorSpec([xd[0]] + outs + [wd[4]], x.dtype)]

    def compute(self, x, w, *, strides, padding, dilations, data_format):
        return conv3d_reference(x, w, strides, padding, dilations).astype(x.dtype, copy=False)

    def grad(self, op, dy):
        x, w = op.inputs
        a = self._fwd_attrs(op)
        return [Conv3DBackpropInputV2.apply(array_ops.shape(x), w, dy, **a),
                Conv3DBackpropFilterV2.apply(x, array_ops.shape(w), dy, **a)]


class Conv3DBackpropInputV2(_Conv3DBase):
    """Gradient of Conv3D with respect to its input (of shape `input_sizes`): conv3d_transpose."""

    type = "Conv3DBackpropInputV2"
    same_dtype = (1, 2)
    input_dtypes = {0: dtypes.int32}

    def infer(self, sizes, w, dy, *, strides, padding, dilations, data_format):
        _require_float(w, self.type)
        xd, wd, dyd = _sizes_dims(sizes), _dims(w, "filter"), _dims(dy, "out_backprop")
        self._check(xd, wd, self.type)
        require(wd[4] is None or dyd[4] is None or wd[4] == dyd[4],
                "%s: filter output depth (%s) must equal out_backprop depth (%s)"
                % (self.type, wd[4], dyd[4]))
        if None not in xd[1:4] and None not in wd[:3]:
            outs = _out_dims(xd, wd[:3], strides, dilations, padding, self.type)
            require(all(o == d for o, d in zip(outs, dyd[1:4]) if d is not None),
                    "%s: out_backprop spatial shape %s does not match the convolution of input "
                    "shape %s (expected %s)" % (self.type, dyd[1:4], xd, outs))
        return [TensorSpec([xd[0] if xd[0] is not None else dyd[0], xd[1], xd[2], xd[3],
                            xd[4] if xd[4] is not None else wd[3]], w.dtype)]

    def compute(self, sizes, w, dy, *, strides, padding, dilations, data_format):
        return conv3d_backprop_input_reference(sizes, w, dy, strides, padding,
                                               dilations).astype(w.dtype, copy=False)

    def grad(self, op, g):
        _, w, dy = op.inputs
        a = self._fwd_attrs(op)
        return [None, Conv3DBackpropFilterV2.apply(g, array_ops.shape(w), dy, **a),
                Conv3D.apply(g, w, **a)]


class Conv3DBackpropFilterV2(_Conv3DBase):
    """Gradient of Conv3D with respect to its filter (of shape `filter_sizes`)."""

    type = "Conv3DBackpropFilterV2"
    same_dtype = (0, 2)
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, sizes, dy, *, strides, padding, dilations, data_format):
        _require_float(x, self.type)
        xd, wd = _dims(x, "input"), _sizes_dims(sizes)
        _dims(dy, "out_backprop")
        self._check(xd, wd, self.type)
        return [TensorSpec(list(wd), x.dtype)]

    def compute(self, x, sizes, dy, *, strides, padding, dilations, data_format):
        return conv3d_backprop_filter_reference(x, sizes, dy, strides, padding,
                                                dilations).astype(x.dtype, copy=False)

    def grad(self, op, g):
        x, _, dy = op.inputs
        a = self._fwd_attrs(op)
        return [Conv3DBackpropInputV2.apply(array_ops.shape(x), g, dy, **a), None,
                Conv3D.apply(x, g, **a)]


def _conv_attrs(strides, padding, dilations, data_format):
    return dict(strides=_list3(strides, "strides"), padding=_padding(padding),
                dilations=_list3(dilations, "dilations"), data_format=_data_format(data_format))


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",
           dilations=None, name=None, filters=None):
    """tf.nn.conv3d: NDHWC `input` (N, D, H, W, C) with `filter` (KD, KH, KW, C, F).

        y = tf.nn.conv3d(x, w, strides=[1, 1, 1, 1, 1], padding='SAME')
    """
    filter = filters if filter is None else filter
    require(filter is not None, "conv3d needs a filter")
    require(strides is not None and padding is not None, "conv3d needs strides and padding")
    return Conv3D.apply(input, filter, name=name,
                        **_conv_attrs(strides, padding, dilations, data_format))


def conv3d_backprop_input_v2(input_sizes, filter, out_backprop, strides, padding,
                             data_format="NDHWC", dilations=None, name=None):
    """The gradient of conv3d with respect to its input (TF's raw op Conv3DBackpropInputV2)."""
    return Conv3DBackpropInputV2.apply(input_sizes, filter, out_backprop, name=name,
                                       **_conv_attrs(strides, padding, dilations, data_format))


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,
                              data_format="NDHWC", dilations=None, name=None):
    """The gradient of conv3d with respect to its filter (TF's Conv3DBackpropFilterV2)."""
    return Conv3DBackpropFilterV2.apply(input, filter_sizes, out_backprop, name=name,
                                        **_conv_attrs(strides, padding, dilations, data_format))


def conv3d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",
                     data_format="NDHWC", name=None, input=None, filters=None, dilations=None):
    """tf.nn.conv3d_transpose: the transpose (gradient) of conv3d; filter (KD, KH, KW, out, in)."""
    value = input if value is None else value
    filter = filters if filter is None else filter
    return Conv3DBackpropInputV2.apply(output_shape, filter, value,
                                       name=name or "conv3d_transpose",
                                       **_conv_attrs(strides, padding, dilations, data_format))


# -- pooling ---------------------------------------------------------------------------------------
class _Pool3DBase(OpDef):
    attrs = {"ksize": (1, 1, 1, 1, 1), "strides": (1, 1, 1, 1, 1), "padding": "VALID",
             "data_format": "NDHWC"}
    _ONES = (1, 1, 1, 1, 1)

    def _infer(self, x, ksize, strides, padding):
        xd = _dims(x, "input")
        outs = _out_dims(xd, ksize[1:4], strides, self._ONES, padding, self.type)
        return [TensorSpec([xd[0]] + outs + [xd[4]], x.dtype)]

    @staticmethod
    def _pool_attrs(op):
        return {k: op.attrs[k] for k in _Pool3DBase.attrs}


def _taps(x, ksize, strides, padding, fill):
    """(taps (T, N, OD, OH, OW, C) of the padded input, the padded shape, pads)."""
    xp, pads, outs = _padded(x, ksize[1:4], strides, _Pool3DBase._ONES, padding, fill)
    taps = np.stack([xp[_tap_slices(t, strides, _Pool3DBase._ONES, outs)]
                     for t in itertools.product(*(range(k) for k in ksize[1:4]))])
    return taps, xp.shape, pads


def _scatter(values, xp_shape, ksize, strides, pads, shape, dtype):
    """Sums per-tap values (T, N, OD, OH, OW, C) back into the input positions they came from."""
    dxp = np.zeros(xp_shape, dtype=dtype)
    outs = values.shape[2:5]
    for i, t in enumerate(itertools.product(*(range(k) for k in ksize[1:4]))):
        dxp[_tap_slices(t, strides, _Pool3DBase._ONES, outs)] += values[i]
    return _unpad(dxp, pads, shape)


def _first_argmax_mask(x, ksize, strides, padding):
    taps, xp_shape, pads = _taps(x, ksize, strides, padding, -np.inf)
    arg = np.argmax(taps, axis=0)  # the first maximum of a window takes its gradient
    return np.arange(taps.shape[0]).reshape(-1, 1, 1, 1, 1, 1) == arg, xp_shape, pads


class MaxPool3D(_Pool3DBase):
    """Max over (kd, kh, kw) windows of NDHWC inputs; padded positions never win."""

    type = "MaxPool3D"

    def infer(self, x, *, ksize, strides, padding, data_format):
        _require_float(x, self.type)
        return self._infer(x, ksize, strides, padding)

    def compute(self, x, *, ksize, strides, padding, data_format):
        taps, _, _ = _taps(x, ksize, strides, padding, -np.inf)
        return taps.max(axis=0).astype(x.dtype)

    def grad(self, op, dy):
        return [MaxPool3DGrad.apply(op.inputs[0], op.outputs[0], dy, **self._pool_attrs(op))]


class MaxPool3DGrad(_Pool3DBase):
    """Gradient of MaxPool3D: each window's gradient goes to its first maximum."""

    type = "MaxPool3DGrad"
    same_dtype = (0, 1, 2)

    def infer(self, x, y, dy, *, ksize, strides, padding, data_format):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, y, dy, *, ksize, strides, padding, data_format):
        mask, xp_shape, pads = _first_argmax_mask(x, ksize, strides, padding)
        return _scatter(mask * dy, xp_shape, ksize, strides, pads, x.shape, dy.dtype)

    def grad(self, op, g):
        x, y, _ = op.inputs
        taps_g = MaxPool3DGradGrad.apply(x, y, g, **self._pool_attrs(op))
        return [array_ops.zeros_like(x), array_ops.zeros_like(y), taps_g]


class MaxPool3DGradGrad(_Pool3DBase):
    """Gradient of MaxPool3DGrad w.r.t. its `grad`: `g` at each window's first maximum."""

    type = "MaxPool3DGradGrad"
    same_dtype = (0, 1, 2)

    def infer(self, x, y, g, *, ksize, strides, padding, data_format):
        return [TensorSpec(y.shape, x.dtype)]

    def compute(self, x, y, g, *, ksize, strides, padding, data_format):
        mask, _, _ = _first_argmax_mask(x, ksize, strides, padding)
        taps, _, _ = _taps(g, ksize, strides, padding, 0)
        return (mask * taps).sum(axis=0).astype(g.dtype)

    def grad(self, op, gg):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                MaxPool3DGrad.apply(x, y, gg, **self._pool_attrs(op))]


def _window_counts(shape, ksize, strides, padding):
    """How many real (unpadded) cells each output window covers: AvgPool3D's divisor."""
    ones = np.ones((1,) + tuple(shape[1:4]) + (1,))
    taps, _, _ = _taps(ones, ksize, strides, padding, 0)
    return taps.sum(axis=0)


class AvgPool3D(_Pool3DBase):
    """Mean over (kd, kh, kw) windows; 'SAME' averages only the real cells (as TF)."""

    type = "AvgPool3D"

    def infer(self, x, *, ksize, strides, padding, data_format):
        _require_float(x, self.type)
        return self._infer(x, ksize, strides, padding)

    def compute(self, x, *, ksize, strides, padding, data_format):
        taps, _, _ = _taps(x, ksize, strides, padding, 0)
        return (taps.sum(axis=0) / _window_counts(x.shape, ksize, strides, padding)).astype(
            x.dtype)

    def grad(self, op, dy):
        return [AvgPool3DGrad.apply(array_ops.shape(op.inputs[0]), dy, **self._pool_attrs(op))]


class AvgPool3DGrad(_Pool3DBase):
    """Gradient of AvgPool3D: each window's gradient spread evenly over its real cells."""

    type = "AvgPool3DGrad"
    input_dtypes = {0: dtypes.int32}

    def infer(self, sizes, dy, *, ksize, strides, padding, data_format):
        return [TensorSpec(list(_sizes_dims(sizes)), dy.dtype)]

    def compute(self, sizes, dy, *, ksize, strides, padding, data_format):
        shape = tuple(int(s) for s in sizes)
        share = dy / _window_counts(shape, ksize, strides, padding)
        _, pads, padded = _geometry(shape, ksize[1:4], strides, self._ONES, padding)
        n_taps = int(np.prod(ksize[1:4]))
        values = np.broadcast_to(share, (n_taps,) + share.shape)
        xp_shape = (shape[0],) + tuple(padded) + (shape[4],)
        return _scatter(values, xp_shape, ksize, strides, pads, shape, dy.dtype)

    def grad(self, op, g):
        return [None, AvgPool3D.apply(g, **self._pool_attrs(op))]


def _pool_attrs(ksize, strides, padding, data_format):
    return dict(ksize=_list3(ksize, "ksize"), strides=_list3(strides, "strides"),
                padding=_padding(padding), data_format=_data_format(data_format))


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """tf.nn.max_pool3d: max over ksize windows of an NDHWC tensor."""
    return MaxPool3D.apply(input, name=name, **_pool_attrs(ksize, strides, padding, data_format))


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """tf.nn.avg_pool3d: mean over ksize windows of an NDHWC tensor."""
    return AvgPool3D.apply(input, name=name, **_pool_attrs(ksize, strides, padding, data_format))


__all__ = ["conv3d", "conv3d_transpose", "conv3d_backprop_input_v2", "conv3d_backprop_filter_v2",
           "max_pool3d", "avg_pool3d"]
