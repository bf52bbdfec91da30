"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda."""
import warnings

import numpy as np

import tfgraph as tf
from tfgraph.ops import nn_impl
from tfgraph_keras import _legacy, activations, backend, initializers, regularizers
from tfgraph_keras.layers.base_layer import InputSpec, Layer


class constraints:  # noqa: N801 - module-like namespace; weight constraints are optional
    """Weight constraints: None or a callable `c(w) -> w` (recorded on the variable)."""

    @staticmethod
    def get(identifier):
        if identifier is None or callable(identifier):
            return identifier
        raise ValueError("Weight constraints given by name or config (%r) are not supported; pass "
                         "a callable." % (identifier,))

    @staticmethod
    def serialize(constraint):
        if constraint is None:
            return None
        get_config = getattr(constraint, "get_config", None)
        return {"class_name": type(constraint).__name__,
                "config": get_config() if get_config else {}}


def serialize_or_none(module, obj):
    """module.serialize(obj), or None for None (no regularizer / constraint)."""
    return None if obj is None else module.serialize(obj)


def as_shape_tuple(shape):
    """A build()/compute_output_shape() input shape as a tuple with None for unknown dims."""
    if hasattr(shape, "as_list"):
        return tuple(shape.as_list())
    return tuple(None if d is None else int(d) for d in shape)


def static_shape(x):
    return tuple(x.shape.as_list())


def dynamic_dims(x):
    """Per-dimension sizes: python ints where static, scalar tensors where unknown."""
    dims = static_shape(x)
    shape = None
    out = []
    for i, d in enumerate(dims):
        if d is None:
            shape = tf.shape(x) if shape is None else shape
            out.append(shape[i])
        else:
            out.append(d)
    return out


class Dense(Layer):
    """`activation(inputs @ kernel + bias)`; kernel (in, units), bias (units,).

        Dense(64, activation="relu", input_shape=(784,))
    The Keras 1 spellings `output_dim=` and `input_dim=` are accepted with a DeprecationWarning.
    Inputs of rank > 2 are multiplied along their last axis.
    """

    _supports_masking = True

    @_legacy.renames(_legacy.DENSE)
    def __init__(self, units=None, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "output_dim" in kwargs:
            warnings.warn("Dense(output_dim=...) is the Keras 1 spelling; use Dense(units=...).",
                          DeprecationWarning, stacklevel=2)
            units = kwargs.pop("output_dim")
        if "input_dim" in kwargs:
            warnings.warn("Dense(input_dim=n) is deprecated; use input_shape=(n,) or an Input.",
                          DeprecationWarning, stacklevel=2)
            kwargs.setdefault("input_shape", (kwargs.pop("input_dim"),))
        if units is None:
            raise TypeError("Dense() missing required argument 'units'.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive integer. "
                             "Received: units=%s" % (units,))
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        in_dim = as_shape_tuple(input_shape)[-1]
        if in_dim is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be defined. "
                             "Found None. Full input shape received: %s" % (input_shape,))
        self.kernel = self.add_weight(name="kernel", shape=(in_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.units,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs):
        if inputs.shape.ndims == 2:
            y = tf.matmul(inputs, self.kernel)
        else:
            lead = dynamic_dims(inputs)[:-1]
            flat = tf.reshape(inputs, [-1, static_shape(inputs)[-1]])
            y = tf.reshape(tf.matmul(flat, self.kernel), lead + [self.units])
        if self.use_bias:
            y = tf.nn.bias_add(y, self.bias)
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=serialize_or_none(regularizers, self.kernel_regularizer),
            bias_regularizer=serialize_or_none(regularizers, self.bias_regularizer),
            activity_regularizer=serialize_or_none(
                regularizers, regularizers.get(self.activity_regularizer)),
            kernel_constraint=constraints.serialize(self.kernel_constraint),
            bias_constraint=constraints.serialize(self.bias_constraint))
        return config


class Activation(Layer):
    """Applies an activation function by name or callable: Activation('relu')."""

    _supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs) if self.activation is not None else inputs

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Dropout(Layer):
    """Zeroes a fraction `rate` of the inputs in training and scales the rest by 1/(1-rate).

    At inference (predict/evaluate) it is the identity.
    """

    _supports_masking = True

    @_legacy.renames({"p": "rate"})
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                             "between 0 and 1. Received: rate=%s" % (rate,))
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        dims = dynamic_dims(inputs)
        return [dims[i] if d is None else d for i, d in enumerate(self.noise_shape)]

    def call(self, inputs, training=None):
        if self.rate == 0:
            return tf.identity(inputs)
        if training is None:
            training = backend.learning_phase()
        if isinstance(training, (bool, int, np.bool_)):
            if not training:
                return tf.identity(inputs)
            return tf.nn.dropout(inputs, rate=self.rate, noise_shape=self._noise_shape(inputs),
                                 seed=self.seed)
        if not inputs.dtype.is_floating or self.rate >= 1:
            return tf.nn.dropout(inputs, rate=self.rate)   # raises TF's error
        # The learning phase is a tensor: it switches the mask's rate and noise shape (scalar- and
        # shape-sized selects), not the output (an element-wise select, plus two more selects, a
        # zeros_like and an AddN in the gradient). Inference is x * 1, which the ONNX exporter
        # reads as such: it resolves learning-phase selects to their inference branch.
        with tf.name_scope("dropout"):
            rate = tf.constant(self.rate, inputs.dtype, name="rate")
            mask = nn_impl.dropout_mask(inputs, rate, self._noise_shape(inputs), self.seed,
                                        training=training)
            out = tf.multiply(inputs, mask, name="mul_1")
            out.set_shape(inputs.shape)
            return out

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return config


class Flatten(Layer):
    """Flattens each sample: (batch, d1, d2, ...) -> (batch, d1*d2*...), row-major (NHWC) order."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x.shape.ndims > 2:
            x = tf.transpose(x, [0] + list(range(2, x.shape.ndims)) + [1])
        dims = static_shape(x)[1:]
        if None not in dims:
            return tf.reshape(x, [-1, int(np.prod(dims, dtype=np.int64))])
        return tf.reshape(x, tf.stack([tf.shape(x)[0], -1]))

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        rest = shape[1:]
        return (shape[0], None if None in rest else int(np.prod(rest, dtype=np.int64)))

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch dim is kept; one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, inputs):
        target = self.compute_output_shape(static_shape(inputs))[1:]
        if None not in target:
            return tf.reshape(inputs, [-1] + list(target))
        return tf.reshape(inputs, tf.stack([tf.shape(inputs)[0]] + list(self.target_shape)))

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        target = list(self.target_shape)
        rest = shape[1:]
        if target.count(-1) > 1 or any(d < -1 or d == 0 for d in target):
            raise ValueError("Layer %s: `target_shape` may hold one -1 and otherwise positive "
                             "sizes. Received: target_shape=%s" % (self.name, self.target_shape))
        known = int(np.prod([d for d in target if d != -1]))
        size = None if None in rest else int(np.prod(rest))
        if size is not None and (size % known if -1 in target else size != known):
            raise ValueError("Layer %s: total size of new array must be unchanged, input_shape = "
                             "%s, output_shape = %s" % (self.name, list(rest), list(target)))
        if -1 in target:
            target[target.index(-1)] = None if size is None else size // known
        return (shape[0],) + tuple(target)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class Permute(Layer):
    """Permutes the non-batch dimensions: Permute((2, 1)) swaps axes 1 and 2 (1-based, as Keras)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. "
                             "Received dims=%s" % (dims,))

    def call(self, inputs):
        return tf.transpose(inputs, [0] + list(self.dims))

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        return (shape[0],) + tuple(shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        return (shape[0], self.n, shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class Rescaling(Layer):
    """inputs * scale + offset (e.g. Rescaling(1 / 255) for images)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else tf.cast(inputs, self.dtype)
        return x * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer)."""

    _supports_masking = True

    def call(self, inputs):
        return tf.identity(inputs)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)


class GaussianNoise(Layer):
    """Adds N(0, stddev) noise in training (identity at inference), a regularizer."""

    _supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = float(stddev), seed

    def call(self, inputs, training=None):
        def noisy():
            return inputs + tf.random_normal(tf.shape(inputs), stddev=self.stddev,
                                             dtype=inputs.dtype, seed=self.seed)
        return backend.in_train_phase(noisy, lambda: tf.identity(inputs), training=training)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: one mask per (sample, channel) of NHWC inputs."""

    def _noise_shape(self, inputs):
        dims = dynamic_dims(inputs)
        return [dims[0], 1, 1, dims[3]]

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape")
        return config


class SpatialDropout1D(Dropout):
    """Dropout of whole channels of (batch, steps, channels) inputs."""

    def _noise_shape(self, inputs):
        dims = dynamic_dims(inputs)
        return [dims[0], 1, dims[2]]

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape")
        return config


class Lambda(Layer):
    """Wraps an expression as a layer: Lambda(lambda x: x * 2).

    Its config stores the function's Python bytecode, so a saved model with a Lambda loads only with
    `safe_mode=False` (loading would otherwise execute code taken from the file).
    """

    _deserializes_functions = True  # from_config takes custom_objects and safe_mode

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape

    def call(self, inputs, training=None):
        kwargs = dict(self.arguments)
        if "training" in _arg_names(self.function):
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return None
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        return (as_shape_tuple(input_shape)[0],) + tuple(self._output_shape)

    def get_config(self):
        from tfgraph_keras.saving import serialization
        config = super().get_config()
        config["function"] = serialization.serialize_function(self.function)
        config["output_shape"] = (serialization.serialize_function(self._output_shape)
                                  if callable(self._output_shape) else
                                  None if self._output_shape is None else list(self._output_shape))
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from tfgraph_keras.saving import serialization
        config = dict(config)
        kind = config.pop("function_type", None)  # Keras 2: [code, defaults, closure] or a name
        if kind is not None:
            fn = config["function"]
            config["function"] = {"class_name": "__lambda__", "config": {
                "code": fn[0], "defaults": fn[1], "closure": fn[2]}} if kind == "lambda" else fn
            config.pop("output_shape_type", None)
            config.pop("module", None)
        config = serialization.clean_layer_config(cls, config)
        config["function"] = serialization.deserialize_function(
            config["function"], custom_objects, safe_mode, "Lambda")
        out = config.get("output_shape")
        if isinstance(out, dict):
            config["output_shape"] = serialization.deserialize_function(
                out, custom_objects, safe_mode, "Lambda")
        return cls(**config)


def _arg_names(fn):
    import inspect
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector",
           "Lambda", "Rescaling", "Identity", "GaussianNoise", "SpatialDropout1D",
           "SpatialDropout2D"]
