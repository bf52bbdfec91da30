"""BatchNormalization and LayerNormalization."""
import tfgraph as tf
from tfgraph_keras import backend, initializers, regularizers
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.core import as_shape_tuple, constraints, serialize_or_none


def _axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % ndim for a in axes)


class BatchNormalization(Layer):
    """Normalizes with the batch's statistics in training and the moving ones in inference.

    y = gamma * (x - mean) / sqrt(var + epsilon) + beta over every axis but `axis`. In training
    (`fit`) the batch mean and (biased) variance are used and the moving statistics are updated by
    update ops that fit runs each batch: moving = moving * momentum + batch * (1 - momentum).
    A frozen layer (`trainable=False`) always runs in inference mode, as in Keras 3.
    Weights, in Keras's order: gamma, beta (trainable), moving_mean, moving_variance.
    """

    _supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        for legacy in ("fused", "renorm", "renorm_clipping", "renorm_momentum",
                       "virtual_batch_size", "adjustment", "synchronized"):
            if kwargs.pop(legacy, None) not in (None, False):
                raise ValueError("BatchNormalization(%s=...) is not supported." % legacy)
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        ndim = len(shape)
        self._param_axes = _axes(self.axis, ndim)
        param_shape = tuple(shape[a] for a in self._param_axes)
        if None in param_shape:
            raise ValueError("Axis %s of input tensor should have a defined dimension but the "
                             "layer received an input with shape %s." % (self.axis, shape))
        self.input_spec = InputSpec(ndim=ndim, axes={a: shape[a] for a in self._param_axes})
        self.gamma = self.add_weight(name="gamma", shape=param_shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=param_shape,
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(name="moving_mean", shape=param_shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=param_shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _broadcast(self, v, ndim):
        """A parameter of shape param_shape reshaped to broadcast against the input."""
        if self._param_axes == [ndim - 1]:
            return v
        shape = [1] * ndim
        for a, d in zip(self._param_axes, v.shape.as_list()):
            shape[a] = d
        return tf.reshape(v, shape)

    def _normalize(self, x, mean, var):
        ndim = x.shape.ndims
        inv = tf.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            inv = inv * self.gamma
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + self.beta
        return x * self._broadcast(inv, ndim) + self._broadcast(offset, ndim)

    def call(self, inputs, training=None):
        if not self.trainable:
            training = False
        ndim = inputs.shape.ndims
        reduce_axes = [a for a in range(ndim) if a not in self._param_axes]
        if training is False or training == 0:
            return self._normalize(inputs, self.moving_mean, self.moving_variance)
        # one Moments op: two passes over the batch, its gradient one fused pass
        mean, var = tf.nn.moments(inputs, reduce_axes)
        decay = 1.0 - self.momentum
        with tf.name_scope("AssignMovingAvg"):
            upd_mean = tf.assign_sub(self.moving_mean,
                                     (self.moving_mean - tf.stop_gradient(mean)) * decay)
        with tf.name_scope("AssignMovingAvg_1"):
            upd_var = tf.assign_sub(self.moving_variance,
                                    (self.moving_variance - tf.stop_gradient(var)) * decay)
        self.add_update([upd_mean, upd_var])
        # Select the (per-channel) statistics, not the outputs: one normalization either way.
        mean = backend.in_train_phase(mean, self.moving_mean.value(), training=training)
        var = backend.in_train_phase(var, self.moving_variance.value(), training=training)
        return self._normalize(inputs, mean, var)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
            scale=self.scale, beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
            moving_variance_initializer=initializers.serialize(self.moving_variance_initializer),
            beta_regularizer=serialize_or_none(regularizers, self.beta_regularizer),
            gamma_regularizer=serialize_or_none(regularizers, self.gamma_regularizer),
            beta_constraint=constraints.serialize(self.beta_constraint),
            gamma_constraint=constraints.serialize(self.gamma_constraint))
        return config


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (default -1): gamma * (x - mean) / sqrt(var + eps) + beta."""

    _supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, rms_scaling=False, **kwargs):
        super().__init__(**kwargs)
        if rms_scaling:
            raise ValueError("LayerNormalization(rms_scaling=True) is not supported.")
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        self._param_axes = _axes(self.axis, len(shape))
        param_shape = tuple(shape[a] for a in self._param_axes)
        self.gamma = self.add_weight(name="gamma", shape=param_shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=param_shape,
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.built = True

    def call(self, inputs):
        ndim = inputs.shape.ndims
        mean = tf.reduce_mean(inputs, axis=self._param_axes, keepdims=True)
        centered = inputs - mean
        var = tf.reduce_mean(tf.square(centered), axis=self._param_axes, keepdims=True)
        y = centered * tf.rsqrt(var + self.epsilon)
        shape = [1] * ndim
        for a in self._param_axes:
            shape[a] = inputs.shape.as_list()[a]
        if self.gamma is not None:
            y = y * tf.reshape(self.gamma, shape)
        if self.beta is not None:
            y = y + tf.reshape(self.beta, shape)
        return y

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            beta_regularizer=serialize_or_none(regularizers, self.beta_regularizer),
            gamma_regularizer=serialize_or_none(regularizers, self.gamma_regularizer),
            beta_constraint=constraints.serialize(self.beta_constraint),
            gamma_constraint=constraints.serialize(self.gamma_constraint))
        return config


__all__ = ["BatchNormalization", "LayerNormalization"]
