"""Convolution layers beyond the 2-D family in convolutional.py (channels_last): Conv1DTranspose,
SeparableConv1D, Conv3D and Conv3DTranspose, with Keras 3's weights, configs and output sizes.
The 1-D layers run as 2-D convolutions over a height-1 image; the 3-D ones use tf.nn.conv3d."""
import tfgraph as tf
from tfgraph_keras.layers.base_layer import InputSpec
from tfgraph_keras.layers.convolutional import (
    Conv2DTranspose,
    SeparableConv2D,
    _Conv,
    depthwise_as_dense_kernel,
)
from tfgraph_keras.layers.core import as_shape_tuple, dynamic_dims, static_shape


def _lead(n):
    return n if isinstance(n, int) else -1


def _as_nhwc(x):
    """(N, W, C) -> (N, 1, W, C)."""
    n, w, c = dynamic_dims(x)
    return tf.reshape(x, [_lead(n), 1, w, c])


def _from_nhwc(y):
    n, _, w, c = dynamic_dims(y)
    return tf.reshape(y, [_lead(n), w, c])


class _ConvTranspose(Conv2DTranspose):
    """Keras 3's transposed convolution sizes: n*s ('same'), n*s + max(k_eff - s, 0) ('valid')."""

    def _build_last(self, input_shape):
        super()._build_last(input_shape)
        channels = as_shape_tuple(input_shape)[-1]
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})

    def _out_len(self, n, k, s, d):
        if n is None:
            return None
        eff = (k - 1) * d + 1
        return n * s if self.padding == "same" else n * s + max(eff - s, 0)

    def _output_shape_tensor(self, x):
        dims = dynamic_dims(x)
        spatial = []
        for n, k, s, d in zip(dims[1:-1], self.kernel_size, self.strides, self.dilation_rate):
            eff = (k - 1) * d + 1
            spatial.append(n * s if self.padding == "same" else n * s + max(eff - s, 0))
        return tf.stack([tf.shape(x)[0]] + spatial + [self.filters])


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution of (batch, steps, channels); kernel (k, filters, in)."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        if str(padding).lower() == "causal":
            raise ValueError("Invalid padding 'causal' for Conv1DTranspose: expected 'valid' or "
                             "'same'.")
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)

    def _convolve(self, x):
        out = self._output_shape_tensor(x)
        shape4 = tf.stack([out[0], 1, out[1], out[2]])
        k4 = tf.reshape(self.kernel, (1,) + tuple(static_shape(self.kernel)))
        y = tf.nn.conv2d_transpose(_as_nhwc(x), k4, shape4,
                                   strides=[1, 1, self.strides[0], 1],
                                   padding=self.padding.upper(),
                                   dilations=[1, 1, self.dilation_rate[0], 1])
        y = _from_nhwc(y)
        y.set_shape(self._output_shape_last(static_shape(x)))
        return y


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution of (batch, d1, d2, d3, channels); kernel
    (k1, k2, k3, filters, in)."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)

    def _convolve(self, x):
        y = tf.nn.conv3d_transpose(x, self.kernel, self._output_shape_tensor(x),
                                   strides=[1] + list(self.strides) + [1],
                                   padding=self.padding.upper(),
                                   dilations=[1] + list(self.dilation_rate) + [1])
        y.set_shape(self._output_shape_last(static_shape(x)))
        return y


class Conv3D(_Conv):
    """3-D convolution of (batch, d1, d2, d3, channels); kernel (k1, k2, k3, in, filters).

        Conv3D(8, 3, padding="same", activation="relu", input_shape=(16, 16, 16, 1))
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)

    def _convolve(self, x):
        return tf.nn.conv3d(x, self.kernel, strides=[1] + list(self.strides) + [1],
                            padding=self.padding.upper(),
                            dilations=[1] + list(self.dilation_rate) + [1])


class SeparableConv1D(SeparableConv2D):
    """A depthwise 1-D convolution, then a pointwise one. Weights as Keras: depthwise_kernel
    (k, in, depth_multiplier), pointwise_kernel (1, in * depth_multiplier, filters), bias."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, **kwargs)

    def _build_last(self, input_shape):
        channels = as_shape_tuple(input_shape)[-1]
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=3, axes={-1: channels})
        self.built = True

    def _convolve(self, x):
        padding = self.padding
        if padding == "causal":
            x = tf.pad(x, [[0, 0], [(self.kernel_size[0] - 1) * self.dilation_rate[0], 0],
                           [0, 0]])
            padding = "valid"
        k, c, m = static_shape(self.depthwise_kernel)
        dense = depthwise_as_dense_kernel(tf.reshape(self.depthwise_kernel, [1, k, c, m]))
        y = tf.nn.conv2d(_as_nhwc(x), dense, strides=[1, 1, self.strides[0], 1],
                         padding=padding.upper(), dilations=[1, 1, self.dilation_rate[0], 1])
        pw = tf.reshape(self.pointwise_kernel, [1, 1, c * m, self.filters])
        return _from_nhwc(tf.nn.conv2d(y, pw, strides=[1, 1, 1, 1], padding="VALID"))


Convolution3D = Conv3D
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D

__all__ = ["Conv1DTranspose", "Conv3D", "Conv3DTranspose", "SeparableConv1D", "Convolution3D",
           "Convolution3DTranspose", "SeparableConvolution1D"]
