"""Reshaping layers beyond the 2-D ones in convolutional.py: Cropping1D, Cropping3D,
ZeroPadding3D, UpSampling3D."""
import tfgraph as tf
from tfgraph_keras.layers.base_layer import InputSpec
from tfgraph_keras.layers.data_format import DataFormatLayer, standardize_data_format
from tfgraph_keras.layers.convolutional import normalize_tuple
from tfgraph_keras.layers.core import as_shape_tuple, dynamic_dims


def _pairs(value, n, name, layer):
    """An int, n ints or n (before, after) pairs -> n pairs (Keras's cropping/padding args)."""
    if isinstance(value, int):
        return ((value, value),) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError("`%s` of %s should have %d elements. Received: %s"
                         % (name, layer, n, value))
    if all(isinstance(v, int) for v in value):
        return tuple((int(v), int(v)) for v in value)
    out = tuple(tuple(int(e) for e in v) for v in value)
    if any(len(p) != 2 for p in out):
        raise ValueError("`%s` of %s should be %d pairs of ints. Received: %s"
                         % (name, layer, n, value))
    return out


class Cropping1D(DataFormatLayer):
    """Crops the steps axis of (batch, steps, features): cropping=1 or (start, end)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        cropping = (cropping, cropping) if isinstance(cropping, int) else tuple(cropping)
        if len(cropping) != 2:
            raise ValueError("`cropping` of Cropping1D should have 2 elements. Received: %s"
                             % (cropping,))
        self.cropping = tuple(int(c) for c in cropping)
        self.input_spec = InputSpec(ndim=3)

    def _call_last(self, inputs):
        steps = as_shape_tuple(inputs.shape)[1]
        if steps is not None and sum(self.cropping) >= steps:
            raise ValueError("Cropping1D %s: cropping %s removes all %d steps of input shape %s."
                             % (self.name, self.cropping, steps, tuple(inputs.shape.as_list())))
        a, b = self.cropping
        return inputs[:, a:(-b if b else None), :]

    def _output_shape_last(self, input_shape):
        n, w, c = as_shape_tuple(input_shape)
        return (n, None if w is None else w - sum(self.cropping), c)

    def get_config(self):
        return {**super().get_config(), "cropping": list(self.cropping)}


class Cropping3D(DataFormatLayer):
    """Crops the three spatial axes of (batch, d1, d2, d3, channels): cropping=1, (1, 2, 3) or
    ((a, b), (c, d), (e, f))."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 3, "cropping", "Cropping3D")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def _call_last(self, inputs):
        for (a, b), d in zip(self.cropping, as_shape_tuple(inputs.shape)[1:4]):
            if d is not None and a + b >= d:
                raise ValueError("Cropping3D %s: cropping %s removes a whole axis of input "
                                 "shape %s." % (self.name, self.cropping,
                                                tuple(inputs.shape.as_list())))
        s = [slice(a, -b if b else None) for a, b in self.cropping]
        return inputs[:, s[0], s[1], s[2], :]

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        spatial = tuple(None if d is None else d - a - b
                        for d, (a, b) in zip(shape[1:4], self.cropping))
        return (shape[0],) + spatial + (shape[4],)

    def get_config(self):
        return {**super().get_config(), "cropping": [list(c) for c in self.cropping],
                "data_format": self.data_format}


class ZeroPadding3D(DataFormatLayer):
    """Pads the three spatial axes with zeros: padding=1, (1, 2, 3) or ((a, b), (c, d), (e, f))."""

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 3, "padding", "ZeroPadding3D")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def _call_last(self, inputs):
        return tf.pad(inputs, [[0, 0]] + [list(p) for p in self.padding] + [[0, 0]])

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        spatial = tuple(None if d is None else d + a + b
                        for d, (a, b) in zip(shape[1:4], self.padding))
        return (shape[0],) + spatial + (shape[4],)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": self.data_format}


class UpSampling3D(DataFormatLayer):
    """Repeats each voxel size[i] times along the spatial axes: size=2 or (2, 1, 2)."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 3, "size")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def _call_last(self, inputs):
        n, d1, d2, d3, c = dynamic_dims(inputs)
        s1, s2, s3 = self.size
        lead = n if isinstance(n, int) else -1
        x = tf.reshape(inputs, [lead, d1, 1, d2, 1, d3, 1, c])
        # Broadcasting against ones repeats each voxel; the gradient sums the copies back.
        x = x * tf.ones([1, 1, s1, 1, s2, 1, s3, 1], dtype=inputs.dtype)
        return tf.reshape(x, [lead, d1 * s1, d2 * s2, d3 * s3, c])

    def _output_shape_last(self, input_shape):
        shape = as_shape_tuple(input_shape)
        spatial = tuple(None if d is None else d * s for d, s in zip(shape[1:4], self.size))
        return (shape[0],) + spatial + (shape[4],)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "data_format": self.data_format}


__all__ = ["Cropping1D", "Cropping3D", "ZeroPadding3D", "UpSampling3D"]
