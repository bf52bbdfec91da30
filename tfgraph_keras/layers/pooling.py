"""Pooling layers: Max/AveragePooling1D/2D and the global poolings (either data_format)."""
import tfgraph as tf
from tfgraph_keras import _legacy
from tfgraph_keras.layers.base_layer import InputSpec
from tfgraph_keras.layers.data_format import DataFormatLayer, standardize_data_format
from tfgraph_keras.layers.convolutional import conv_output_length, normalize_tuple
from tfgraph_keras.layers.core import as_shape_tuple, dynamic_dims


class _Pooling(DataFormatLayer):
    rank = 2
    pool_fn = None  # "max_pool" or "avg_pool" (tf.nn, NHWC)

    @_legacy.renames(_legacy.POOL)
    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides if strides is not None else pool_size, self.rank,
                                       "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError("Invalid padding '%s' for %s." % (padding, type(self).__name__))
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _pool4(self, x, pool, strides):
        fn = getattr(tf.nn, self.pool_fn)
        return fn(x, ksize=[1] + list(pool) + [1], strides=[1] + list(strides) + [1],
                  padding=self.padding.upper())

    def _call_last(self, inputs):
        if self.rank == 2:
            return self._pool4(inputs, self.pool_size, self.strides)
        n, w, c = dynamic_dims(inputs)
        lead = n if isinstance(n, int) else -1
        y = self._pool4(tf.reshape(inputs, [lead, 1, w, c]), (1,) + self.pool_size,
                        (1,) + self.strides)
        out = dynamic_dims(y)
        return tf.reshape(y, [lead, out[2], out[3]])

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        spatial = tuple(conv_output_length(n, k, self.padding, s)
                        for n, k, s in zip(shape[1:-1], self.pool_size, self.strides))
        return (shape[0],) + spatial + (shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides),
                      padding=self.padding, data_format=self.data_format)
        return config


class MaxPooling2D(_Pooling):
    """Max over pool_size windows of NHWC inputs (strides default to pool_size)."""
    rank, pool_fn = 2, "max_pool"


class AveragePooling2D(_Pooling):
    """Mean over pool_size windows of NHWC inputs ('same' averages only the valid cells, as TF)."""
    rank, pool_fn = 2, "avg_pool"


class MaxPooling1D(_Pooling):
    rank, pool_fn = 1, "max_pool"


class AveragePooling1D(_Pooling):
    rank, pool_fn = 1, "avg_pool"


class _GlobalPooling(DataFormatLayer):
    rank = 2
    reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _call_last(self, inputs):
        axes = list(range(1, self.rank + 1))
        return getattr(tf, self.reduce)(inputs, axis=axes, keepdims=self.keepdims)

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if self.keepdims:
            return (shape[0],) + (1,) * self.rank + (shape[-1],)
        return (shape[0], shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    rank, reduce = 2, "reduce_mean"


class GlobalMaxPooling2D(_GlobalPooling):
    rank, reduce = 2, "reduce_max"


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over time; with a mask (Embedding(mask_zero=True), Masking) the mean over the
    kept steps only, as in Keras."""

    rank, reduce = 1, "reduce_mean"

    def _call_last(self, inputs, mask=None):
        if mask is None:
            return super()._call_last(inputs)
        keep = tf.expand_dims(tf.cast(mask, inputs.dtype), -1)
        total = tf.reduce_sum(inputs * keep, axis=[1], keepdims=self.keepdims)
        return total / tf.reduce_sum(keep, axis=[1], keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalPooling):
    rank, reduce = 1, "reduce_max"


MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D"]
