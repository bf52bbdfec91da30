"""Depthwise and atrous 2-D convolutions: tf.nn.depthwise_conv2d (DepthwiseConv2dNative and its
two backprop ops, each channel convolved with its own `channel_multiplier` filters) and
tf.nn.atrous_conv2d (conv2d with a dilation rate). NHWC, as TensorFlow's CPU kernels."""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, require
from tfgraph.framework.scopes import name_scope
from tfgraph.kernels import depthwise as dw_kernels
from tfgraph.ops import array_ops
from tfgraph.ops.conv_ops import (_data_format, _dims, _merge, _out_hw, _pad_for, _padded,
                                  _padding, _require_float, _sizes_shape, _spatial_list, _tap,
                                  conv2d)


# -- numpy references: one broadcast multiply per kernel tap --------------------------------------
def depthwise_reference(x, w, strides, padding, dilations):
    kh, kw, c, m = w.shape
    xp, _, (oh, ow) = _padded(x, (kh, kw), strides, dilations, padding)
    out = np.zeros((x.shape[0], oh, ow, c, m), dtype=np.result_type(x, w))
    for p in range(kh):
        for q in range(kw):
            out += _tap(xp, p, q, dilations, strides, oh, ow)[..., None] * w[p, q]
    return out.reshape(x.shape[0], oh, ow, c * m)


def depthwise_backprop_filter_reference(x, filter_sizes, dy, strides, padding, dilations):
    kh, kw, c, m = (int(d) for d in filter_sizes)
    xp, _, (oh, ow) = _padded(x, (kh, kw), strides, dilations, padding)
    dy5 = dy.reshape(dy.shape[:3] + (c, m))
    dw = np.zeros((kh, kw, c, m), dtype=dy.dtype)
    for p in range(kh):
        for q in range(kw):
            dw[p, q] = np.einsum("nhwc,nhwcm->cm", _tap(xp, p, q, dilations, strides, oh, ow),
                                 dy5)
    return dw


def depthwise_backprop_input_reference(input_sizes, w, dy, strides, padding, dilations):
    shape = tuple(int(d) for d in input_sizes)
    kh, kw, c, m = w.shape
    (hh, ww), (ph, pw), (oh, ow) = _pad_for(shape, (kh, kw), strides, dilations, padding)
    dy5 = dy.reshape(dy.shape[:3] + (c, m))
    dxp = np.zeros((shape[0], hh, ww, c), dtype=dy.dtype)
    for p in range(kh):
        for q in range(kw):
            _tap(dxp, p, q, dilations, strides, oh, ow)[...] += np.einsum("nhwcm,cm->nhwc",
                                                                         dy5, w[p, q])
    return dxp[:, ph:ph + shape[1], pw:pw + shape[2]]


_FAST = (np.float32, np.float64)


def _steps(attrs):
    s, d = attrs["strides"], attrs["dilations"]
    return s[1], s[2], d[1], d[2]


def _fast_forward(x, w, strides, padding, dilations):
    xp, _, (oh, ow) = _padded(x, w.shape[:2], strides, dilations, padding)
    out = np.zeros((x.shape[0], oh, ow, w.shape[2] * w.shape[3]), dtype=x.dtype)
    dw_kernels.depthwise_forward(xp, np.ascontiguousarray(w), out, strides[1], strides[2],
                                 dilations[1], dilations[2])
    return out


def _fast_backprop_input(input_sizes, w, dy, strides, padding, dilations):
    shape = tuple(int(d) for d in input_sizes)
    (hh, ww), (ph, pw), _ = _pad_for(shape, w.shape[:2], strides, dilations, padding)
    dxp = np.zeros((shape[0], hh, ww, shape[3]), dtype=dy.dtype)
    dw_kernels.depthwise_backprop_input(np.ascontiguousarray(dy), np.ascontiguousarray(w), dxp,
                                        strides[1], strides[2], dilations[1], dilations[2])
    return np.ascontiguousarray(dxp[:, ph:ph + shape[1], pw:pw + shape[2]])


def _fast_backprop_filter(x, filter_sizes, dy, strides, padding, dilations):
    sizes = tuple(int(d) for d in filter_sizes)
    xp, _, _ = _padded(x, sizes[:2], strides, dilations, padding)
    dwt = np.zeros(sizes, dtype=dy.dtype)
    dw_kernels.depthwise_backprop_filter(xp, np.ascontiguousarray(dy), dwt, strides[1],
                                         strides[2], dilations[1], dilations[2])
    return dwt


class _DepthwiseBase(OpDef):
    attrs = {"strides": (1, 1, 1, 1), "padding": "VALID", "dilations": (1, 1, 1, 1),
             "data_format": "NHWC"}

    @staticmethod
    def _geom(attrs):
        return attrs["strides"], attrs["padding"], attrs["dilations"]

    @staticmethod
    def _fwd(op):
        return {k: op.attrs[k] for k in _DepthwiseBase.attrs}

    fast = None   # the Numba path, for float32 / float64

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST:
            return super().make_kernel(op, rt)
        a, fast = op.attrs, type(self).fast
        return lambda u, v, z=None: (fast(u, v, a["strides"], a["padding"], a["dilations"])
                                     if z is None else
                                     fast(u, v, z, a["strides"], a["padding"], a["dilations"]))

    @staticmethod
    def _check(xd, wd):
        require(xd[3] is None or wd[2] is None or xd[3] == wd[2],
                "input depth (%s) must equal the filter's in_channels (%s) in "
                "DepthwiseConv2dNative" % (xd[3], wd[2]))


class DepthwiseConv2dNative(_DepthwiseBase):
    """out[n, h, w, c * M + m] = sum_{p, q} x[n, h*s + p*d, w*s + q*d, c] * filter[p, q, c, m]."""
    type = "DepthwiseConv2dNative"
    same_dtype = (0, 1)
    fast = staticmethod(_fast_forward)

    def infer(self, x, w, *, strides, padding, dilations, data_format):
        _require_float(x, self.type)
        xd, wd = _dims(x, 4, "input"), _dims(w, 4, "filter")
        self._check(xd, wd)
        oh, ow = _out_hw(xd, wd[:2], strides, dilations, padding)
        c, m = _merge(xd[3], wd[2]), wd[3]
        return [TensorSpec([xd[0], oh, ow, None if c is None or m is None else c * m], x.dtype)]

    def compute(self, x, w, *, strides, padding, dilations, data_format):
        return depthwise_reference(x, w, strides, padding, dilations)

    def grad(self, op, dy):
        x, w = op.inputs
        a = self._fwd(op)
        return [DepthwiseConv2dNativeBackpropInput.apply(array_ops.shape(x), w, dy, **a),
                DepthwiseConv2dNativeBackpropFilter.apply(x, array_ops.shape(w), dy, **a)]


class DepthwiseConv2dNativeBackpropInput(_DepthwiseBase):
    """Gradient of DepthwiseConv2dNative with respect to its input, of shape `input_sizes`."""
    type = "DepthwiseConv2dNativeBackpropInput"
    same_dtype = (1, 2)
    fast = staticmethod(_fast_backprop_input)
    input_dtypes = {0: dtypes.int32}

    def infer(self, sizes, w, dy, *, strides, padding, dilations, data_format):
        _require_float(w, self.type)
        xd, wd = _sizes_shape(sizes, 4), _dims(w, 4, "filter")
        dyd = _dims(dy, 4, "out_backprop")
        return [TensorSpec([_merge(xd[0], dyd[0]), xd[1], xd[2], _merge(xd[3], wd[2])], w.dtype)]

    def compute(self, sizes, w, dy, *, strides, padding, dilations, data_format):
        return depthwise_backprop_input_reference(sizes, w, dy, strides, padding, dilations)

    def grad(self, op, g):
        _, w, dy = op.inputs
        a = self._fwd(op)
        return [None,
                DepthwiseConv2dNativeBackpropFilter.apply(g, array_ops.shape(w), dy, **a),
                DepthwiseConv2dNative.apply(g, w, **a)]


class DepthwiseConv2dNativeBackpropFilter(_DepthwiseBase):
    """Gradient of DepthwiseConv2dNative with respect to its filter, of shape `filter_sizes`."""
    type = "DepthwiseConv2dNativeBackpropFilter"
    same_dtype = (0, 2)
    fast = staticmethod(_fast_backprop_filter)
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, sizes, dy, *, strides, padding, dilations, data_format):
        _require_float(x, self.type)
        xd, wd = _dims(x, 4, "input"), _sizes_shape(sizes, 4)
        return [TensorSpec([wd[0], wd[1], _merge(wd[2], xd[3]), wd[3]], x.dtype)]

    def compute(self, x, sizes, dy, *, strides, padding, dilations, data_format):
        return depthwise_backprop_filter_reference(x, sizes, dy, strides, padding, dilations)

    def grad(self, op, g):
        x, _, dy = op.inputs
        a = self._fwd(op)
        return [DepthwiseConv2dNativeBackpropInput.apply(array_ops.shape(x), g, dy, **a), None,
                DepthwiseConv2dNative.apply(x, g, **a)]


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=(1, 1, 1, 1), name=None):
    """tf.nn.depthwise_conv2d_native: the raw op (strides and dilations as 4-lists)."""
    return DepthwiseConv2dNative.apply(
        input, filter, strides=_spatial_list(strides, "strides"), padding=_padding(padding),
        dilations=_spatial_list(dilations, "dilations"), data_format=_data_format(data_format),
        name=name)


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None):
    """tf.nn.depthwise_conv2d: each of the C input channels convolved with its own
    `channel_multiplier` filters; `filter` is [kh, kw, C, channel_multiplier], the output has
    C * channel_multiplier channels. `rate` (or `dilations`) [rh, rw] dilates the filter."""
    if rate is None:
        rate = dilations if dilations is not None else (1, 1)
    rate = _spatial_list(rate, "rate")
    strides = _spatial_list(strides, "strides")
    if max(rate[1:3]) > 1 and max(strides[1:3]) > 1:
        # TF 2 only warns here and returns what its space-to-batch rewrite happens to give, which
        # is no strided dilated convolution; tfgraph refuses (TF1 raised this same error)
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1; "
                         "received: dilation_rate=%s, strides=%s"
                         % (list(rate[1:3]), list(strides[1:3])))
    with name_scope(name, "depthwise", [input, filter]):
        return DepthwiseConv2dNative.apply(
            input, filter, strides=strides, padding=_padding(padding), dilations=rate,
            data_format=_data_format(data_format))


def atrous_conv2d(value, filters, rate, padding, name=None):
    """tf.nn.atrous_conv2d: conv2d with holes (the filter dilated by `rate`, stride 1)."""
    if int(rate) < 1:
        raise ValueError("all values of `dilation_rate` must be positive. Received: "
                         "dilation_rate=[%d %d]" % (int(rate), int(rate)))
    return conv2d(value, filters, strides=[1, 1, 1, 1], padding=padding,
                  dilations=[1, int(rate), int(rate), 1], name=name)


__all__ = ["atrous_conv2d", "depthwise_conv2d", "depthwise_conv2d_native"]
