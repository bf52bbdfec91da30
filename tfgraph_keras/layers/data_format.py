"""data_format="channels_first" for the conv/pool/reshaping layers.

Each such layer computes in channels_last (NHWC, the layout tfgraph's kernels run); a
channels_first layer transposes its input to channels_last, runs the same code and transposes the
result back, as Keras on CPU does (TF's CPU convolutions are NHWC only). The layers define
`_build_last`, `_call_last` and `_output_shape_last` on channels_last shapes; this base class
turns them into `build`, `call` and `compute_output_shape` for either layout. Weights do not
depend on the layout (kernels stay (k..., in, out)), so files load either way.
"""
import inspect

import tfgraph as tf
from tfgraph_keras.backend import standardize_data_format  # noqa: F401 - the layers' import
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.core import as_shape_tuple


def to_last_axes(ndim):
    return [0] + list(range(2, ndim)) + [1]


def to_first_axes(ndim):
    return [0, ndim - 1] + list(range(1, ndim - 1))


class DataFormatLayer(Layer):
    """A layer whose `data_format` picks the channel axis: 1 (channels_first) or -1."""

    data_format = "channels_last"

    def _first(self, ndim):
        return self.data_format == "channels_first" and ndim is not None and ndim > 2

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if not self._first(len(shape)):
            return self._build_last(input_shape)
        self._build_last(tuple(shape[i] for i in to_last_axes(len(shape))))
        spec = self.input_spec
        if isinstance(spec, InputSpec) and spec.axes:
            ndim = spec.ndim or len(shape)
            spec.axes = {(1 if a in (-1, ndim - 1) else a): v for a, v in spec.axes.items()}

    def _build_last(self, input_shape):
        Layer.build(self, input_shape)

    def call(self, inputs, *args, **kwargs):
        ndim = inputs.shape.ndims
        if not self._first(ndim):
            return self._call_last(inputs, *args, **kwargs)
        y = self._call_last(tf.transpose(inputs, to_last_axes(ndim)), *args, **kwargs)
        return tf.transpose(y, to_first_axes(ndim)) if y.shape.ndims == ndim else y

    def _call_params(self):  # the base layer passes mask/training if _call_last takes them
        return inspect.signature(self._call_last).parameters

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if not self._first(len(shape)):
            return self._output_shape_last(input_shape)
        out = tuple(self._output_shape_last(tuple(shape[i] for i in to_last_axes(len(shape)))))
        return tuple(out[i] for i in to_first_axes(len(out))) if len(out) == len(shape) else out
