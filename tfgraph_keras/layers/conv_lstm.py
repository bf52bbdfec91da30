"""Convolutional LSTM layers: ConvLSTM1D, ConvLSTM2D, ConvLSTM3D (Keras 3's equations and weights).

    ConvLSTM2D(16, 3, padding="same", return_sequences=True)   # (b, t, h, w, c) -> (b, t, h, w, 16)
    seq, h, c = ConvLSTM2D(8, (3, 3), return_sequences=True, return_state=True)(x)

An LSTM whose matmuls are convolutions: with gate blocks i, f, c, o (Keras's order),
`z = conv(x_t, kernel) + bias + conv(h, recurrent_kernel)`, `c = sig(z_f) * c + sig(z_i) *
tanh(z_c)`, `h = sig(z_o) * tanh(c)`. The input convolution uses the layer's strides, padding and
dilation_rate; the recurrent one is always stride 1 and 'same' (as Keras), so h and c have the
input convolution's output shape. Weights are Keras's: kernel (k..., in, 4*filters),
recurrent_kernel (k..., filters, 4*filters), bias (4*filters,); Keras 3 saves them in the layer's
`cell/vars` (cell conv_lstm_cell), Keras 2 as '<layer>/kernel:0', so both files load.
The input convolution of all time steps is one conv op; the time loop is unrolled (the number of
steps must be known), with no recurrent conv at step 0 for a zero state. channels_first inputs are
transposed to channels_last and the results back (tfgraph's convolutions are NHWC, as TF on CPU).
dropout / recurrent_dropout: one mask per sequence (on the inputs, on h as the recurrent conv reads
it), only when training, as Keras 3.
"""
import numpy as np

import tfgraph as tf
from tfgraph_keras import activations, backend, initializers, regularizers
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.convolutional import conv_output_length, normalize_tuple
from tfgraph_keras.layers.core import as_shape_tuple, constraints, serialize_or_none
from tfgraph_keras.layers.data_format import standardize_data_format, to_first_axes
from tfgraph_keras.layers.recurrent import (_UnitForgetBias, recurrent_dropout_mask,
                                            reset_layer_states,
                                            set_recurrent_weight_options)
from tfgraph_keras.saving import h5

class ConvLSTM(Layer):
    """The shared layer of ConvLSTM1D/2D/3D (`rank` spatial dims); Keras 3's arguments."""

    _cell_name = "conv_lstm_cell"   # Keras 3 keeps the weights in `cell/vars` under this name
    _supports_masking = True

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        name = type(self).__name__
        if kwargs.pop("time_major", False):
            raise NotImplementedError("%s(time_major=True) is not supported: inputs are "
                                      "(batch, time, ...)." % name)
        kwargs.pop("implementation", None)
        if not kwargs.get("name"):   # Keras's name (conv_lstm2d): backend's snake case splits M2
            kwargs["name"] = backend.unique_object_name(h5.snake_case(name))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = int(rank)
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError("%s: invalid value for argument `filters`, expected a positive "
                             "integer, got %s." % (name, filters))
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError("%s: the `padding` argument must be one of 'valid', 'same' "
                             "(case-insensitive). Received: padding=%s" % (name, padding))
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("%s: specifying `strides > 1` is not compatible with "
                             "`dilation_rate > 1`. Received: strides=%s and dilation_rate=%s"
                             % (name, self.strides, self.dilation_rate))
        self.data_format = standardize_data_format(data_format)
        set_recurrent_weight_options(
            self, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
            seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful, self.unroll = bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self._rnn_state_vars = None
        self.input_spec = InputSpec(ndim=self.rank + 3)

    # -- shapes ---------------------------------------------------------------------------------
    def _last(self, shape):
        """A (batch, time, ...) shape in channels_last order."""
        shape = tuple(shape)
        if self.data_format == "channels_first":
            return shape[:2] + shape[3:] + (shape[2],)
        return shape

    def _state_shape_last(self, shape):
        """(batch, out spatial..., filters) of the states for a channels_last input shape."""
        spatial = [conv_output_length(n, k, self.padding, s, d) for n, k, s, d in
                   zip(shape[2:-1], self.kernel_size, self.strides, self.dilation_rate)]
        return (shape[0],) + tuple(spatial) + (self.filters,)

    def _to_format(self, shape):
        """A channels_last state or sequence shape in the layer's data_format."""
        if self.data_format != "channels_first":
            return tuple(shape)
        perm = _first_perm(len(shape), len(shape) == self.rank + 3)
        return tuple(shape[i] for i in perm)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        state = self._state_shape_last(self._last(shape))
        out = (state[0], shape[1]) + state[1:] if self.return_sequences else state
        out = self._to_format(out)
        if self.return_state:
            return [out] + [self._to_format(state)] * 2
        return out

    # -- weights --------------------------------------------------------------------------------
    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        name = type(self).__name__
        if len(shape) != self.rank + 3:
            raise ValueError("Input 0 of layer '%s' (%s) is incompatible with the layer: expected "
                             "ndim=%d, found ndim=%d. Full shape received: %s"
                             % (self.name, name, self.rank + 3, len(shape), shape))
        last = self._last(shape)
        if None in last[2:-1]:
            raise ValueError("%s layers only support static input shapes for the spatial "
                             "dimensions. Received invalid input shape: input_shape=%s"
                             % (name, shape))
        if last[-1] is None:
            raise ValueError("%s: the channel dimension of the inputs should be defined. Found "
                             "None. Full input shape received: input_shape=%s" % (name, shape))
        cols = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (last[-1], cols),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", self.kernel_size + (self.filters, cols),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            init = _UnitForgetBias(self.bias_initializer, self.filters) \
                if self.unit_forget_bias else self.bias_initializer
            self.bias = self.add_weight("bias", (cols,), initializer=init,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 3, shape=(None,) + tuple(shape[1:]))
        self.built = True

    # -- the computation ------------------------------------------------------------------------
    def _conv(self, x, w, strides, padding, dilations):
        """The rank's channels_last convolution (TF's conv1d / conv2d / conv3d)."""
        pad = padding.upper()
        if self.rank == 1:
            return tf.nn.conv1d(x, w, stride=strides[0], padding=pad, dilations=dilations[0])
        conv = tf.nn.conv2d if self.rank == 2 else tf.nn.conv3d
        return conv(x, w, strides=[1, *strides, 1], padding=pad, dilations=[1, *dilations, 1])

    def _dropout_mask(self, like, rate, training):
        return recurrent_dropout_mask(like, rate, None, self.seed, training)

    def call(self, inputs, training=None, mask=None, initial_state=None):
        first = self.data_format == "channels_first"
        ndim = self.rank + 3
        x = tf.transpose(inputs, [0, 1] + list(range(3, ndim)) + [2]) if first else inputs
        shape = x.shape.as_list()
        steps, spatial, channels = shape[1], shape[2:-1], shape[-1]
        if steps is None:
            raise ValueError("%s '%s' needs a known number of time steps (the loop is "
                             "unrolled); got input shape %s." % (type(self).__name__, self.name,
                                                                 tuple(inputs.shape.as_list())))
        state_shape = self._state_shape_last(shape)
        states = self._initial_states(inputs, initial_state, state_shape, first)
        frames = tf.reshape(x, [-1] + spatial + [channels])   # (batch * time, spatial..., in)
        if self.dropout:   # one mask per sequence: the same at every step
            drop = self._dropout_mask(x[:, 0], self.dropout, training)
            if drop is not None:
                frames = tf.reshape(tf.multiply(x, tf.expand_dims(drop, 1)),
                                    [-1] + spatial + [channels])
        proj = self._conv(frames, self.kernel, self.strides, self.padding, self.dilation_rate)
        if self.bias is not None:
            proj = tf.nn.bias_add(proj, self.bias)
        out_spatial = list(state_shape[1:-1])
        proj = tf.reshape(proj, [-1, steps] + out_spatial + [4 * self.filters])
        xs = tf.unstack(proj, num=steps, axis=1)
        self._rec_mask = None
        if self.recurrent_dropout:
            zero = tf.zeros_like(tf.split(xs[0], 4, axis=-1)[0])
            self._rec_mask = self._dropout_mask(zero, self.recurrent_dropout, training)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        ms = None
        if mask is not None:
            if mask.shape.ndims != 2:
                raise ValueError("%s '%s' takes a (batch, time) mask; got a mask of shape %s."
                                 % (type(self).__name__, self.name, mask.shape.as_list()))
            keep = tf.cast(mask, x.dtype)
            keep = tf.reshape(keep, [-1, steps] + [1] * (self.rank + 1))
            ms = tf.unstack(keep, num=steps, axis=1)
        if self.go_backwards:
            xs = xs[::-1]
            ms = None if ms is None else ms[::-1]
        outputs, prev = [], None
        for t, xt in enumerate(xs):
            with tf.name_scope("step_%d" % t if t else "step"):
                out, new = self._step(xt, states)
                if ms is not None:
                    old = [tf.zeros_like(out) if s is None else s for s in states]
                    new = [_blend(ms[t], n, s) for n, s in zip(new, old)]
                    held = tf.zeros_like(out) if prev is None or self.zero_output_for_mask \
                        else prev
                    out = _blend(ms[t], out, held)
                    prev = out
                states = new
            outputs.append(out)
        output = tf.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.stateful:
            stores = [tf.assign(v, s) for v, s in zip(self._rnn_state_vars, states)]
            with tf.control_dependencies(stores):
                output, states = tf.identity(output), [tf.identity(s) for s in states]
        if first:
            output = tf.transpose(output, _first_perm(output.shape.ndims, self.return_sequences))
            states = [tf.transpose(s, to_first_axes(self.rank + 2)) for s in states]
        states = [tf.identity(s, name="state") for s in states]
        return [output] + states if self.return_state else output

    def _initial_states(self, inputs, initial_state, state_shape, first):
        """[h, c] in channels_last; None for a zero state (step 0 skips the recurrent conv)."""
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) != 2:
                raise ValueError("%s expects 2 initial state tensors (h, c), got %d."
                                 % (type(self).__name__, len(states)))
            states = [tf.convert_to_tensor(s) for s in states]
            if first:
                states = [tf.transpose(s, [0] + list(range(2, self.rank + 2)) + [1])
                          for s in states]
            return states
        if not self.stateful:
            return [None, None]
        batch = state_shape[0]
        if batch is None:
            raise ValueError("%s '%s' is stateful: it needs to know its batch size. Specify the "
                             "batch size of your input tensors: pass `batch_size=` to the "
                             "first layer, or `Input(batch_shape=...)`; got input shape %s."
                             % (type(self).__name__, self.name, tuple(inputs.shape.as_list())))
        if self._rnn_state_vars is None:
            graph = inputs.graph
            with graph.as_default(), graph.name_scope(None), \
                    graph.name_scope(self._weight_scope_prefix + self.name + "/"):
                self._rnn_state_vars = [
                    tf.Variable(np.zeros(state_shape, inputs.dtype.np), trainable=False,
                                name="states_%d" % i) for i in range(2)]
        have = [tuple(v.shape.as_list()) for v in self._rnn_state_vars]
        if have != [tuple(state_shape)] * 2:
            raise ValueError("%s '%s' is stateful with states %s; it cannot run on inputs of "
                             "shape %s." % (type(self).__name__, self.name, have,
                                            tuple(inputs.shape.as_list())))
        return [v.value() for v in self._rnn_state_vars]

    def _step(self, zx, states):
        """One step from the input projection zx = conv(x_t, kernel) + bias."""
        h, c = states
        z = zx
        if h is not None:
            hr = h if self._rec_mask is None else tf.multiply(h, self._rec_mask)
            one = (1,) * self.rank
            z = tf.add(z, self._conv(hr, self.recurrent_kernel, one, "same", one))
        z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        candidate = tf.multiply(i, self.activation(z_c))
        c = candidate if c is None else tf.add(tf.multiply(f, c), candidate)
        o = self.recurrent_activation(z_o)
        h = tf.multiply(o, self.activation(c))
        return h, [h, c]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    def reset_states(self, states=None):
        """Zeroes the states of a stateful layer (or sets them to `states`, channels_last)."""
        if self.stateful:
            reset_layer_states(self, states)

    reset_state = reset_states

    def get_config(self):
        config = super().get_config()
        config.update(
            return_sequences=self.return_sequences, return_state=self.return_state,
            go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask, filters=self.filters,
            kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
            data_format=self.data_format, dilation_rate=self.dilation_rate,
            activation=activations.serialize(self.activation),
            recurrent_activation=activations.serialize(self.recurrent_activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            recurrent_initializer=initializers.serialize(self.recurrent_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            unit_forget_bias=self.unit_forget_bias,
            kernel_regularizer=serialize_or_none(regularizers, self.kernel_regularizer),
            recurrent_regularizer=serialize_or_none(regularizers, self.recurrent_regularizer),
            bias_regularizer=serialize_or_none(regularizers, self.bias_regularizer),
            activity_regularizer=serialize_or_none(
                regularizers, regularizers.get(self.activity_regularizer)),
            kernel_constraint=constraints.serialize(self.kernel_constraint),
            recurrent_constraint=constraints.serialize(self.recurrent_constraint),
            bias_constraint=constraints.serialize(self.bias_constraint),
            dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed)
        return config


def _blend(keep, new, old):
    """new where the step is kept (keep = 1), else old; keep broadcasts over the feature dims."""
    return tf.add(tf.multiply(keep, new), tf.multiply(1.0 - keep, old))


def _first_perm(ndim, sequences):
    """The permutation taking a channels_last output (a sequence or a state) to channels_first."""
    if not sequences:
        return to_first_axes(ndim)
    return [0, 1, ndim - 1] + list(range(2, ndim - 1))


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM: inputs (batch, time, steps, channels) (channels_last)."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(1, filters, kernel_size, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM: inputs (batch, time, rows, cols, channels) (channels_last) or
    (batch, time, channels, rows, cols) (channels_first).

        ConvLSTM2D(filters=8, kernel_size=3, padding="same", return_sequences=True)
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)


class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM: inputs (batch, time, dim1, dim2, dim3, channels) (channels_last)."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(3, filters, kernel_size, **kwargs)


__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]
