"""Fused convolution ops and the plan-time fold rules that produce them.

Each rule (framework/rewrite_rule.py) is a pattern over the ops a conv layer's forward or backward
pass builds, and each fused op one kernel doing their work in one pass over memory (the bias and
Relu applied to each output row while it is in cache, a 2x2 pool taken from each pair of conv rows,
a filter and bias gradient from one read of dy). The plan (runtime/rewrite_engine.py) applies the
rules in the order below; the graph keeps the original ops. A fused op is an ordinary OpDef:
its `compute` composes the originals' numpy references, which is what tests compare the kernel to.

Adding a fold: write the fused OpDef here (attrs, `infer`, `compute`, `make_kernel`) and register
one rule whose pattern matches the ops it replaces.
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import TensorSpec
from tfgraph.framework.rewrite_rule import Pattern, RewriteRule, register_rewrite_rule
from tfgraph.kernels import conv as conv_kernels
from tfgraph.kernels import pooling as pool_kernels
from tfgraph.ops.conv_ops import (_FAST_DTYPES, Conv2D, Conv2DBackpropFilter, MaxPool, MaxPoolGrad,
                                  _ConvBase, _dims,
                                  _PoolBase, conv2d_backprop_filter_reference,
                                  conv2d_backprop_input_reference, conv2d_reference)

__all__ = []

_CONV_ATTRS = tuple(_ConvBase.attrs)
_POOL_ATTRS = tuple(_PoolBase.attrs)
# the conv + pool ops' own pool attrs, next to the conv's strides/padding
_CONV_POOL_ATTRS = {"ksize": (1, 2, 2, 1), "pool_strides": (1, 2, 2, 1), "pool_padding": "VALID"}


def _conv_attrs(a):
    return {k: a[k] for k in _CONV_ATTRS}


def _pool_attrs(a):
    return {"ksize": a["ksize"], "strides": a["pool_strides"], "padding": a["pool_padding"],
            "data_format": "NHWC"}


def _relu_mask(dx, y):
    return dx * (y > 0)


def _bias_relu(v, bias, relu):
    v = v + bias
    return np.maximum(v, 0).astype(v.dtype) if relu else v


def _fast(op):
    return op.outputs[0].dtype.np in _FAST_DTYPES


# -- the fused ops ------------------------------------------------------------------------------
class FusedConv2D(_ConvBase):
    """Conv2D(x, w) followed by `fused_ops`: ("BiasAdd",) or ("BiasAdd", "Relu") with `bias`."""

    type = "_FusedConv2D"
    attrs = dict(_ConvBase.attrs, fused_ops=("BiasAdd",))
    same_dtype = (0, 1, 2)

    def infer(self, x, w, bias, *, fused_ops, **conv):
        return Conv2D().infer(x, w, **conv)

    def compute(self, x, w, bias, *, fused_ops, **conv):
        v = conv2d_reference(x, w, conv["strides"], conv["padding"], conv["dilations"])
        return _bias_relu(v, bias, "Relu" in fused_ops)

    def make_kernel(self, op, rt):
        if not _fast(op):
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        relu = "Relu" in op.attrs["fused_ops"]
        return lambda x, w, bias: conv_kernels.conv2d(x, w, s, d, p, bias, relu)


class FusedConv2DReluMaxPool(_ConvBase):
    """MaxPool(Relu(BiasAdd(Conv2D(x, w), bias))) with a 2x2, stride-2 VALID pool, each pair of
    conv rows pooled while in cache; with `with_relu_out` also the Relu output (training reads
    it), else the activation is never stored."""

    type = "_FusedConv2DReluMaxPool"
    attrs = dict(_ConvBase.attrs, with_relu_out=False, **_CONV_POOL_ATTRS)
    same_dtype = (0, 1, 2)

    def infer(self, x, w, bias, *, with_relu_out, ksize, pool_strides, pool_padding, **conv):
        a = Conv2D().infer(x, w, **conv)[0]
        n, h, w_, c = _dims(a, 4, "activation")
        pool = TensorSpec([n, h // 2 if h is not None else None,
                           w_ // 2 if w_ is not None else None, c], x.dtype)
        return [pool, a] if with_relu_out else [pool]

    def compute(self, x, w, bias, *, with_relu_out, **attrs):
        conv = _conv_attrs(attrs)
        a = _bias_relu(conv2d_reference(x, w, conv["strides"], conv["padding"],
                                        conv["dilations"]), bias, True)
        y = MaxPool().compute(a, **_pool_attrs(attrs))
        return (y, a) if with_relu_out else y

    def make_kernel(self, op, rt):
        if not _fast(op):
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        keep = op.attrs["with_relu_out"]
        return lambda x, w, bias: conv_kernels.conv2d_relu_max_pool(x, w, bias, s, d, p,
                                                                    with_relu_out=keep)


class FusedConv2DReluMaxPoolGrad(_ConvBase):
    """(dL/dw, dL/dbias) of a `_FusedConv2DReluMaxPool` block from its Relu output a, pool output
    y and dL/dy = g: MaxPoolGrad, ReluGrad, BiasAddGrad and Conv2DBackpropFilter in one pass (a
    first layer: no dL/dx)."""

    type = "_FusedConv2DReluMaxPoolGrad"
    attrs = dict(_ConvBase.attrs, **_CONV_POOL_ATTRS)
    same_dtype = (0, 1, 2, 3, 4, 5)

    def infer(self, x, w, bias, a, y, g, **attrs):
        return [TensorSpec(w.shape, w.dtype), TensorSpec(bias.shape, bias.dtype)]

    def compute(self, x, w, bias, a, y, g, **attrs):
        conv = _conv_attrs(attrs)
        dy = _relu_mask(MaxPoolGrad().compute(a, y, g, **_pool_attrs(attrs)), a)
        return FusedConv2DBackpropFilterWithBias().compute(x, w.shape, dy, **conv)

    def make_kernel(self, op, rt):
        if not _fast(op):
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        return lambda x, w, bias, a, y, g: conv_kernels.conv2d_relu_max_pool_grad(
            x, w, bias, y, g, s, d, p, relu_out=a)


class FusedMaxPoolGradRelu(_PoolBase):
    """ReluGrad(MaxPoolGrad(x, y, dy), x), for a pool over a Relu output x: the pool gradient
    already reads x, so the mask costs no extra pass."""

    type = "_FusedMaxPoolGradRelu"
    same_dtype = (0, 1, 2)

    def infer(self, x, y, dy, **attrs):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, y, dy, **attrs):
        return _relu_mask(MaxPoolGrad().compute(x, y, dy, **attrs), x)

    def make_kernel(self, op, rt):
        if not _fast(op):
            return super().make_kernel(op, rt)

        def kernel(x, y, dy):
            ksize, strides, pads, _ = self._args(op, x.shape)
            return pool_kernels.max_pool_grad(x, y, dy, ksize, strides, pads, relu=True)
        return kernel


class FusedConv2DBackpropInputRelu(_ConvBase):
    """ReluGrad(Conv2DBackpropInput(sizes, w, dy), y), for a conv over a Relu output y: the mask
    is applied to each chunk of dx while it is in cache."""

    type = "_FusedConv2DBackpropInputRelu"
    same_dtype = (1, 2, 3)
    input_dtypes = {0: dtypes.int32}

    def infer(self, sizes, w, dy, y, **conv):
        return [TensorSpec(y.shape, w.dtype)]

    def compute(self, sizes, w, dy, y, **conv):
        dx = conv2d_backprop_input_reference(sizes, w, dy, conv["strides"], conv["padding"],
                                             conv["dilations"])
        return _relu_mask(dx, y)

    def make_kernel(self, op, rt):
        if not _fast(op):
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        return lambda sizes, w, dy, y: conv_kernels.conv2d_backprop_input(sizes, w, dy, s, d, p,
                                                                          relu_out=y)


class FusedConv2DBackpropFilterWithBias(_ConvBase):
    """(Conv2DBackpropFilter(x, sizes, dy), BiasAddGrad(dy)): a conv layer's filter and bias
    gradients from one read of dy."""

    type = "_FusedConv2DBackpropFilterWithBias"
    same_dtype = (0, 2)
    input_dtypes = {1: dtypes.int32}

    def infer(self, x, sizes, dy, **conv):
        dw = Conv2DBackpropFilter().infer(x, sizes, dy, **conv)[0]
        return [dw, TensorSpec([dw.shape.as_list()[3] if dw.shape.ndims else None], x.dtype)]

    def compute(self, x, sizes, dy, **conv):
        dw = conv2d_backprop_filter_reference(x, sizes, dy, conv["strides"], conv["padding"],
                                              conv["dilations"])
        return dw, dy.sum(axis=(0, 1, 2)).astype(dy.dtype)

    def make_kernel(self, op, rt):
        if not _fast(op):
            return super().make_kernel(op, rt)
        s, d, p = self._kernel_args(op)
        return lambda x, sizes, dy: conv_kernels.conv2d_backprop_filter(x, sizes, dy, s, d, p,
                                                                        with_bias=True)


# -- the rules, in the order plans apply them -----------------------------------------------------
def _nhwc_fast(*names):
    """A rule's `where`: the named ops are float32/64 and NHWC (the fused kernels' layout)."""
    def where(m):
        return all(_fast(m.op(n)) and m.op(n).attrs.get("data_format", "NHWC") == "NHWC"
                   for n in names)
    return where


def _pools_directly(conv, pool):
    """The joint conv + pool kernels apply: a float NHWC conv with a tiny filter (the direct
    kernels') and a 2x2, stride-2 VALID NHWC pool."""
    w = conv.inputs[1].shape.as_tuple()
    a = pool.attrs
    return (_fast(conv) and conv.attrs["data_format"] == "NHWC" and w is not None and
            None not in w and w[0] * w[1] * w[2] <= conv_kernels.CONV_POOL_MAX_K and
            tuple(a["ksize"]) == (1, 2, 2, 1) and tuple(a["strides"]) == (1, 2, 2, 1) and
            a["padding"] == "VALID" and a["data_format"] == "NHWC")


def _conv_pool_attrs(conv, pool):
    return dict(_conv_attrs(conv.attrs), ksize=tuple(pool.attrs["ksize"]),
                pool_strides=tuple(pool.attrs["strides"]), pool_padding=pool.attrs["padding"])


register_rewrite_rule(RewriteRule(
    "max_pool_grad_relu",
    Pattern("ReluGrad", Pattern("MaxPoolGrad", "x", "y", "dy"), "x"),
    "_FusedMaxPoolGradRelu", inputs=("x", "y", "dy"),
    attrs=lambda m: {k: m.op("MaxPoolGrad").attrs[k] for k in _POOL_ATTRS},
    where=_nhwc_fast("MaxPoolGrad")))

register_rewrite_rule(RewriteRule(
    "conv_input_grad_relu",
    Pattern("ReluGrad", Pattern("Conv2DBackpropInput", "sizes", "w", "dy"), "y"),
    "_FusedConv2DBackpropInputRelu", inputs=("sizes", "w", "dy", "y"),
    attrs=lambda m: _conv_attrs(m.op("Conv2DBackpropInput").attrs),
    where=_nhwc_fast("Conv2DBackpropInput")))

register_rewrite_rule(RewriteRule(
    "conv_bias_relu",
    Pattern("Relu", Pattern("BiasAdd", Pattern("Conv2D", "x", "w"), "bias")),
    "_FusedConv2D", inputs=("x", "w", "bias"),
    attrs=lambda m: dict(_conv_attrs(m.op("Conv2D").attrs), fused_ops=("BiasAdd", "Relu")),
    where=_nhwc_fast("Conv2D", "BiasAdd")))

register_rewrite_rule(RewriteRule(
    "conv_bias",
    Pattern("BiasAdd", Pattern("Conv2D", "x", "w"), "bias"),
    "_FusedConv2D", inputs=("x", "w", "bias"),
    attrs=lambda m: dict(_conv_attrs(m.op("Conv2D").attrs), fused_ops=("BiasAdd",)),
    where=_nhwc_fast("Conv2D", "BiasAdd")))

def _adds_a_bias(m):
    """`conv + b` (TF1 scripts' `tf.nn.conv2d(x, W) + b`) is a BiasAdd: b is a vector of the
    conv's output channels and dtype, so the add broadcasts it over N, H and W only."""
    conv, bias = m.op("Conv2D"), m.value("bias")
    channels = conv.outputs[0].shape.as_tuple()
    return (_nhwc_fast("Conv2D")(m) and bias.dtype == conv.outputs[0].dtype and
            channels is not None and bias.shape.as_tuple() == (channels[-1],) and
            channels[-1] is not None)


register_rewrite_rule(RewriteRule(
    "conv_add_bias_relu",
    Pattern("Relu", Pattern(("Add", "AddV2"), Pattern("Conv2D", "x", "w"), "bias")),
    "_FusedConv2D", inputs=("x", "w", "bias"),
    attrs=lambda m: dict(_conv_attrs(m.op("Conv2D").attrs), fused_ops=("BiasAdd", "Relu")),
    where=_adds_a_bias))

register_rewrite_rule(RewriteRule(
    "conv_add_bias",
    Pattern(("Add", "AddV2"), Pattern("Conv2D", "x", "w"), "bias"),
    "_FusedConv2D", inputs=("x", "w", "bias"),
    attrs=lambda m: dict(_conv_attrs(m.op("Conv2D").attrs), fused_ops=("BiasAdd",)),
    where=_adds_a_bias))

register_rewrite_rule(RewriteRule(
    "conv_relu_max_pool",
    Pattern("MaxPool", Pattern("_FusedConv2D", "x", "w", "bias", name="conv", shared=True)),
    "_FusedConv2DReluMaxPool", inputs=("x", "w", "bias"),
    attrs=lambda m: dict(_conv_pool_attrs(m.op("conv"), m.op("MaxPool")),
                         with_relu_out=m.escapes("conv")),
    where=lambda m: "Relu" in m.op("conv").attrs["fused_ops"] and
    _pools_directly(m.op("conv"), m.op("MaxPool"))))

def _sums_to_channels(m):
    """Reshape(Sum(dy, every axis but the last, keep_dims), [C]) is BiasAddGrad(dy): the bias
    gradient of TF1's `tf.nn.conv2d(x, W) + b` and `tf.matmul(x, W) + b` (the add's gradient
    sums dy over the axes it broadcast b along)."""
    dy, total = m.value("dy"), m.op("Sum")
    shape = dy.shape.as_tuple()
    if shape is None or len(shape) < 2 or shape[-1] is None or dy.dtype.np not in _FAST_DTYPES:
        return False
    axis = total.attrs["axis"]
    if axis is None or not total.attrs["keep_dims"]:
        return False
    axis = sorted(a % len(shape) for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
    return axis == list(range(len(shape) - 1)) and \
        m.op("Reshape").outputs[0].shape.as_tuple() == (shape[-1],)


register_rewrite_rule(RewriteRule(
    "channel_sum_is_bias_add_grad",
    Pattern("Reshape", Pattern("Sum", "dy"), None),
    "BiasAddGrad", inputs=("dy",), attrs=lambda m: {"data_format": "NHWC"},
    where=_sums_to_channels))

register_rewrite_rule(RewriteRule(
    "conv_filter_grad_with_bias",
    (Pattern("Conv2DBackpropFilter", "x", "sizes", "dy"), Pattern("BiasAddGrad", "dy")),
    "_FusedConv2DBackpropFilterWithBias", inputs=("x", "sizes", "dy"),
    attrs=lambda m: _conv_attrs(m.op("Conv2DBackpropFilter").attrs),
    where=_nhwc_fast("Conv2DBackpropFilter", "BiasAddGrad")))

register_rewrite_rule(RewriteRule(
    "conv_relu_max_pool_grad",
    Pattern("_FusedConv2DBackpropFilterWithBias", "x", None, Pattern(
        "_FusedMaxPoolGradRelu",
        Pattern("_FusedConv2DReluMaxPool", "x", "w", "bias", name="conv_pool", output=1,
                context=True, bind="a"),
        "y", "g")),
    "_FusedConv2DReluMaxPoolGrad", inputs=("x", "w", "bias", "a", "y", "g"),
    attrs=lambda m: _conv_attrs(m.op("conv_pool").attrs) | {
        k: m.op("conv_pool").attrs[k] for k in _CONV_POOL_ATTRS},
    where=lambda m: _pools_directly(m.op("conv_pool"), m.op("_FusedMaxPoolGradRelu"))))
