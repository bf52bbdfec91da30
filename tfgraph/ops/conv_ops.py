"""Convolution and pooling ops (NHWC, filters HWIO): conv2d, conv1d, max_pool, avg_pool, gradients.

Primitives: Conv2D with Conv2DBackpropInput / Conv2DBackpropFilter (each differentiable, so second
order works), MaxPool / MaxPoolGrad / MaxPoolGradGrad, AvgPool / AvgPoolGrad. conv1d, conv2d_transpose
and the 1-D pools are composites. Padding follows TF: 'VALID', or 'SAME' with
pad_total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0), pad_before = pad_total // 2.

The numpy references (`compute`) loop over the kernel taps only; the fast kernels live in
tfgraph/kernels/conv.py (direct Numba loops for tiny filters, else im2col + BLAS GEMM) and
tfgraph/kernels/pooling.py (Numba, with 2x2 stride-2 fast paths).
"""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, require, shape_from_tensor
from tfgraph.kernels import conv as conv_kernels
from tfgraph.kernels import pooling as pool_kernels
from tfgraph.ops import array_ops

_FAST_DTYPES = (np.float32, np.float64)


# -- attribute normalisation ------------------------------------------------------------------------
def _spatial_list(value, name, n=2, fill=1):
    """TF's strides/ksize/dilations: an int, a list of n, or a full NHWC list -> tuple of n + 2."""
    if value is None:
        value = fill
    if isinstance(value, (int, np.integer)):
        vals = [int(value)] * n
    else:
        vals = [int(v) for v in value]
        if len(vals) == 1:
            vals = vals * n
        elif len(vals) == n + 2:
            require(vals[0] == 1 and vals[-1] == 1,
                    "%s in the batch and depth dimensions must be 1, got %s" % (name, vals))
            vals = vals[1:-1]
        require(len(vals) == n, "%s must have 1, %d or %d elements, got %s"
                % (name, n, n + 2, list(value)))
    require(all(v >= 1 for v in vals), "%s must be positive, got %s" % (name, vals))
    return (1,) + tuple(vals) + (1,)


def _padding(padding):
    p = padding.upper() if isinstance(padding, str) else padding
    require(p in ("SAME", "VALID"), "padding must be 'SAME' or 'VALID', got %r" % (padding,))
    return p


def _data_format(fmt, supported=("NHWC",)):
    fmt = fmt or supported[0]
    require(fmt in supported, "data_format %r is not supported: tfgraph (like TensorFlow's CPU "
            "kernels) computes convolutions and pools in %s" % (fmt, " / ".join(supported)))
    return fmt


def _dims(t, rank, what):
    if t.shape.ndims is None:
        return (None,) * rank
    require(t.shape.ndims == rank, "%s must be %d-dimensional, got shape %s"
            % (what, rank, t.shape))
    return t.shape.as_tuple()


def _sizes_shape(sizes, rank):
    """Static dims of a shape tensor (the `input_sizes` of a backprop op)."""
    if sizes.op.type == "Shape" and sizes.op.inputs[0].shape.ndims == rank:
        return sizes.op.inputs[0].shape.as_tuple()
    s = shape_from_tensor(sizes)
    return s.as_tuple() if s.ndims == rank else (None,) * rank


def _merge(a, b):
    return a if a is not None else b


def _out_hw(x_dims, k_hw, strides, dilations, padding):
    outs = []
    for i in range(2):
        k = k_hw[i]
        if k is None:
            outs.append(None)
            continue
        o, _ = conv_kernels.out_size(x_dims[1 + i], k, strides[1 + i], dilations[1 + i], padding)
        if o is not None and o < 0:
            raise ValueError("Negative dimension size caused by subtracting %d from %d"
                             % ((k - 1) * dilations[1 + i] + 1, x_dims[1 + i]))
        outs.append(o)
    return outs


def _geometry(x_shape, k_hw, strides, dilations, padding):
    return conv_kernels.geometry(x_shape, k_hw, strides[1:3], dilations[1:3], padding)


def _require_float(t, op_type):
    if not t.dtype.is_floating:
        raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed "
                        "values: float16, float32, float64 (op %s)" % (t.dtype.name, op_type))


# -- numpy references: loops over the kernel taps ---------------------------------------------------
def _tap(arr, p, q, dil, strides, oh, ow):
    """The (N, OH, OW, C) slice of padded `arr` that kernel tap (p, q) multiplies."""
    y, x = p * dil[1], q * dil[2]
    return arr[:, y:y + (oh - 1) * strides[1] + 1:strides[1], x:x + (ow - 1) * strides[2] + 1:strides[2]]


def _pad_for(shape, k_hw, strides, dilations, padding):
    """((padded h, padded w), (ph, pw), (oh, ow)) for numpy references."""
    (oh, ow), (ph, pw) = _geometry(shape, k_hw, strides, dilations, padding)
    need_h = max((oh - 1) * strides[1] + (k_hw[0] - 1) * dilations[1] + 1, shape[1] + ph)
    need_w = max((ow - 1) * strides[2] + (k_hw[1] - 1) * dilations[2] + 1, shape[2] + pw)
    return (need_h, need_w), (ph, pw), (oh, ow)


def _padded(x, k_hw, strides, dilations, padding, fill=0):
    (hh, ww), (ph, pw), (oh, ow) = _pad_for(x.shape, k_hw, strides, dilations, padding)
    xp = np.full((x.shape[0], hh, ww, x.shape[3]), fill, dtype=x.dtype)
    xp[:, ph:ph + x.shape[1], pw:pw + x.shape[2]] = x
    return xp, (ph, pw), (oh, ow)


def conv2d_reference(x, w, strides, padding, dilations):
    xp, _, (oh, ow) = _padded(x, w.shape[:2], strides, dilations, padding)
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]), dtype=np.result_type(x, w))
    for p in range(w.shape[0]):
        for q in range(w.shape[1]):
            out += np.matmul(_tap(xp, p, q, dilations, strides, oh, ow), w[p, q])
    return out


def conv2d_backprop_filter_reference(x, filter_sizes, dy, strides, padding, dilations):
    kh, kw, c, o = (int(d) for d in filter_sizes)
    xp, _, (oh, ow) = _padded(x, (kh, kw), strides, dilations, padding)
    dw = np.zeros((kh, kw, c, o), dtype=dy.dtype)
    for p in range(kh):
        for q in range(kw):
            dw[p, q] = np.tensordot(_tap(xp, p, q, dilations, strides, oh, ow), dy,
                                    axes=([0, 1, 2], [0, 1, 2]))
    return dw


def conv2d_backprop_input_reference(input_sizes, w, dy, strides, padding, dilations):
    shape = tuple(int(d) for d in input_sizes)
    (hh, ww), (ph, pw), (oh, ow) = _pad_for(shape, w.shape[:2], strides, dilations, padding)
    dxp = np.zeros((shape[0], hh, ww, shape[3]), dtype=dy.dtype)
    for p in range(w.shape[0]):
        for q in range(w.shape[1]):
            _tap(dxp, p, q, dilations, strides, oh, ow)[...] += np.matmul(dy, w[p, q].T)
    return dxp[:, ph:ph + shape[1], pw:pw + shape[2]]


# -- Conv2D and its two backprop ops ----------------------------------------------------------------
class _ConvBase(OpDef):
    attrs = {"strides": (1, 1, 1, 1), "padding": "VALID", "dilations": (1, 1, 1, 1),
             "data_format": "NHWC", "use_cudnn_on_gpu": True}
    splits_batch = True

    @staticmethod
    def _kernel_args(op):
        a = op.attrs
        return tuple(a["strides"][1:3]), tuple(a["dilations"][1:3]), a["padding"]

    @staticmethod
    def _fwd_attrs(op):
        return {k: op.attrs[k] for k in _ConvBase.attrs}

    @staticmethod
    def _check(x_dims, w_dims):
        c, wc = x_dims[3], w_dims[2]
        require(c is None or wc is None or c == wc,
                "input depth (%s) must equal the filter's input depth (%s): input shape %s, filter "
                "shape %s" % (c, wc, tensor_shape.TensorShape(x_dims),
                              tensor_shape.TensorShape(w_dims)))


class Conv2D(_ConvBase):
    """2-D convolution of NHWC `input` with an HWIO `filter` (cross-correlation, as TF)."""

    type = "Conv2D"
    same_dtype = (0, 1)

    def infer(self, x, w, *, strides, padding, dilations, data_format, use_cudnn_on_gpu):
        _require_float(x, self.type)
        xd, wd = _dims(x, 4, "input"), _dims(w, 4, "filter")
        self._check(xd, wd)
        oh, ow = _out_hw(xd, wd[:2], strides, dilations, padding)
        return [TensorSpec([xd[0], oh, ow, wd[3]], x.dtype)]

    def compute(self, x, w, *, strides, padding, dilations, data_format, use_cudnn_on_gpu):
        return conv2d_reference(x, w, strides, padding, dilations)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        return lambda x, w: conv_kernels.conv2d(x, w, s, d, p)

    def grad(self, op, dy):
        x, w = op.inputs
        a = self._fwd_attrs(op)
        return [Conv2DBackpropInput.apply(array_ops.shape(x), w, dy, **a),
                Conv2DBackpropFilter.apply(x, array_ops.shape(w), dy, **a)]


class Conv2DBackpropInput(_ConvBase):
    """Gradient of Conv2D with respect to its input, of shape `input_sizes`."""

    type = "Conv2DBackpropInput"
    same_dtype = (1, 2)
    input_dtypes = {0: dtypes.int32}

    def infer(self, sizes, w, dy, *, strides, padding, dilations, data_format, use_cudnn_on_gpu):
        _require_float(w, self.type)
        xd, wd, dyd = _sizes_shape(sizes, 4), _dims(w, 4, "filter"), _dims(dy, 4, "out_backprop")
        self._check(xd, wd)
        require(wd[3] is None or dyd[3] is None or wd[3] == dyd[3],
                "filter output depth (%s) must equal out_backprop depth (%s): filter shape %s, "
                "out_backprop shape %s" % (wd[3], dyd[3], w.shape, dy.shape))
        return [TensorSpec([_merge(xd[0], dyd[0]), xd[1], xd[2], _merge(xd[3], wd[2])], w.dtype)]

    def compute(self, sizes, w, dy, *, strides, padding, dilations, data_format,
                use_cudnn_on_gpu):
        return conv2d_backprop_input_reference(sizes, w, dy, strides, padding, dilations)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        return lambda sizes, w, dy: conv_kernels.conv2d_backprop_input(sizes, w, dy, s, d, p)

    def grad(self, op, g):
        _, w, dy = op.inputs
        a = self._fwd_attrs(op)
        return [None, Conv2DBackpropFilter.apply(g, array_ops.shape(w), dy, **a),
                Conv2D.apply(g, w, **a)]


class Conv2DBackpropFilter(_ConvBase):
    """Gradient of Conv2D with respect to its filter, of shape `filter_sizes`."""

    type = "Conv2DBackpropFilter"
    same_dtype = (0, 2)
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, sizes, dy, *, strides, padding, dilations, data_format, use_cudnn_on_gpu):
        _require_float(x, self.type)
        xd, wd, dyd = _dims(x, 4, "input"), _sizes_shape(sizes, 4), _dims(dy, 4, "out_backprop")
        self._check(xd, wd)
        return [TensorSpec([wd[0], wd[1], _merge(wd[2], xd[3]), _merge(wd[3], dyd[3])], x.dtype)]

    def compute(self, x, sizes, dy, *, strides, padding, dilations, data_format,
                use_cudnn_on_gpu):
        return conv2d_backprop_filter_reference(x, sizes, dy, strides, padding, dilations)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        return lambda x, sizes, dy: conv_kernels.conv2d_backprop_filter(x, sizes, dy, s, d, p)

    def grad(self, op, g):
        x, _, dy = op.inputs
        a = self._fwd_attrs(op)
        return [Conv2DBackpropInput.apply(array_ops.shape(x), g, dy, **a), None,
                Conv2D.apply(x, g, **a)]


def _conv_attrs(strides, padding, dilations, data_format, use_cudnn_on_gpu=True):
    return dict(strides=_spatial_list(strides, "strides"), padding=_padding(padding),
                dilations=_spatial_list(dilations, "dilations"),
                data_format=_data_format(data_format), use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
           data_format="NHWC", dilations=None, name=None, filters=None):
    """tf.nn.conv2d: NHWC `input` (N, H, W, C) convolved with `filter` (KH, KW, C, O).

    `strides`/`dilations` are ints or lists of 2 or 4 ([1, sh, sw, 1]); `padding` 'SAME' or 'VALID'.

        y = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME')
    """
    if filter is None:
        filter = filters
    require(filter is not None, "conv2d needs a filter")
    require(strides is not None and padding is not None, "conv2d needs strides and padding")
    return Conv2D.apply(input, filter, name=name,
                        **_conv_attrs(strides, padding, dilations, data_format, use_cudnn_on_gpu))


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=None, name=None, filters=None):
    """tf.nn.conv2d_backprop_input: the gradient of conv2d with respect to its input."""
    filter = filters if filter is None else filter
    return Conv2DBackpropInput.apply(input_sizes, filter, out_backprop, name=name,
                                     **_conv_attrs(strides, padding, dilations, data_format,
                                                   use_cudnn_on_gpu))


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=None, name=None):
    """tf.nn.conv2d_backprop_filter: the gradient of conv2d with respect to its filter."""
    return Conv2DBackpropFilter.apply(input, filter_sizes, out_backprop, name=name,
                                      **_conv_attrs(strides, padding, dilations, data_format,
                                                    use_cudnn_on_gpu))


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,
                     padding="SAME", data_format="NHWC", name=None, input=None, filters=None,
                     dilations=None):
    """tf.nn.conv2d_transpose: the transpose (gradient) of conv2d; filter is (KH, KW, out, in)."""
    value = input if value is None else value
    filter = filters if filter is None else filter
    return Conv2DBackpropInput.apply(output_shape, filter, value, name=name or "conv2d_transpose",
                                     **_conv_attrs(strides, padding, dilations, data_format))


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):
    """tf.nn.conv1d: NWC `value` (N, W, C) with filters (K, C, O), as expand_dims + conv2d + squeeze."""
    from tfgraph.framework.scopes import name_scope
    value = input if value is None else value
    require(data_format in (None, "NWC"),
            "data_format %r is not supported: conv1d computes in NWC" % (data_format,))
    stride = _spatial_list(stride, "stride", n=1)[1]
    dilation = _spatial_list(dilations, "dilations", n=1)[1]
    with name_scope(name, "conv1d", [value, filters]):
        x = array_ops.expand_dims(value, 1)
        w = array_ops.expand_dims(filters, 0)
        y = conv2d(x, w, strides=[1, 1, stride, 1], padding=padding,
                   dilations=[1, 1, dilation, 1])
        return _squeeze_axis1(y)


def _squeeze_axis1(y):
    squeeze = getattr(array_ops, "squeeze", None)
    if squeeze is not None:
        return squeeze(y, [1])
    dims = y.shape.as_tuple()
    if dims is not None and None not in dims[2:]:
        return array_ops.reshape(y, [-1, dims[2], dims[3]])
    s = array_ops.shape(y)
    return array_ops.reshape(y, array_ops.stack([s[0], s[2], s[3]]))


# -- pooling ------------------------------------------------------------------------------------------
class _PoolBase(OpDef):
    attrs = {"ksize": (1, 1, 1, 1), "strides": (1, 1, 1, 1), "padding": "VALID",
             "data_format": "NHWC"}
    _ONES = (1, 1, 1, 1)

    def _out(self, xd, ksize, strides, padding):
        return _out_hw(xd, ksize[1:3], strides, self._ONES, padding)

    @staticmethod
    def _args(op, shape):
        a = op.attrs
        ksize, strides = tuple(a["ksize"][1:3]), tuple(a["strides"][1:3])
        (oh, ow), pads = conv_kernels.geometry(shape, ksize, strides, (1, 1), a["padding"])
        return ksize, strides, pads, (oh, ow)

    @staticmethod
    def _pool_attrs(op):
        return {k: op.attrs[k] for k in _PoolBase.attrs}


def _pool_taps(x, ksize, strides, padding, fill):
    """numpy: (taps (T, N, OH, OW, C) of the padded input, padded zeros for scattering, pads)."""
    xp, (ph, pw), (oh, ow) = _padded(x, ksize[1:3], strides, _PoolBase._ONES, padding, fill)
    taps = np.stack([_tap(xp, p, q, _PoolBase._ONES, strides, oh, ow)
                     for p in range(ksize[1]) for q in range(ksize[2])])
    return taps, xp, (ph, pw)


def _scatter_taps(values, xp_shape, ksize, strides, pads, shape, dtype):
    """numpy: sums per-tap values (T, N, OH, OW, C) back into the input positions they came from."""
    dxp = np.zeros(xp_shape, dtype=dtype)
    oh, ow = values.shape[2:4]
    for t in range(values.shape[0]):
        p, q = divmod(t, ksize[2])
        _tap(dxp, p, q, _PoolBase._ONES, strides, oh, ow)[...] += values[t]
    return dxp[:, pads[0]:pads[0] + shape[1], pads[1]:pads[1] + shape[2]]


def _lowest(dtype):
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _first_argmax_mask(x, ksize, strides, padding):
    taps, xp, pads = _pool_taps(x, ksize, strides, padding, _lowest(x.dtype))
    arg = np.argmax(taps, axis=0)  # first maximum wins, as in TF's CPU kernel
    return np.arange(taps.shape[0]).reshape(-1, 1, 1, 1, 1) == arg, xp.shape, pads


class MaxPool(_PoolBase):
    """Max over (kh, kw) windows; padded positions never win."""

    type = "MaxPool"

    def infer(self, x, *, ksize, strides, padding, data_format):
        xd = _dims(x, 4, "input")
        oh, ow = self._out(xd, ksize, strides, padding)
        return [TensorSpec([xd[0], oh, ow, xd[3]], x.dtype)]

    def compute(self, x, *, ksize, strides, padding, data_format):
        taps, _, _ = _pool_taps(x, ksize, strides, padding, _lowest(x.dtype))
        return taps.max(axis=0).astype(x.dtype)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)
        return lambda x: pool_kernels.max_pool(x, *self._args(op, x.shape))

    def grad(self, op, dy):
        return [MaxPoolGrad.apply(op.inputs[0], op.outputs[0], dy, **self._pool_attrs(op))]


class MaxPoolGrad(_PoolBase):
    """Gradient of MaxPool: each window's gradient goes to its (first) maximum."""

    type = "MaxPoolGrad"
    same_dtype = (0, 1, 2)

    def infer(self, x, y, dy, *, ksize, strides, padding, data_format):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, y, dy, *, ksize, strides, padding, data_format):
        mask, xp_shape, pads = _first_argmax_mask(x, ksize, strides, padding)
        return _scatter_taps(mask * dy, xp_shape, ksize, strides, pads, x.shape, dy.dtype)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)

        def kernel(x, y, dy):
            ksize, strides, pads, _ = self._args(op, x.shape)
            return pool_kernels.max_pool_grad(x, y, dy, ksize, strides, pads)
        return kernel

    def grad(self, op, g):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                MaxPoolGradGrad.apply(x, y, g, **self._pool_attrs(op))]


class MaxPoolGradGrad(_PoolBase):
    """Gradient of MaxPoolGrad w.r.t. its `grad`: picks `g` at each window's (first) maximum."""

    type = "MaxPoolGradGrad"
    same_dtype = (0, 1, 2)

    def infer(self, x, y, g, *, ksize, strides, padding, data_format):
        return [TensorSpec(y.shape, x.dtype)]

    def compute(self, x, y, g, *, ksize, strides, padding, data_format):
        mask, _, _ = _first_argmax_mask(x, ksize, strides, padding)
        taps, _, _ = _pool_taps(g, ksize, strides, padding, 0)
        return (mask * taps).sum(axis=0).astype(g.dtype)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)

        def kernel(x, y, g):
            ksize, strides, pads, _ = self._args(op, x.shape)
            return pool_kernels.max_pool_grad_grad(x, y, g, ksize, strides, pads)
        return kernel

    def grad(self, op, gg):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                MaxPoolGrad.apply(x, y, gg, **self._pool_attrs(op))]


class AvgPool(_PoolBase):
    """Mean over (kh, kw) windows; with 'SAME' padding only valid elements are averaged (as TF)."""

    type = "AvgPool"

    def infer(self, x, *, ksize, strides, padding, data_format):
        _require_float(x, self.type)
        xd = _dims(x, 4, "input")
        oh, ow = self._out(xd, ksize, strides, padding)
        return [TensorSpec([xd[0], oh, ow, xd[3]], x.dtype)]

    def compute(self, x, *, ksize, strides, padding, data_format):
        taps, _, _ = _pool_taps(x, ksize, strides, padding, 0)
        ones, _, _ = _pool_taps(np.ones((1,) + x.shape[1:3] + (1,), x.dtype), ksize, strides,
                                padding, 0)
        return (taps.sum(axis=0) / ones.sum(axis=0)).astype(x.dtype)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)
        return lambda x: pool_kernels.avg_pool(x, *self._args(op, x.shape))

    def grad(self, op, dy):
        return [AvgPoolGrad.apply(array_ops.shape(op.inputs[0]), dy, **self._pool_attrs(op))]


class AvgPoolGrad(_PoolBase):
    """Gradient of AvgPool: each window's gradient spread evenly over its valid elements."""

    type = "AvgPoolGrad"
    input_dtypes = {0: dtypes.int32}

    def infer(self, sizes, dy, *, ksize, strides, padding, data_format):
        xd, dyd = _sizes_shape(sizes, 4), _dims(dy, 4, "grad")
        return [TensorSpec([_merge(xd[0], dyd[0]), xd[1], xd[2], _merge(xd[3], dyd[3])],
                           dy.dtype)]

    def compute(self, sizes, dy, *, ksize, strides, padding, data_format):
        shape = tuple(int(d) for d in sizes)
        ones, xp, pads = _pool_taps(np.ones((1,) + shape[1:3] + (1,), dy.dtype), ksize, strides,
                                    padding, 0)
        share = dy / ones.sum(axis=0)
        values = np.broadcast_to(share, (ones.shape[0],) + share.shape)
        xp_shape = (shape[0],) + xp.shape[1:3] + (shape[3],)
        return _scatter_taps(values, xp_shape, ksize, strides, pads, shape, dy.dtype)

    def make_kernel(self, op, rt):
        if op.outputs[0].dtype.np not in _FAST_DTYPES:
            return super().make_kernel(op, rt)

        def kernel(sizes, dy):
            ksize, strides, pads, _ = self._args(op, tuple(int(d) for d in sizes))
            return pool_kernels.avg_pool_grad(sizes, dy, ksize, strides, pads)
        return kernel

    def grad(self, op, g):
        return [None, AvgPool.apply(g, **self._pool_attrs(op))]


def _pool_attrs(ksize, strides, padding, data_format, n=2):
    require(ksize is not None and strides is not None, "pooling needs ksize and strides")
    return dict(ksize=_spatial_list(ksize, "ksize", n), strides=_spatial_list(strides, "strides", n),
                padding=_padding(padding), data_format=_data_format(data_format))


def max_pool(value=None, ksize=None, strides=None, padding="VALID", data_format="NHWC", name=None,
             input=None):
    """tf.nn.max_pool: max over windows of NHWC `value`; ksize/strides as ints or lists of 2 or 4.

        y = tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='VALID')
    """
    value = input if value is None else value
    return MaxPool.apply(value, name=name, **_pool_attrs(ksize, strides, padding, data_format))


max_pool2d = max_pool


def avg_pool(value=None, ksize=None, strides=None, padding="VALID", data_format="NHWC", name=None,
             input=None):
    """tf.nn.avg_pool: mean over windows of NHWC `value` (SAME: over the valid elements only)."""
    value = input if value is None else value
    return AvgPool.apply(value, name=name, **_pool_attrs(ksize, strides, padding, data_format))


avg_pool2d = avg_pool


def _pool1d(pool, value, ksize, strides, padding, data_format, name, default_name):
    from tfgraph.framework.scopes import name_scope
    require(data_format in (None, "NWC"),
            "data_format %r is not supported: 1-D pools compute in NWC" % (data_format,))
    k = _spatial_list(ksize, "ksize", n=1)[1]
    s = _spatial_list(strides, "strides", n=1)[1]
    with name_scope(name, default_name, [value]):
        y = pool(array_ops.expand_dims(value, 1), ksize=[1, 1, k, 1], strides=[1, 1, s, 1],
                 padding=padding)
        return _squeeze_axis1(y)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """tf.nn.max_pool1d: max over windows of NWC `input` (composite over max_pool)."""
    return _pool1d(max_pool, input, ksize, strides, padding, data_format, name, "MaxPool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """tf.nn.avg_pool1d: mean over windows of NWC `input` (composite over avg_pool)."""
    return _pool1d(avg_pool, input, ksize, strides, padding, data_format, name, "AvgPool1d")


__all__ = [
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "conv2d_transpose",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
]
