"""tf.layers.batch_normalization / BatchNormalization (TF1: momentum 0.99, epsilon 1e-3).

With `training` true the batch statistics normalize the inputs and two update ops (added to the
UPDATE_OPS collection, as TF1 scripts expect to run them) move the moving mean and variance:
`moving -= (moving - batch_stat) * (1 - momentum)`. For 4-D inputs normalized over the channel
axis TF1 uses its fused kernel, whose variance for the moving average carries Bessel's correction
(n / (n - 1)); other inputs update with the biased batch variance. Both are reproduced.
`training` may be a bool tensor: outputs and updates then select between the two behaviours.
"""
import numpy as np

from tfgraph import initializers
from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.layers.base import Layer
from tfgraph.ops import array_ops, math_ops, nn_impl, state_ops


class BatchNormalization(Layer):
    """Normalizes over every axis but `axis` with batch (training) or moving (inference) stats."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=initializers.zeros_initializer(),
                 gamma_initializer=initializers.ones_initializer(),
                 moving_mean_initializer=initializers.zeros_initializer(),
                 moving_variance_initializer=initializers.ones_initializer(),
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                 fused=None, trainable=True, virtual_batch_size=None, adjustment=None, name=None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError("BatchNormalization: renorm, virtual_batch_size and adjustment are "
                             "not supported by tfgraph")
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError("BatchNormalization: only one normalization axis is supported, "
                                 "got %r" % (axis,))
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.fused = fused
        self.gamma = self.beta = None

    def build(self, input_shape):
        dims = input_shape.as_list()
        if dims is None:
            raise ValueError("BatchNormalization: the input rank must be known")
        rank = len(dims)
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 0 <= axis < rank:
            raise ValueError("Invalid axis: %d (input rank %d)" % (self.axis, rank))
        if dims[axis] is None:
            raise ValueError("Input has undefined `axis` dimension. Input shape: %s" % input_shape)
        self._axis, self._rank = axis, rank
        if self.fused is None or self.fused:
            self.fused = rank == 4 and axis in (1, 3)  # TF1 fuses exactly these cases
        param = [dims[axis]]
        dtype = self.dtype if self.dtype in (dtypes.float32, dtypes.float64) else dtypes.float32
        if self.scale:
            self.gamma = self.add_weight("gamma", param, dtype, self.gamma_initializer,
                                         self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param, dtype, self.beta_initializer,
                                        self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", param, dtype,
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param, dtype,
                                               self.moving_variance_initializer, trainable=False)

    def _broadcast(self, v):
        if v is None or self._axis == self._rank - 1:
            return v
        shape = [1] * self._rank
        shape[self._axis] = -1
        return array_ops.reshape(v, shape)

    def _normalize(self, x, mean, variance):
        b = self._broadcast
        return nn_impl.batch_normalization(x, b(mean), b(variance), b(self.beta), b(self.gamma),
                                           self.epsilon)

    def call(self, inputs, training=False):
        static = isinstance(training, (bool, np.bool_)) or training is None
        if static and not training:
            return self._normalize(inputs, self.moving_mean, self.moving_variance)
        reduce_axes = [i for i in range(self._rank) if i != self._axis]
        mean, variance = nn_impl.moments(inputs, reduce_axes)
        stat_variance = variance
        if self.fused:
            dims = inputs.shape.as_list()
            if all(dims[i] is not None for i in reduce_axes):
                n = float(np.prod([dims[i] for i in reduce_axes]))
                factor = convert_to_tensor(n / max(n - 1.0, 1.0), dtype=variance.dtype)
            else:
                n = math_ops.cast(array_ops.size(inputs) / array_ops.size(mean), variance.dtype)
                factor = n / math_ops.maximum(n - 1.0, 1.0)
            stat_variance = variance * factor
        if static:
            out = self._normalize(inputs, mean, variance)
            new_mean, new_variance = mean, stat_variance
        else:
            training = convert_to_tensor(training, dtype=dtypes.bool)
            out = math_ops.where(training, self._normalize(inputs, mean, variance),
                                 self._normalize(inputs, self.moving_mean, self.moving_variance))
            # Where training is False the update moves by zero: the moving value minus itself.
            new_mean = math_ops.where(training, mean, self.moving_mean.value())
            new_variance = math_ops.where(training, stat_variance, self.moving_variance.value())
        self.add_update([self._assign_moving_average(self.moving_mean, new_mean),
                         self._assign_moving_average(self.moving_variance, new_variance)])
        return out

    def _assign_moving_average(self, variable, value):
        with get_default_graph().name_scope("AssignMovingAvg") as scope:
            decay = convert_to_tensor(1.0 - self.momentum, dtype=variable.dtype.base_dtype,
                                      name="decay")
            delta = (variable.value() - value) * decay
            return state_ops.assign_sub(variable, delta, name=scope)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=initializers.zeros_initializer(),
                        gamma_initializer=initializers.ones_initializer(),
                        moving_mean_initializer=initializers.zeros_initializer(),
                        moving_variance_initializer=initializers.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """tf.layers.batch_normalization: variables gamma, beta, moving_mean, moving_variance; when
    training, run tf.get_collection(tf.GraphKeys.UPDATE_OPS) with the train op (TF1's idiom)."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _scope=name, _reuse=reuse)
    return layer(inputs, training=training)


BatchNorm = BatchNormalization

__all__ = ["BatchNormalization", "batch_normalization"]
