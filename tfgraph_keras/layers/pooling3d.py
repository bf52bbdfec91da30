"""3-D pooling layers (channels_last): MaxPooling3D, AveragePooling3D and the global ones."""
import tfgraph as tf
from tfgraph_keras.layers.pooling import _GlobalPooling, _Pooling


class _Pooling3D(_Pooling):
    rank = 3

    def _call_last(self, inputs):
        fn = tf.nn.max_pool3d if self.pool_fn == "max_pool" else tf.nn.avg_pool3d
        return fn(inputs, ksize=[1] + list(self.pool_size) + [1],
                  strides=[1] + list(self.strides) + [1], padding=self.padding.upper())


class MaxPooling3D(_Pooling3D):
    """Max over pool_size windows of (batch, d1, d2, d3, channels) (strides default to
    pool_size)."""
    pool_fn = "max_pool"


class AveragePooling3D(_Pooling3D):
    """Mean over pool_size windows ('same' averages only the real cells, as TF)."""
    pool_fn = "avg_pool"


class GlobalMaxPooling3D(_GlobalPooling):
    rank, reduce = 3, "reduce_max"


class GlobalAveragePooling3D(_GlobalPooling):
    rank, reduce = 3, "reduce_mean"


MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D

__all__ = ["MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D",
           "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D", "GlobalAvgPool3D"]
