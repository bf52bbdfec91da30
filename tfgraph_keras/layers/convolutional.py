"""Convolution layers: Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose,
Cropping2D, ZeroPadding1D/2D, UpSampling1D/2D; data_format channels_last or channels_first."""
import numpy as np

import tfgraph as tf
from tfgraph_keras import _legacy, activations, initializers, regularizers
from tfgraph_keras.layers.base_layer import InputSpec
from tfgraph_keras.layers.data_format import DataFormatLayer, standardize_data_format
from tfgraph_keras.layers.core import (as_shape_tuple, constraints, dynamic_dims,
                                       serialize_or_none, static_shape)


def normalize_tuple(value, n, name):
    """An int or an n-sequence of ints -> an n-tuple (Keras's conv_utils.normalize_tuple)."""
    if isinstance(value, int):
        value = (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %s"
                         % (name, n, value))
    if name != "padding" and any(v <= 0 for v in value):  # Keras 3's check (padding may be 0)
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received %s=%s, "
                         "including values %s that do not satisfy `value > 0`"
                         % (name, n, name, value, {v for v in value if v <= 0}))
    return value


def conv_output_length(length, kernel, padding, stride, dilation=1):
    """Output size along one spatial axis, as TF computes it (None stays None)."""
    if length is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    if padding == "causal":
        return (length + stride - 1) // stride
    return (length - effective + stride) // stride


class _Conv(DataFormatLayer):
    """N-D convolution over the spatial axes of channels_last inputs (N = `rank`)."""

    rank = 2

    @_legacy.renames(_legacy.CONV)
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, groups=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same") + (("causal",) if self.rank == 1 else ()):
            raise ValueError("Invalid padding '%s' for %s." % (padding, type(self).__name__))
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             "Received: strides=%s and dilation_rate=%s"
                             % (self.strides, self.dilation_rate))
        if groups != 1:
            raise ValueError("Grouped convolutions (groups=%s) are not supported." % groups)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _build_last(self, input_shape):
        channels = as_shape_tuple(input_shape)[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs to %s should be defined. Found "
                             "None (input shape %s)." % (type(self).__name__, input_shape))
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (channels, self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.built = True

    def _convolve(self, x):
        raise NotImplementedError

    def _call_last(self, inputs):
        y = self._convolve(inputs)
        if self.use_bias:
            y = tf.nn.bias_add(y, self.bias)
        return self.activation(y) if self.activation is not None else y

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        spatial = tuple(conv_output_length(n, k, self.padding, s, d) for n, k, s, d in zip(
            shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        return (shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters, kernel_size=list(self.kernel_size), strides=list(self.strides),
            padding=self.padding, data_format=self.data_format,
            dilation_rate=list(self.dilation_rate), groups=1,
            activation=activations.serialize(self.activation), use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=serialize_or_none(regularizers, self.kernel_regularizer),
            bias_regularizer=serialize_or_none(regularizers, self.bias_regularizer),
            activity_regularizer=serialize_or_none(
                regularizers, regularizers.get(self.activity_regularizer)),
            kernel_constraint=constraints.serialize(self.kernel_constraint),
            bias_constraint=constraints.serialize(self.bias_constraint))
        return config


class Conv2D(_Conv):
    """2-D convolution on NHWC inputs; kernel (kh, kw, in, filters), as Keras stores it.

        Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
    """

    rank = 2

    def _convolve(self, x):
        sh, sw = self.strides
        dh, dw = self.dilation_rate
        return tf.nn.conv2d(x, self.kernel, strides=[1, sh, sw, 1], padding=self.padding.upper(),
                            dilations=[1, dh, dw, 1])


class Conv1D(_Conv):
    """1-D convolution on (batch, steps, channels); kernel (k, in, filters). 'causal' pads left."""

    rank = 1

    def _convolve(self, x):
        padding = self.padding
        if padding == "causal":
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        # One conv2d over a height-1 image: (N, 1, W, C) * (1, k, C, F).
        n, w, c = dynamic_dims(x)
        x4 = tf.reshape(x, [-1 if not isinstance(n, int) else n, 1, w, c])
        k4 = tf.reshape(self.kernel, (1,) + tuple(static_shape(self.kernel)))
        y = tf.nn.conv2d(x4, k4, strides=[1, 1, self.strides[0], 1], padding=padding.upper(),
                         dilations=[1, 1, self.dilation_rate[0], 1])
        out = dynamic_dims(y)
        return tf.reshape(y, [out[0], out[2], out[3]] if isinstance(out[0], int)
                          else [-1, out[2], out[3]])


def depthwise_as_dense_kernel(depthwise):
    """(kh, kw, C, M) depthwise kernel -> the equivalent (kh, kw, C, C*M) conv2d kernel.

    Output channel c*M + m sees only input channel c (TF's depthwise channel order). This costs C
    times the FLOPs of a true depthwise kernel but reuses conv2d and its gradients.
    """
    kh, kw, c, m = static_shape(depthwise)
    eye = tf.constant(np.eye(c, dtype=depthwise.dtype.np).reshape(1, 1, c, c, 1))
    block = tf.reshape(depthwise, [kh, kw, c, 1, m]) * eye
    return tf.reshape(block, [kh, kw, c, c * m])


class DepthwiseConv2D(Conv2D):
    """Convolves each input channel with its own `depth_multiplier` filters (no channel mixing).

    depthwise_kernel: (kh, kw, in, depth_multiplier); output channels in * depth_multiplier.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint, bias_constraint=bias_constraint,
                         **kwargs)
        self.depth_multiplier = int(depth_multiplier)

    def _build_last(self, input_shape):
        channels = as_shape_tuple(input_shape)[-1]
        self.filters = channels * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.built = True

    def _convolve(self, x):
        sh, sw = self.strides
        dh, dw = self.dilation_rate
        return tf.nn.conv2d(x, depthwise_as_dense_kernel(self.depthwise_kernel),
                            strides=[1, sh, sw, 1], padding=self.padding.upper(),
                            dilations=[1, dh, dw, 1])

    def _output_shape_last(self, input_shape):
        self.filters = as_shape_tuple(input_shape)[-1] * self.depth_multiplier
        return super()._output_shape_last(input_shape)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups"):
            config.pop(key)
        for old, new in (("kernel_initializer", "depthwise_initializer"),
                         ("kernel_regularizer", "depthwise_regularizer"),
                         ("kernel_constraint", "depthwise_constraint")):
            config[new] = config.pop(old)
        config["depth_multiplier"] = self.depth_multiplier
        return config


class SeparableConv2D(Conv2D):
    """A depthwise convolution followed by a 1x1 (pointwise) one, as Keras's SeparableConv2D.

    Weights, in Keras's order: depthwise_kernel (kh, kw, in, depth_multiplier), pointwise_kernel
    (1, 1, in * depth_multiplier, filters), bias (filters,).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def _build_last(self, input_shape):
        channels = as_shape_tuple(input_shape)[-1]
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.built = True

    def _convolve(self, x):
        sh, sw = self.strides
        dh, dw = self.dilation_rate
        y = tf.nn.conv2d(x, depthwise_as_dense_kernel(self.depthwise_kernel),
                         strides=[1, sh, sw, 1], padding=self.padding.upper(),
                         dilations=[1, dh, dw, 1])
        return tf.nn.conv2d(y, self.pointwise_kernel, strides=[1, 1, 1, 1], padding="VALID")

    def get_config(self):
        config = super().get_config()
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint", "groups"):
            config.pop(key)
        config.update(
            depth_multiplier=self.depth_multiplier,
            depthwise_initializer=initializers.serialize(self.depthwise_initializer),
            pointwise_initializer=initializers.serialize(self.pointwise_initializer),
            depthwise_regularizer=serialize_or_none(regularizers, self.depthwise_regularizer),
            pointwise_regularizer=serialize_or_none(regularizers, self.pointwise_regularizer),
            depthwise_constraint=constraints.serialize(self.depthwise_constraint),
            pointwise_constraint=constraints.serialize(self.pointwise_constraint))
        return config


class Conv2DTranspose(Conv2D):
    """Transposed ("de-") convolution: the gradient of Conv2D w.r.t. its input.

    kernel: (kh, kw, filters, in_channels), as Keras stores it. Output size n*s ('same') or
    n*s + max(k - s, 0) ('valid', as Keras: (n-1)*s + k, but never below n*s); `output_padding` is
    not supported.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), **kwargs):
        if output_padding is not None:
            raise ValueError("Conv2DTranspose(output_padding=...) is not supported.")
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)

    def _build_last(self, input_shape):
        channels = as_shape_tuple(input_shape)[-1]
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.built = True

    def _out_len(self, n, k, s, d):
        if n is None:
            return None
        eff = (k - 1) * d + 1
        return n * s if self.padding == "same" else n * s + max(eff - s, 0)

    def _convolve(self, x):
        n, h, w, _ = dynamic_dims(x)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.strides, self.dilation_rate
        oh = h * sh if self.padding == "same" else h * sh + max((kh - 1) * dh + 1 - sh, 0)
        ow = w * sw if self.padding == "same" else w * sw + max((kw - 1) * dw + 1 - sw, 0)
        shape = tf.stack([tf.shape(x)[0], oh, ow, self.filters])
        y = tf.nn.conv2d_transpose(x, self.kernel, shape, strides=[1, sh, sw, 1],
                                   padding=self.padding.upper(), dilations=[1, dh, dw, 1])
        static = self._output_shape_last(static_shape(x))
        y.set_shape(static)
        return y

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        spatial = tuple(self._out_len(n, k, s, d) for n, k, s, d in zip(
            shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        return (shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = None
        return config


class Cropping2D(DataFormatLayer):
    """Crops rows and columns: cropping=1, (1, 2) or ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cropping, int):
            cropping = ((cropping, cropping), (cropping, cropping))
        elif all(isinstance(c, int) for c in cropping):
            cropping = ((cropping[0], cropping[0]), (cropping[1], cropping[1]))
        self.cropping = tuple(tuple(int(v) for v in c) for c in cropping)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _call_last(self, inputs):
        (t, b), (left, r) = self.cropping
        return inputs[:, t:(-b if b else None), left:(-r if r else None), :]

    def _output_shape_last(self, input_shape):
        n, h, w, c = as_shape_tuple(input_shape)
        (t, b), (left, r) = self.cropping
        return (n, None if h is None else h - t - b, None if w is None else w - left - r, c)

    def get_config(self):
        config = super().get_config()
        config.update(cropping=[list(c) for c in self.cropping], data_format=self.data_format)
        return config


class ZeroPadding1D(DataFormatLayer):
    """Pads the steps axis of (batch, steps, channels) with zeros: padding=1 or (left, right)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = (padding, padding) if isinstance(padding, int) else tuple(padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def _call_last(self, inputs):
        return tf.pad(inputs, [[0, 0], list(self.padding), [0, 0]])

    def _output_shape_last(self, input_shape):
        n, w, c = as_shape_tuple(input_shape)
        return (n, None if w is None else w + sum(self.padding), c)

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding),
                "data_format": self.data_format}


class UpSampling1D(DataFormatLayer):
    """Repeats each step `size` times: (batch, steps, channels) -> (batch, steps*size, channels)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def _call_last(self, inputs):
        n, w, c = dynamic_dims(inputs)
        lead = n if isinstance(n, int) else -1
        x = tf.reshape(inputs, [lead, w, 1, c]) * tf.ones([1, 1, self.size, 1], inputs.dtype)
        return tf.reshape(x, [lead, w * self.size, c])

    def _output_shape_last(self, input_shape):
        n, w, c = as_shape_tuple(input_shape)
        return (n, None if w is None else w * self.size, c)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class ZeroPadding2D(DataFormatLayer):
    """Pads rows and columns with zeros: padding=1, (1, 2) or ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = ((padding, padding), (padding, padding))
        elif all(isinstance(p, int) for p in padding):
            padding = ((padding[0], padding[0]), (padding[1], padding[1]))
        self.padding = tuple(tuple(int(v) for v in p) for p in padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _call_last(self, inputs):
        return tf.pad(inputs, [[0, 0], list(self.padding[0]), list(self.padding[1]), [0, 0]])

    def _output_shape_last(self, input_shape):
        n, h, w, c = as_shape_tuple(input_shape)
        (t, b), (left, r) = self.padding
        return (n, None if h is None else h + t + b, None if w is None else w + left + r, c)

    def get_config(self):
        config = super().get_config()
        config.update(padding=[list(p) for p in self.padding], data_format=self.data_format)
        return config


class UpSampling2D(DataFormatLayer):
    """Repeats rows and columns (nearest neighbour): size=2 or (rows, cols)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        if interpolation != "nearest":
            raise ValueError("UpSampling2D supports interpolation='nearest' only; got %r."
                             % (interpolation,))
        self.interpolation = interpolation
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _call_last(self, inputs):
        n, h, w, c = dynamic_dims(inputs)
        sh, sw = self.size
        x = tf.reshape(inputs, [-1 if not isinstance(n, int) else n, h, 1, w, 1, c])
        # Broadcasting against ones repeats each pixel; its gradient sums the copies back.
        x = x * tf.ones([1, 1, sh, 1, sw, 1], dtype=inputs.dtype)
        return tf.reshape(x, [-1 if not isinstance(n, int) else n, h * sh, w * sw, c])

    def _output_shape_last(self, input_shape):
        n, h, w, c = as_shape_tuple(input_shape)
        return (n, None if h is None else h * self.size[0], None if w is None else w * self.size[1],
                c)

    def get_config(self):
        config = super().get_config()
        config.update(size=list(self.size), data_format=self.data_format,
                      interpolation=self.interpolation)
        return config


Convolution1D = Conv1D


class Convolution2D(Conv2D):
    """Conv2D under its Keras 1 name: Convolution2D(nb_filter, nb_row, nb_col, ...) builds an
    (nb_row, nb_col) kernel as Keras 1 did (a one-time DeprecationWarning); the layer made is a
    Conv2D (saved as one, as Keras saves it)."""

    def __new__(cls, *args, **kwargs):
        args, kwargs = _legacy.conv2d_positional(args, kwargs)
        return Conv2D(*args, **kwargs)


SeparableConvolution2D = SeparableConv2D

Convolution2DTranspose = Conv2DTranspose

__all__ = ["Conv1D", "Conv2D", "Convolution1D", "Convolution2D", "DepthwiseConv2D",
           "SeparableConv2D", "SeparableConvolution2D", "Conv2DTranspose",
           "Convolution2DTranspose", "Cropping2D", "ZeroPadding1D", "ZeroPadding2D",
           "UpSampling1D", "UpSampling2D"]
