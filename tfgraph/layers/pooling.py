"""tf.layers max/average pooling in 1 and 2 dimensions (channels_last)."""
from tfgraph.layers.base import Layer, _channels_last, _padding, _tuple
from tfgraph.ops import conv_ops


class _Pooling(Layer):
    rank = 2
    pool = None

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        _channels_last(data_format, type(self).__name__)
        self.pool_size = _tuple(pool_size, self.rank, "pool_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)

    def call(self, inputs):
        if self.rank == 1:
            fn = conv_ops.max_pool1d if self.pool == "max" else conv_ops.avg_pool1d
            return fn(inputs, self.pool_size[0], self.strides[0], self.padding)
        fn = conv_ops.max_pool if self.pool == "max" else conv_ops.avg_pool
        return fn(inputs, ksize=[1, *self.pool_size, 1], strides=[1, *self.strides, 1],
                  padding=self.padding)


class MaxPooling1D(_Pooling):
    rank, pool = 1, "max"


class AveragePooling1D(_Pooling):
    rank, pool = 1, "avg"


class MaxPooling2D(_Pooling):
    rank, pool = 2, "max"


class AveragePooling2D(_Pooling):
    rank, pool = 2, "avg"


def _pool_fn(cls, name):
    def fn(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
        return cls(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)
    fn.__name__ = name
    fn.__doc__ = "tf.layers.%s(inputs, pool_size, strides, padding='valid')." % name
    return fn


max_pooling1d = _pool_fn(MaxPooling1D, "max_pooling1d")
average_pooling1d = _pool_fn(AveragePooling1D, "average_pooling1d")
max_pooling2d = _pool_fn(MaxPooling2D, "max_pooling2d")
average_pooling2d = _pool_fn(AveragePooling2D, "average_pooling2d")

MaxPool1D, AveragePool1D, MaxPool2D, AveragePool2D = (MaxPooling1D, AveragePooling1D,
                                                      MaxPooling2D, AveragePooling2D)

__all__ = ["AveragePooling1D", "AveragePooling2D", "MaxPooling1D", "MaxPooling2D",
           "average_pooling1d", "average_pooling2d", "max_pooling1d", "max_pooling2d"]
