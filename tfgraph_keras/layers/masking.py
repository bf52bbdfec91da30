"""Masking: marks the time steps whose features all equal `mask_value` as padding."""
import tfgraph as tf
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple


class Masking(Layer):
    """Masks (batch, time, ...) steps where every feature equals `mask_value`: the outputs are
    the inputs with those steps zeroed, and the (batch, time) mask goes on to the layers after
    (RNNs skip the masked steps; losses and metrics leave them out).

        Sequential([Input((None, 8)), Masking(0.0), LSTM(32)])
    """

    _supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def _keep(self, inputs):
        value = tf.constant(self.mask_value, dtype=inputs.dtype)
        return tf.reduce_any(tf.not_equal(inputs, value), axis=-1, keepdims=True)

    def call(self, inputs):
        keep = self._keep(inputs)
        return tf.multiply(inputs, tf.cast(keep, inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return tf.squeeze(self._keep(inputs), [-1])

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


__all__ = ["Masking"]
