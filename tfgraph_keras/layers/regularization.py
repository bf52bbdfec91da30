"""Regularization layers Keras keeps beside Dropout: GaussianDropout, AlphaDropout,
ActivityRegularization, and the normalization/activation layers UnitNormalization and
ThresholdedReLU (a Keras 2 layer; Keras 3 dropped it). The noise layers are the identity at
inference, as in Keras."""
import tfgraph as tf
from tfgraph_keras import backend, regularizers
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple, dynamic_dims


def _check_rate(layer, rate):
    if not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate` of %s. Expected a float "
                         "value between 0 and 1. Received: rate=%s" % (layer, rate))
    return float(rate)


class GaussianDropout(Layer):
    """Multiplies the inputs by N(1, sqrt(rate / (1 - rate))) noise in training."""

    _supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("GaussianDropout", rate)
        self.seed = seed

    def call(self, inputs, training=None):
        if self.rate <= 0:
            return tf.identity(inputs)
        stddev = (self.rate / (1.0 - self.rate)) ** 0.5

        def noisy():
            return inputs * tf.random_normal(tf.shape(inputs), mean=1.0, stddev=stddev,
                                             dtype=inputs.dtype, seed=self.seed)
        return backend.in_train_phase(noisy, lambda: tf.identity(inputs), training=training)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout that keeps the mean and variance of SELU activations: dropped units are set to
    -alpha*scale, then an affine map a*x + b restores the statistics (training only)."""

    _supports_masking = True
    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("AlphaDropout", rate)
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=None):
        if self.rate <= 0:
            return tf.identity(inputs)

        def dropped():
            dims = dynamic_dims(inputs)
            shape = dims if self.noise_shape is None else [
                dims[i] if d is None else d for i, d in enumerate(self.noise_shape)]
            alpha_p = -self._ALPHA * self._SCALE
            keep = tf.cast(tf.greater_equal(tf.random_uniform(tf.stack(shape), seed=self.seed,
                                                              dtype=inputs.dtype), self.rate),
                           inputs.dtype)
            a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
            b = -a * alpha_p * self.rate
            return a * (inputs * keep + alpha_p * (1 - keep)) + b
        return backend.in_train_phase(dropped, lambda: tf.identity(inputs), training=training)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class ActivityRegularization(Layer):
    """The identity, adding l1 * sum|x| + l2 * sum x^2 (per sample, averaged over the batch) to
    the model's losses."""

    _supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return tf.identity(inputs)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm along `axis` (an int or a list of axes)."""

    _supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument of UnitNormalization: expected an "
                            "int or a list/tuple of ints. Received: axis=%s" % (axis,))

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else tf.cast(inputs, self.dtype)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        square_sum = tf.reduce_sum(tf.square(x), axis=axes, keepdims=True)
        return x * tf.rsqrt(tf.maximum(square_sum, 1e-12))

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        for a in (self.axis if isinstance(self.axis, list) else [self.axis]):
            if a >= len(shape) or a < -len(shape):
                raise ValueError("Axis %s is out of bounds for input shape %s (layer %s)."
                                 % (self.axis, shape, self.name))
        return shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class ThresholdedReLU(Layer):
    """x where x > theta, else 0 (Keras 2's layer; theta defaults to 1.0)."""

    _supports_masking = True

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expected a float. "
                             "Received: %s" % (theta,))
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             "Received: %s" % (theta,))
        self.theta = float(theta)

    def call(self, inputs):
        return inputs * tf.cast(tf.greater(inputs, self.theta), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


__all__ = ["GaussianDropout", "AlphaDropout", "ActivityRegularization", "UnitNormalization",
           "ThresholdedReLU"]
