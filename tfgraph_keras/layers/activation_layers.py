"""Advanced activation layers: LeakyReLU, ReLU, ELU, PReLU, Softmax."""
import tfgraph as tf
from tfgraph_keras import initializers, regularizers
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple, constraints, serialize_or_none


class _Elementwise(Layer):
    _supports_masking = True

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)


class LeakyReLU(_Elementwise):
    """x for x > 0, negative_slope * x otherwise (Keras 2 spelled it `alpha`; default 0.3)."""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = float(alpha if alpha is not None else negative_slope)

    @property
    def alpha(self):
        return self.negative_slope

    def call(self, inputs):
        return tf.where(inputs > 0, inputs, inputs * self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ReLU(_Elementwise):
    """min(max_value, x) for x >= threshold, negative_slope * (x - threshold) otherwise."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. Received: %s"
                             % max_value)
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        x = inputs
        if self.negative_slope == 0 and self.threshold == 0:
            y = tf.maximum(x, tf.zeros_like(x))
        else:
            y = tf.where(x >= self.threshold, x, (x - self.threshold) * self.negative_slope)
        if self.max_value is not None:
            y = tf.minimum(y, self.max_value)
        return y

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class ELU(_Elementwise):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        neg = tf.minimum(inputs, tf.zeros_like(inputs))  # keeps exp() finite on the unused side
        return tf.where(inputs > 0, inputs, (tf.exp(neg) - 1.0) * self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """Leaky ReLU with a learned slope per unit: x for x > 0, alpha * x otherwise."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]

    def build(self, input_shape):
        shape = list(as_shape_tuple(input_shape)[1:])
        for a in self.shared_axes or ():
            shape[a - 1] = 1
        self.alpha = self.add_weight(name="alpha", shape=tuple(shape),
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        pos = tf.maximum(inputs, tf.zeros_like(inputs))
        neg = tf.minimum(inputs, tf.zeros_like(inputs))
        return pos + self.alpha * neg

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": serialize_or_none(regularizers, self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class Softmax(_Elementwise):
    """exp(x) / sum(exp(x)) along `axis` (default -1)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        z = inputs - tf.stop_gradient(tf.reduce_max(inputs, axis=self.axis, keepdims=True))
        e = tf.exp(z)
        return e / tf.reduce_sum(e, axis=self.axis, keepdims=True)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


__all__ = ["LeakyReLU", "ReLU", "ELU", "PReLU", "Softmax"]
