"""tf.layers.dense / dropout / flatten and their classes (TF1's tf.layers.core)."""
import numpy as np

from tfgraph import initializers
from tfgraph.framework import dtypes
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.layers.base import Layer, _channels_last
from tfgraph.ops import array_ops, math_ops, nn_impl, nn_ops


class Dense(Layer):
    """outputs = activation(inputs @ kernel + bias); kernel [in, units] named 'kernel'."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=initializers.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.units = int(units)
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

    def build(self, input_shape):
        last = input_shape.as_list()[-1] if input_shape.ndims else None
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        self.kernel = self.add_weight("kernel", [last, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:
            # Tensordot over the last axis: flatten the leading axes, matmul, restore them.
            lead = array_ops.shape(inputs)[:-1]
            flat = array_ops.reshape(inputs, [-1, inputs.shape.as_list()[-1]])
            out = math_ops.matmul(flat, self.kernel)
            out = array_ops.reshape(out, array_ops.concat([lead, [self.units]], 0))
            out.set_shape(inputs.shape.as_list()[:-1] + [self.units])
        else:
            out = math_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            out = nn_ops.bias_add(out, self.bias)
        if self.activation is not None:
            out = self.activation(out)
        if self.activity_regularizer is not None:
            self._add_activity_loss(out)
        return out

    def _add_activity_loss(self, out):
        from tfgraph.framework.graph import GraphKeys, get_default_graph
        loss = self.activity_regularizer(out)
        if loss is not None:
            self._losses.append(loss)
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=initializers.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """tf.layers.dense: a fully connected layer; variables '<scope>/kernel' and '<scope>/bias'."""
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                  bias_constraint=bias_constraint, trainable=trainable, name=name,
                  _scope=name, _reuse=reuse)
    return layer(inputs)


class Dropout(Layer):
    """Zeroes a `rate` fraction of inputs and scales the rest by 1/(1-rate) when training."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        if isinstance(training, (bool, np.bool_)) or training is None:
            if not training:
                return array_ops.identity(inputs)
            return nn_impl.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape,
                                   seed=self.seed)
        training = convert_to_tensor(training, dtype=dtypes.bool)
        rate = convert_to_tensor(self.rate, dtype=inputs.dtype)
        mask = nn_impl.dropout_mask(inputs, rate, self.noise_shape, self.seed, training=training)
        return math_ops.multiply(inputs, mask)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """tf.layers.dropout: identity unless `training` (a bool or a bool tensor) is true."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(inputs, training=training)


class Flatten(Layer):
    """[batch, ...] -> [batch, prod(...)]."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _channels_last(data_format, "Flatten")

    def call(self, inputs):
        dims = inputs.shape.as_list()
        if dims is not None and None not in dims[1:]:
            return array_ops.reshape(inputs, [-1, int(np.prod(dims[1:], dtype=np.int64))])
        return array_ops.reshape(inputs, array_ops.stack([array_ops.shape(inputs)[0], -1]))


def flatten(inputs, name=None, data_format="channels_last"):
    """tf.layers.flatten: keeps the batch axis, flattens the rest."""
    return Flatten(data_format=data_format, name=name)(inputs)


__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten"]
