"""keras.activations: activation functions by name ('relu', 'softmax' ...) over tfgraph ops."""
import math

import tfgraph as tf


def _nn(name):
    return getattr(tf.nn, name, None)


def linear(x):
    return x


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        fn = _nn("relu")
        return fn(x) if fn is not None else tf.maximum(x, tf.zeros_like(x))
    y = tf.where(x > threshold, x, alpha * (x - threshold) if alpha else tf.zeros_like(x))
    if max_value is not None:
        y = tf.minimum(y, tf.cast(max_value, x.dtype))
    return y


def softmax(x, axis=-1):
    fn = _nn("softmax")
    if fn is not None and axis == -1:
        return fn(x)
    e = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    fn = _nn("log_softmax")
    if fn is not None and axis == -1:
        return fn(x)
    z = x - tf.reduce_max(x, axis=axis, keepdims=True)
    return z - tf.log(tf.reduce_sum(tf.exp(z), axis=axis, keepdims=True))


def sigmoid(x):
    return tf.sigmoid(x)


def tanh(x):
    return tf.tanh(x)


def softplus(x):
    fn = _nn("softplus")
    if fn is not None:
        return fn(x)
    return tf.maximum(x, tf.zeros_like(x)) + tf.log1p(tf.exp(-tf.abs(x)))


def softsign(x):
    return x / (1.0 + tf.abs(x))


def elu(x, alpha=1.0):
    fn = _nn("elu")
    if fn is not None and alpha == 1.0:
        return fn(x)
    return tf.where(x > 0, x, alpha * (tf.exp(tf.minimum(x, tf.zeros_like(x))) - 1.0))


def selu(x):
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def swish(x):
    return x * tf.sigmoid(x)


silu = swish


def gelu(x, approximate=False):
    if approximate:
        c = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1.0 + tf.tanh(c * (x + 0.044715 * x * x * x)))
    fn = _nn("gelu")
    if fn is not None:
        return fn(x)
    erf = getattr(tf, "erf", None)
    if erf is None:  # tanh approximation until an Erf op exists
        return gelu(x, approximate=True)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def hard_sigmoid(x):
    return tf.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def exponential(x):
    return tf.exp(x)


def leaky_relu(x, alpha=0.2):
    return tf.maximum(x, alpha * x)


def relu6(x):
    return relu(x, max_value=6.0)


_ALL = {f.__name__: f for f in (linear, relu, softmax, log_softmax, sigmoid, tanh, softplus,
                                  softsign, elu, selu, swish, gelu, hard_sigmoid, exponential,
                                  leaky_relu, relu6)}
_ALL["silu"] = swish


def serialize(activation):
    return getattr(activation, "__name__", activation)


def deserialize(name):
    return get(name)


def get(identifier):
    """An activation function from a name, None ('linear') or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _ALL.get(identifier)
        if fn is None:
            raise ValueError("Unknown activation function: '%s'. Please ensure you are using a "
                             "`keras.utils.custom_object_scope` and that this object is included "
                             "in "
                             "the scope." % identifier)
        return fn
    if callable(identifier):
        return identifier
    raise TypeError("Could not interpret activation function identifier: %r" % (identifier,))
