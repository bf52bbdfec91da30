"""The generic recurrent layer `RNN(cell)` and its cells (Keras 3 API, weights and names).

    RNN(LSTMCell(32))(x)                                    # as LSTM(32)
    RNN([GRUCell(16), LSTMCell(8)], return_sequences=True)  # StackedRNNCells
    RNN(MyCell(4))                  # any layer with `state_size` and `call(inputs, states)`

A cell computes one step: `output, new_states = cell.call(x_t, states)`. RNN runs it over the time
steps by unrolling the loop into the graph, so the number of steps must be known. An RNN of one
LSTMCell with the default activations and no dropout or mask runs as one fused LSTMSequence op,
like LSTM; LSTMCell and GRUCell steps elsewhere use the fused per-step ops. Weights are named as
in Keras ("rnn/lstm_cell/kernel", "rnn/stacked_rnn_cells/gru_cell/bias") and saved in Keras 3's
groups (`layers/rnn/cell/vars`, `layers/rnn/cell/cells/lstm_cell/vars`).
"""
import tfgraph as tf
from tfgraph.ops import rnn_ops
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple
from tfgraph_keras.layers.recurrent import (
    GRU,
    LSTM,
    SimpleRNN,
    keep_states,
    reset_layer_states,
    stateful_states,
)

_LAYER_ONLY = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
               "zero_output_for_mask", "time_major", "activity_regularizer")


class _Cell:
    """Turns SimpleRNN / LSTM / GRU into their one-step cells: same weights (named without the
    layer's cell scope), the same step maths and fused step ops."""

    _cell_name = None

    def __init__(self, units, *args, **kwargs):
        for key in _LAYER_ONLY:
            if key in kwargs:
                raise TypeError("Keyword argument not understood: '%s' (layer %s)"
                                % (key, type(self).__name__))
        super().__init__(units, *args, **kwargs)
        self.input_spec = None
        self._drop_training = self._in_drop = None

    @property
    def state_size(self):
        return self.units if self._n_states == 1 else [self.units] * self._n_states

    @property
    def output_size(self):
        return self.units

    def _prepare(self, training):
        """Starts a sequence: its dropout masks are drawn at the first step and kept for all
        (Keras 3 draws them once per call of the RNN)."""
        self._drop_training, self._in_drop, self._rec_mask = training, None, None

    def _finish(self):
        self._drop_training = self._in_drop = self._rec_mask = None

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        phase = getattr(self, "_drop_training", None)
        if phase is not None and self._in_drop is None and self._rec_mask is None:
            if self.dropout:
                self._in_drop = self._dropout_mask(inputs, self.dropout, None, phase)
            if self.recurrent_dropout:
                self._rec_mask = self._dropout_mask(
                    inputs, self.recurrent_dropout, [tf.shape(inputs)[0], self.units], phase)
            self._drop_training = None
        x = inputs if self._in_drop is None else tf.multiply(inputs, self._in_drop)
        xt = tf.matmul(x, self.kernel)
        bias = self._input_bias()
        if bias is not None:
            xt = tf.nn.bias_add(xt, bias)
        return self._step(xt, states)

    def compute_output_shape(self, input_shape):
        return (as_shape_tuple(input_shape)[0], self.units)

    def get_config(self):
        config = super().get_config()
        for key in _LAYER_ONLY:
            config.pop(key, None)
        return config


class SimpleRNNCell(_Cell, SimpleRNN):
    """The step of SimpleRNN: `h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)`."""


class LSTMCell(_Cell, LSTM):
    """The step of LSTM (gates i, f, c, o; states [h, c])."""


class GRUCell(_Cell, GRU):
    """The step of GRU (gates z, r, h; reset_after=True by default)."""


def _sizes(cell):
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    return size if size is not None else _sizes(cell)[0]


def _call_cell(cell, x, states, training):
    kwargs = {"training": training} if "training" in cell._call_params() else {}
    out, new = cell.call(x, list(states), **kwargs)
    return out, list(new) if isinstance(new, (list, tuple)) else [new]


class StackedRNNCells(Layer):
    """Cells run one after the other at each step; the states are every cell's, in order.

        RNN(StackedRNNCells([LSTMCell(8), GRUCell(4)]))
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = list(cells)
        for cell in self.cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `call` method and a `state_size` "
                                 "attribute. Received cell without a `call` method or "
                                 "`state_size`: %r" % (cell,))

    @property
    def state_size(self):
        return [s for cell in self.cells for s in _sizes(cell)]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def _state_children(self):
        return [("cells", self.cells)]

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        dim = shape[-1]
        for cell in self.cells:
            cell._weight_scope_prefix = self._weight_scope_prefix + self.name + "/"
            if not cell.built:
                cell.build((shape[0], dim))
                cell.built = True
            dim = _output_size(cell)
        self.built = True

    def _prepare(self, training):
        for cell in self.cells:
            if hasattr(cell, "_prepare"):
                cell._prepare(training)

    def _finish(self):
        for cell in self.cells:
            if hasattr(cell, "_finish"):
                cell._finish()

    def call(self, inputs, states, training=None):
        out, new_states, i = inputs, [], 0
        for cell in self.cells:
            n = len(_sizes(cell))
            out, new = _call_cell(cell, out, states[i:i + n], training)
            new_states.extend(new)
            i += n
        return out, new_states

    def get_config(self):
        from tfgraph_keras.saving import serialization
        config = super().get_config()
        config["cells"] = [serialization.serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfgraph_keras.saving import serialization
        config = dict(config)
        config["cells"] = [serialization.deserialize_keras_object(c, custom_objects)
                           for c in config["cells"]]
        return cls(**config)


class RNN(Layer):
    """Runs `cell` over the time steps of (batch, time, features) inputs (Keras's RNN layer).

    return_sequences, return_state (the output, then the final states), go_backwards,
    stateful (states kept in variables across batches; a fixed batch size; reset_states()),
    zero_output_for_mask; masks are honoured as in LSTM. `unroll` is accepted: the loop is always
    unrolled, so the number of time steps must be known.
    """

    _supports_masking = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError("Argument `cell` should have a `call` method and a `state_size` "
                             "attribute. Received: cell=%r" % (cell,))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self._rnn_state_vars = None

    def _state_children(self):
        return [("cell", self.cell)]

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if len(shape) < 3:
            raise ValueError("RNN '%s' expects inputs of shape (batch, time, features); got %s."
                             % (self.name, shape))
        self.cell._weight_scope_prefix = self._weight_scope_prefix + self.name + "/"
        if not self.cell.built:
            self.cell.build((shape[0],) + tuple(shape[2:]))
            self.cell.built = True
        self.built = True

    def _fused_lstm(self, mask, zero_state):
        """One LSTMSequence op, or with a mask (from the zero state) one MaskedLSTMSequence."""
        cell = self.cell
        return isinstance(cell, LSTMCell) and cell._fused and (mask is None or zero_state) and \
            not cell.dropout and not cell.recurrent_dropout

    def call(self, inputs, training=None, mask=None, initial_state=None):
        steps = inputs.shape.as_list()[1]
        if steps is None:
            raise ValueError("RNN '%s' runs its cell %s by unrolling the time loop, which needs "
                             "a known number of time steps; got input shape %s. Give the Input "
                             "a fixed sequence length." % (self.name, type(self.cell).__name__,
                                                           tuple(inputs.shape.as_list())))
        sizes = _sizes(self.cell)
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) != len(sizes):
                raise ValueError("RNN '%s' expects %d initial state tensor(s), got %d."
                                 % (self.name, len(sizes), len(states)))
            states = [tf.convert_to_tensor(s) for s in states]
        elif self.stateful:
            states = stateful_states(self, inputs, sizes)
        else:
            batch = tf.shape(inputs)[0]
            states = [tf.zeros(tf.stack([batch, n]), dtype=inputs.dtype) for n in sizes]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        zero_state = initial_state is None and not self.stateful
        if self._fused_lstm(mask, zero_state):
            output, states = self._run_fused_lstm(inputs, states, mask)
        else:
            output, states = self._run(inputs, states, mask, training)
        if self.stateful:
            output, states = keep_states(self, output, states)
        return [output] + list(states) if self.return_state else output

    def _run_fused_lstm(self, inputs, states, mask=None):
        cell = self.cell
        xt = tf.transpose(inputs, [1, 0, 2])
        if self.go_backwards:
            xt = tf.reverse(xt, [0])
        bias = cell.bias if cell.use_bias else tf.zeros([4 * cell.units], dtype=inputs.dtype)
        if mask is None:
            hs, cs, _, _ = rnn_ops.lstm_sequence(xt, cell.kernel, cell.recurrent_kernel, bias,
                                                 states[0], states[1])
            out = hs
        else:
            keep = tf.cast(tf.transpose(mask), inputs.dtype)
            if self.go_backwards:
                keep = tf.reverse(keep, [0])
            hs, cs, _, _ = rnn_ops.masked_lstm_sequence(xt, cell.kernel, cell.recurrent_kernel,
                                                        bias, states[0], states[1], keep)
            out = hs * tf.expand_dims(keep, -1) if self.zero_output_for_mask else hs
        h, c = hs[-1], cs[-1]
        return (tf.transpose(out, [1, 0, 2]) if self.return_sequences else out[-1]), [h, c]

    def _run(self, inputs, states, mask, training):
        steps = inputs.shape.as_list()[1]
        xs = tf.unstack(inputs, num=steps, axis=1)
        ms = None
        if mask is not None:
            mask = tf.cast(mask, tf.bool) if mask.dtype != tf.bool else mask
            ms = tf.unstack(tf.expand_dims(mask, -1), num=steps, axis=1)
        if self.go_backwards:
            xs = xs[::-1]
            ms = None if ms is None else ms[::-1]
        if hasattr(self.cell, "_prepare"):
            self.cell._prepare(training)
        outputs, prev = [], None
        try:
            for t, xt in enumerate(xs):
                with tf.name_scope("step_%d" % t if t else "step"):
                    out, new = _call_cell(self.cell, xt, states, training)
                    if len(new) != len(states):
                        raise ValueError("The cell of RNN '%s' returned %d states; its "
                                         "state_size has %d." % (self.name, len(new),
                                                                 len(states)))
                    if ms is not None:
                        zeros = tf.zeros_like(out)
                        new = [tf.where(ms[t], n, s) for n, s in zip(new, states)]
                        out = tf.where(ms[t], out, zeros if self.zero_output_for_mask or
                                       prev is None else prev)
                        prev = out
                    states = new
                outputs.append(out)
        finally:
            if hasattr(self.cell, "_finish"):
                self.cell._finish()
        return (tf.stack(outputs, axis=1) if self.return_sequences else outputs[-1]), states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out] + [None] * len(_sizes(self.cell)) if self.return_state else out

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        units = _output_size(self.cell)
        out = (shape[0], shape[1], units) if self.return_sequences else (shape[0], units)
        if self.return_state:
            return [out] + [(shape[0], n) for n in _sizes(self.cell)]
        return out

    def reset_states(self, states=None):
        """Zeroes the states of a stateful RNN (or sets them to `states`)."""
        if self.stateful:
            reset_layer_states(self, states)

    reset_state = reset_states

    def get_config(self):
        from tfgraph_keras.saving import serialization
        config = super().get_config()
        config.update(cell=serialization.serialize_keras_object(self.cell),
                      return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful,
                      unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfgraph_keras.saving import serialization
        config = dict(config)
        config["cell"] = serialization.deserialize_keras_object(config["cell"], custom_objects)
        return cls(**config)


__all__ = ["RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]
