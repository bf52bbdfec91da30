"""tf.layers.conv1d / conv2d / conv2d_transpose and their classes (channels_last)."""
from tfgraph import initializers
from tfgraph.layers.base import Layer, _channels_last, _padding, _tuple
from tfgraph.layers.core import Dense
from tfgraph.ops import array_ops, conv_ops, nn_ops


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=initializers.zeros_initializer(),
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        _channels_last(data_format, type(self).__name__)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = _tuple(kernel_size, n, "kernel_size")
        self.strides = _tuple(strides, n, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _tuple(dilation_rate, n, "dilation_rate")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = self.bias = None

    def _kernel_shape(self, channels):
        return list(self.kernel_size) + [channels, self.filters]

    def build(self, input_shape):
        dims = input_shape.as_list()
        if dims is None or len(dims) != self.rank + 2:
            raise ValueError("Input 0 of layer %s is incompatible with the layer: expected ndim=%d,"
                             " found shape %s" % (self.name, self.rank + 2, input_shape))
        if dims[-1] is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self.add_weight("kernel", self._kernel_shape(dims[-1]),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        out = self._convolve(inputs)
        if self.use_bias:
            out = nn_ops.bias_add(out, self.bias)
        if self.activation is not None:
            out = self.activation(out)
        if self.activity_regularizer is not None:
            Dense._add_activity_loss(self, out)
        return out


class Conv1D(_Conv):
    """1-D convolution over [batch, width, channels]; kernel [k, in, filters]."""
    rank = 1

    def _convolve(self, inputs):
        return conv_ops.conv1d(inputs, self.kernel, stride=self.strides[0], padding=self.padding,
                               dilations=self.dilation_rate[0])


class Conv2D(_Conv):
    """2-D convolution over [batch, h, w, channels]; kernel [kh, kw, in, filters]."""

    def _convolve(self, inputs):
        return conv_ops.conv2d(inputs, self.kernel, strides=[1, *self.strides, 1],
                               padding=self.padding, dilations=[1, *self.dilation_rate, 1])


def _deconv_length(size, k, stride, padding):
    if size is None:
        return None
    return size * stride if padding == "SAME" else size * stride + max(k - stride, 0)


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution; kernel [kh, kw, filters, in]."""

    def _kernel_shape(self, channels):
        return list(self.kernel_size) + [self.filters, channels]

    def _convolve(self, inputs):
        if self.dilation_rate != (1, 1):
            raise ValueError("Conv2DTranspose: dilation_rate other than 1 is not supported")
        dims = inputs.shape.as_list()
        shape = array_ops.shape(inputs)
        h = _deconv_length(dims[1], self.kernel_size[0], self.strides[0], self.padding)
        w = _deconv_length(dims[2], self.kernel_size[1], self.strides[1], self.padding)
        if h is None or w is None:
            def length(i, k, s):
                size = shape[i] * s
                return size if self.padding == "SAME" else size + max(k - s, 0)
            h = length(1, self.kernel_size[0], self.strides[0]) if h is None else h
            w = length(2, self.kernel_size[1], self.strides[1]) if w is None else w
        out_shape = array_ops.stack([shape[0], h, w, self.filters])
        return conv_ops.conv2d_transpose(inputs, self.kernel, out_shape,
                                         strides=[1, *self.strides, 1], padding=self.padding)


def _conv_fn(cls, doc):
    def fn(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
           dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=initializers.zeros_initializer(), kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
        layer = cls(filters, kernel_size, strides=strides, padding=padding,
                    data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                    use_bias=use_bias, kernel_initializer=kernel_initializer,
                    bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                    bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                    kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                    trainable=trainable, name=name, _scope=name, _reuse=reuse)
        return layer(inputs)
    fn.__doc__ = doc
    return fn


conv1d = _conv_fn(Conv1D, "tf.layers.conv1d: variables '<scope>/kernel' [k, in, filters], "
                          "'<scope>/bias'.")
conv2d = _conv_fn(Conv2D, "tf.layers.conv2d: variables '<scope>/kernel' [kh, kw, in, filters], "
                          "'<scope>/bias'.")
conv2d_transpose = _conv_fn(Conv2DTranspose, "tf.layers.conv2d_transpose: kernel "
                                             "[kh, kw, filters, in].")
conv2d_transpose.__name__ = "conv2d_transpose"
conv1d.__name__, conv2d.__name__ = "conv1d", "conv2d"

Convolution1D, Convolution2D, Convolution2DTranspose = Conv1D, Conv2D, Conv2DTranspose
convolution1d, convolution2d, convolution2d_transpose = conv1d, conv2d, conv2d_transpose

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "conv1d", "conv2d", "conv2d_transpose"]
