"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Each also has Keras's functional form: `add([a, b])`, `concatenate([a, b], axis=-1)`, ...
"""
import functools

import tfgraph as tf
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple


def _broadcast_shape(a, b):
    """Static broadcast of two per-sample shapes (batch dim first), None where unknown."""
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise ValueError("Inputs have incompatible shapes. Received shapes %s and %s" % (a, b))
    return tuple(out)


class _Merge(Layer):
    """Elementwise merge of a list of same-shaped (broadcastable) tensors.

    Masks (Keras 3): the output is masked where every input is (the inputs' masks ORed) when
    all inputs carry one, else unmasked."""

    min_inputs = 2
    _supports_masking = True

    def compute_mask(self, inputs, mask=None):
        if not isinstance(mask, (list, tuple)) or any(m is None for m in mask):
            return None
        return functools.reduce(tf.logical_or, mask)

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < self.min_inputs:
            raise ValueError("A merge layer should be called on a list of at least %d inputs. "
                             "Got %d inputs." % (self.min_inputs, len(inputs) if isinstance(
                                 inputs, (list, tuple)) else 1))

    def build(self, input_shape):
        shapes = [as_shape_tuple(s) for s in input_shape]
        functools.reduce(_broadcast_shape, [s[1:] for s in shapes])  # raises when incompatible
        self.built = True

    def call(self, inputs):
        self._check(inputs)
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        shapes = [as_shape_tuple(s) for s in input_shape]
        batch = next((s[0] for s in shapes if s[0] is not None), None)
        return (batch,) + functools.reduce(_broadcast_shape, [s[1:] for s in shapes])


class Add(_Merge):
    """Sum of the inputs."""

    def _merge(self, xs):
        return functools.reduce(tf.add, xs)


class Subtract(_Merge):
    """inputs[0] - inputs[1] (exactly two inputs)."""

    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. Received: "
                             "%d inputs" % len(xs))
        return tf.subtract(xs[0], xs[1])


def _full_masks(xs):
    """Each input's mask broadcast to its shape (None where it has none)."""
    out = []
    for x in xs:
        m = getattr(x, "_keras_mask", None)
        out.append(None if m is None else tf.logical_or(
            tf.expand_dims(m, -1), tf.cast(tf.zeros_like(x), tf.bool)))
    return out


class Multiply(_Merge):
    """Elementwise product of the inputs; a masked input counts as 1 at its masked steps."""

    def _merge(self, xs):
        xs = [x if m is None else tf.where(m, x, tf.ones_like(x))
              for x, m in zip(xs, _full_masks(xs))]
        return functools.reduce(tf.multiply, xs)


def _masked_reduce(op, xs):
    """Keras 3's Maximum/Minimum under masks: a masked value defers to the other operand."""
    masks = _full_masks(xs)
    out, out_mask = xs[0], masks[0]
    for x, m in zip(xs[1:], masks[1:]):
        if m is not None:
            x = tf.where(m, x, out)
        if out_mask is not None:
            out = tf.where(out_mask, out, x)
        out_mask = tf.logical_or(out_mask, m) if m is not None and out_mask is not None \
            else None
        out = op(out, x)
    return out


class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge(self, xs):
        return functools.reduce(tf.add, xs) * (1.0 / len(xs))


class Maximum(_Merge):
    def _merge(self, xs):
        return _masked_reduce(tf.maximum, xs)


class Minimum(_Merge):
    def _merge(self, xs):
        return _masked_reduce(tf.minimum, xs)


class Concatenate(_Merge):
    """Concatenates along `axis` (default -1); all other dims must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def build(self, input_shape):
        shapes = [as_shape_tuple(s) for s in input_shape]
        ranks = {len(s) for s in shapes}
        ref = shapes[0]
        axis = self.axis % len(ref)
        for s in shapes[1:]:
            same = len(ranks) == 1 and all(a == b or a is None or b is None
                                           for i, (a, b) in enumerate(zip(ref, s)) if i != axis)
            if not same:
                raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                                 "except for the concatenation axis. Received: input_shape=%s"
                                 % (shapes,))
        self.built = True

    def _merge(self, xs):
        return tf.concat(xs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras 3: the inputs' masks (all ones for an unmasked one) broadcast to the inputs,
        concatenated like them, then any over the last axis."""
        if not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        full = [tf.cast(tf.ones_like(x), tf.bool) if m is None else tf.logical_or(
            tf.expand_dims(m, -1), tf.cast(tf.zeros_like(x), tf.bool))
            for x, m in zip(inputs, mask)]
        return tf.reduce_any(tf.concat(full, axis=self.axis), axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = [as_shape_tuple(s) for s in input_shape]
        axis = self.axis % len(shapes[0])
        out = list(shapes[0])
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two samples along `axes` (an int or a pair); `normalize=True` gives cosine."""

    def compute_mask(self, inputs, mask=None):
        return None

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(int(a) for a in axes)
        self.normalize = normalize

    def build(self, input_shape):
        self.built = True

    def _axes(self, xs):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return [a % x.shape.ndims for a, x in zip(axes, xs)]

    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs.")
        x, y = xs
        ax, ay = self._axes(xs)
        if self.normalize:
            x = x * tf.rsqrt(tf.maximum(tf.reduce_sum(tf.square(x), axis=ax, keepdims=True), 1e-12))
            y = y * tf.rsqrt(tf.maximum(tf.reduce_sum(tf.square(y), axis=ay, keepdims=True), 1e-12))
        nx, ny = x.shape.ndims, y.shape.ndims
        if nx == 2 and ny == 2:
            return tf.reduce_sum(x * y, axis=1, keepdims=True)
        if nx == 3 and ny == 3:
            # batched matmul: contract x's axis ax with y's axis ay
            return tf.matmul(x, y, adjoint_a=(ax == 1), adjoint_b=(ay == 2))
        raise ValueError("Dot supports inputs of rank 2 or 3; got ranks %d and %d." % (nx, ny))

    def compute_output_shape(self, input_shape):
        a, b = [as_shape_tuple(s) for s in input_shape]
        if len(a) == 2:
            return (a[0], 1)
        ax, ay = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        ax, ay = ax % 3, ay % 3
        return (a[0], a[3 - ax], b[3 - ay])

    def get_config(self):
        axes = self.axes if isinstance(self.axes, int) else list(self.axes)
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def add(inputs, **kwargs):
    """Functional form of `Add`: add([a, b])."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: concatenate([a, b], axis=-1)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]
