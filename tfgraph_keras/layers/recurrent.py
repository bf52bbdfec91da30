"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3 equations, weights and defaults).

    LSTM(128)                                   # (batch, time, features) -> (batch, 128)
    GRU(64, return_sequences=True)              # -> (batch, time, 64)
    out, h, c = LSTM(32, return_state=True)(x)

Weights are Keras's: kernel (in, k*units), recurrent_kernel (units, k*units) and bias, with the gate
column blocks in Keras's order (LSTM i, f, c, o; GRU z, r, h), so weight files of real Keras load.
The time loop is unrolled into graph ops when the layer is called (the time dim must be known), and
its gradient comes from autodiff. The graph is built for speed on small batches:
  * the input projection x @ kernel (+ bias) is one matmul over all time steps, made time-major so
    that each step's slice is a contiguous block (one Unpack; its gradient is one Pack);
  * each step has exactly one matmul, h @ recurrent_kernel, and none at step 0 for a zero state;
  * go_backwards reverses the python list of steps, so it costs no op;
  * an LSTM with the default activations (sigmoid, tanh) runs all its steps as one LSTMSequence
    op (per step BLAS matmuls and one Numba gate kernel; its gradient computes d kernel and
    d recurrent_kernel as matmuls over all steps); with recurrent dropout it unrolls one fused
    LSTMCell op per step instead of ~20 small ops. A GRU with them and reset_after=True runs each
    step as one GRUCell op.
dropout / recurrent_dropout follow Keras 3: one mask per sequence, the same at every step, on the
inputs and on the h that the recurrent matmuls read (not on the carried state); off at inference.
`stateful=True` keeps each batch's final states in variables (a fixed batch size, from the input
shape) as the next batch's initial states, until reset_states().
A mask (from Embedding(mask_zero=True), Masking, or `mask=`) makes masked steps keep the previous
states and repeat the previous output (zeros with zero_output_for_mask), as in Keras; a masked
LSTM with the default activations runs as one MaskedLSTMSequence op (from a zero initial state;
else the unrolled steps, one fused LSTMCell op each).
Each layer leaves a description of itself on its output tensors (`_keras_rnn`), which the ONNX
exporter turns into one ONNX LSTM/GRU/RNN node instead of the unrolled ops.
"""
import numpy as np

import tfgraph as tf
from tfgraph.ops import nn_impl, rnn_ops
from tfgraph_keras import activations, backend, initializers, regularizers
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.core import as_shape_tuple, constraints, serialize_or_none


class _UnitForgetBias:
    """LSTM bias initializer with unit_forget_bias: the forget-gate block is ones."""

    def __init__(self, initializer, units):
        self.initializer, self.units = initializer, units

    def __call__(self, shape, dtype=None, partition_info=None):
        u = self.units
        return tf.concat([self.initializer((u,), dtype=dtype), tf.ones((u,), dtype=dtype),
                          self.initializer((2 * u,), dtype=dtype)], 0)


def stateful_states(layer, inputs, sizes):
    """A stateful layer's initial states: reads of (batch, size) variables that keep the final
    states of the previous batch (zeros at first and after reset_states())."""
    batch = inputs.shape.as_list()[0]
    if batch is None:
        raise ValueError("%s '%s' is stateful: it needs to know its batch size. Specify the "
                         "batch size of your input tensors: pass `batch_size=` (or "
                         "`batch_input_shape=`) to the first layer, or `Input(batch_shape=...)`;"
                         " got input shape %s." % (type(layer).__name__, layer.name,
                                                   tuple(inputs.shape.as_list())))
    if layer._rnn_state_vars is None:
        graph = inputs.graph
        with graph.as_default(), graph.name_scope(None), \
                graph.name_scope(layer._weight_scope_prefix + layer.name + "/"):
            layer._rnn_state_vars = [
                tf.Variable(np.zeros((batch, n), inputs.dtype.np), trainable=False,
                            name="states_%d" % i) for i, n in enumerate(sizes)]
    variables = layer._rnn_state_vars
    if [v.shape.as_list() for v in variables] != [[batch, n] for n in sizes]:
        raise ValueError("%s '%s' is stateful with states %s; it cannot run on inputs of shape "
                         "%s." % (type(layer).__name__, layer.name,
                                  [v.shape.as_list() for v in variables],
                                  tuple(inputs.shape.as_list())))
    return [v.value() for v in variables]


def keep_states(layer, output, states):
    """Stores the final states for the next batch; the outputs and states returned depend on
    the stores, so every run of the model (predict, fit) carries the states on."""
    stores = [tf.assign(v, s) for v, s in zip(layer._rnn_state_vars, states)]
    with tf.control_dependencies(stores):
        return tf.identity(output), [tf.identity(s) for s in states]


def recurrent_dropout_mask(like, rate, noise_shape, seed, training):
    """Keras's dropout mask for a recurrent layer (kept units scaled by 1/(1-rate)) of
    `noise_shape` (None: like's shape), switched by the learning phase when `training` is a
    tensor; None when not training."""
    if training is None:
        training = backend.learning_phase()
    if isinstance(training, (bool, int, np.bool_)) and not training:
        return None
    rate_t = tf.constant(rate, dtype=like.dtype, name="rate")
    if isinstance(training, (bool, int, np.bool_)):
        return nn_impl.dropout_mask(like, rate_t, noise_shape, seed)
    # a learning-phase tensor: at inference the mask is a broadcast 1 and nothing is drawn
    return nn_impl.dropout_mask(like, rate_t, noise_shape, seed, training=training)


def reset_layer_states(layer, states=None):
    """Zeroes (or sets to `states`) a stateful layer's state variables."""
    if not layer.stateful:
        raise AttributeError("Layer %s is not stateful: it has no states to reset." % layer.name)
    variables = layer._rnn_state_vars
    if variables is None:
        return
    values = [np.zeros(v.shape.as_list(), v.dtype.np) for v in variables] if states is None \
        else [np.asarray(s) for s in (states if isinstance(states, (list, tuple)) else [states])]
    if len(values) != len(variables) or any(
            tuple(v.shape.as_list()) != a.shape for v, a in zip(variables, values)):
        raise ValueError("Layer %s expects states of shapes %s, got %s."
                         % (layer.name, [tuple(v.shape.as_list()) for v in variables],
                            [a.shape for a in values]))
    backend.batch_set_value(list(zip(variables, values)))


def set_recurrent_weight_options(layer, activation, use_bias, kernel_initializer,
                                 recurrent_initializer, bias_initializer, kernel_regularizer,
                                 recurrent_regularizer, bias_regularizer, kernel_constraint,
                                 recurrent_constraint, bias_constraint, dropout,
                                 recurrent_dropout, seed):
    """The arguments every recurrent layer (RNN, LSTM, GRU, ConvLSTM) takes for its kernel,
    recurrent kernel and bias, resolved onto `layer`, with Keras's check of the dropout rates."""
    name = type(layer).__name__
    for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if not 0 <= rate < 1:
            raise ValueError("%s(%s=%s): the rate must be in [0, 1)." % (name, arg, rate))
    layer.activation = activations.get(activation)
    layer.use_bias = bool(use_bias)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.recurrent_initializer = initializers.get(recurrent_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.recurrent_constraint = constraints.get(recurrent_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)
    layer.dropout, layer.recurrent_dropout = float(dropout), float(recurrent_dropout)
    layer.seed = seed

class _RNN(Layer):
    """Shared constructor, weights, time loop and config of SimpleRNN, LSTM and GRU.

    Subclasses set `_gates` (column blocks per weight) and `_n_states`, and implement `_step`.
    """

    _gates = 1
    _n_states = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, time_major=False,
                 zero_output_for_mask=False, **kwargs):
        for k in ("implementation", "use_cudnn"):  # Keras 2/3 speed knobs: no effect on the maths
            kwargs.pop(k, None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a positive "
                             "integer, got %s." % (units,))
        name = type(self).__name__
        if time_major:
            raise NotImplementedError("%s(time_major=True) is not supported: inputs are "
                                      "(batch, time, features)." % name)
        set_recurrent_weight_options(
            self, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
            seed)
        self._rec_mask = None
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful, self.unroll = bool(stateful), bool(unroll)
        self._rnn_state_vars = None
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.input_spec = InputSpec(ndim=3)

    # -- weights ----------------------------------------------------------------------------------
    @property
    def _cell_name(self):
        """Keras 2 names RNN weights '<layer>/<cell>/kernel:0' (cell: lstm_cell, gru_cell ...)."""
        return backend.to_snake_case(type(self).__name__) + "_cell"

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if not self._cell_name:   # a cell: (batch, features), one step
            shape = (shape[0], None) + tuple(shape[1:])
        if len(shape) != 3 or shape[-1] is None:
            raise ValueError("%s expects inputs of shape (batch, time, features) with known "
                             "features; got %s." % (type(self).__name__, shape))
        cols = self._gates * self.units
        cell = self._cell_name + "/" if self._cell_name else ""
        self.kernel = self.add_weight(cell + "kernel", (shape[-1], cols),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(cell + "recurrent_kernel", (self.units, cols),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(cell + "bias", self._bias_shape(),
                                    initializer=self._bias_init(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=3, axes={-1: shape[-1]}) if self._cell_name else None
        self.built = True

    # -- the unrolled loop ------------------------------------------------------------------------
    def _input_bias(self):
        return self.bias

    def _project_inputs(self, x, bias=True):
        """x[:, t] @ kernel (+ bias) for every t: one matmul, time-major (time, batch, cols)."""
        steps, features = x.shape.as_list()[1:]
        cols = self._gates * self.units
        flat = tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, features])
        proj = tf.matmul(flat, self.kernel)
        bias = self._input_bias() if bias else None
        if bias is not None:
            proj = tf.nn.bias_add(proj, bias)
        return tf.reshape(proj, [steps, -1, cols])

    def _run(self, x, states, mask=None):
        """The time loop: (the outputs, time-major (time, batch, units) if return_sequences else
        the last step's; the final states). Unrolled: each step's slice of the projection is a
        contiguous block (one Unpack; its gradient is one Pack).

        With a (batch, time) mask, a masked step keeps the previous states and outputs the
        previous output (zeros with zero_output_for_mask), as Keras's rnn loop does."""
        if x.shape.as_list()[1] is None:   # the fused LSTM runs any length; unrolled steps cannot
            raise ValueError("%s '%s' needs a known number of time steps (the loop is unrolled); "
                             "got input shape %s." % (type(self).__name__, self.name,
                                                      tuple(x.shape.as_list())))
        proj = self._project_inputs(x)
        steps = proj.shape.as_list()[0]
        xs = tf.unstack(proj, num=steps, axis=0)
        ms = None
        if mask is not None:
            ms = tf.unstack(tf.expand_dims(tf.transpose(mask), -1), num=steps, axis=0)
            zeros = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=x.dtype)
            states = [zeros if s is None else s for s in states]
            prev = zeros
        if self.go_backwards:
            xs = xs[::-1]
            ms = None if ms is None else ms[::-1]
        outputs = []
        for t, xt in enumerate(xs):
            with tf.name_scope("step_%d" % t if t else "step"):
                out, new = self._step(xt, states)
                if ms is not None:
                    new = [tf.where(ms[t], n, s) for n, s in zip(new, states)]
                    out = tf.where(ms[t], out, zeros if self.zero_output_for_mask else prev)
                    prev = out
                states = new
            outputs.append(out)
        return (tf.stack(outputs, axis=0) if self.return_sequences else outputs[-1]), states

    def call(self, inputs, training=None, mask=None, initial_state=None):
        states = self._initial_states(initial_state)
        if self.stateful and initial_state is None:
            states = stateful_states(self, inputs, [self.units] * self._n_states)
        x = inputs
        if self.dropout:   # one mask per sequence, the same at every time step (as Keras 3)
            drop = self._dropout_mask(inputs, self.dropout, [None, 1, None], training)
            x = inputs if drop is None else tf.multiply(inputs, drop, name="input_dropout")
        self._rec_mask = None
        if self.recurrent_dropout:
            self._rec_mask = self._dropout_mask(
                inputs, self.recurrent_dropout, [tf.shape(inputs)[0], self.units], training)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None:
            mask = tf.cast(mask, tf.bool) if mask.dtype != tf.bool else mask
            output, states = self._run(x, states, mask)
        else:
            output, states = self._run(x, states)
        if self.return_sequences:
            output = tf.transpose(output, [1, 0, 2])
        if self.stateful:
            output, states = keep_states(self, output, states)
        final = [tf.identity(s, name="state") for s in states]
        info = {"layer": type(self).__name__, "input": inputs, "config": self.get_config(),
                "weights": [self.kernel, self.recurrent_kernel, self.bias],
                "initial_state": initial_state is not None,
                "outputs": [output] + final}
        if mask is None:   # the ONNX exporter's single RNN node has no mask input
            for t in info["outputs"]:
                t._keras_rnn = info
        return [output] + final if self.return_state else output

    def _initial_states(self, initial_state):
        if initial_state is None:
            return [None] * self._n_states   # a zero state: step 0 skips its recurrent terms
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        if len(states) != self._n_states:
            raise ValueError("%s expects %d initial state tensor(s), got %d."
                             % (type(self).__name__, self._n_states, len(states)))
        return [tf.convert_to_tensor(s) for s in states]

    def _dropout_mask(self, inputs, rate, noise_shape, training):
        return recurrent_dropout_mask(inputs, rate, noise_shape, self.seed, training)

    def _masked(self, h):
        """h as the recurrent matmuls see it: times the recurrent dropout mask when training."""
        return h if self._rec_mask is None else tf.multiply(h, self._rec_mask)

    def _recurrent(self, h):
        """h @ recurrent_kernel, or None for the zero state."""
        return None if h is None else tf.matmul(self._masked(h), self.recurrent_kernel)

    def reset_states(self, states=None):
        """Zeroes the states of a stateful layer (or sets them to `states`)."""
        if self.stateful:
            reset_layer_states(self, states)

    reset_state = reset_states

    def compute_mask(self, inputs, mask=None):
        """The input mask on the output sequence (return_sequences); none on states."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out] + [None] * self._n_states if self.return_state else out

    # -- shapes and config ------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        out = (shape[0], shape[1], self.units) if self.return_sequences else \
            (shape[0], self.units)
        if self.return_state:
            return [out] + [(shape[0], self.units)] * self._n_states
        return out

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            recurrent_initializer=initializers.serialize(self.recurrent_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=serialize_or_none(regularizers, self.kernel_regularizer),
            recurrent_regularizer=serialize_or_none(regularizers, self.recurrent_regularizer),
            bias_regularizer=serialize_or_none(regularizers, self.bias_regularizer),
            activity_regularizer=serialize_or_none(
                regularizers, regularizers.get(self.activity_regularizer)),
            kernel_constraint=constraints.serialize(self.kernel_constraint),
            recurrent_constraint=constraints.serialize(self.recurrent_constraint),
            bias_constraint=constraints.serialize(self.bias_constraint),
            dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed,
            return_sequences=self.return_sequences, return_state=self.return_state,
            go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask)
        return config


class SimpleRNN(_RNN):
    """Fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

        SimpleRNN(32, return_sequences=True)
    """

    def _step(self, xt, states):
        rec = self._recurrent(states[0])
        z = xt if rec is None else tf.add(xt, rec)
        h = self.activation(z)
        return h, [h]


class _GatedRNN(_RNN):
    """LSTM and GRU: an RNN whose gates use `recurrent_activation` (sigmoid by default)."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation))
        return config


class LSTM(_GatedRNN):
    """Long short-term memory (Hochreiter 1997), Keras 3's equations and weight layout.

    Gate blocks i, f, c, o: `z = x @ kernel + h @ recurrent_kernel + bias`,
    `c = sig(z_f) * c + sig(z_i) * tanh(z_c)`, `h = sig(z_o) * tanh(c)` (sig: recurrent_activation,
    tanh: activation). `unit_forget_bias=True` starts the forget-gate bias at 1.

        LSTM(128)(x)                       # last h: (batch, 128)
        seq, h, c = LSTM(64, return_sequences=True, return_state=True)(x)
    """

    _gates = 4
    _n_states = 2

    def __init__(self, units, *args, unit_forget_bias=True, **kwargs):
        super().__init__(units, *args, **kwargs)   # args: activation, recurrent_activation, ...
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self):
        if self.unit_forget_bias:
            return _UnitForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    @property
    def _fused(self):
        """The default activations run as one LSTMSequence op, or with recurrent dropout as one
        LSTMCell op per step (tfgraph/ops/rnn_ops.py)."""
        return self.recurrent_activation is activations.sigmoid and \
            self.activation is activations.tanh

    def _run(self, x, states, mask=None):
        """Fused (default activations, no recurrent dropout): one LSTMSequence op runs all the
        steps, forward and backward, or with a mask one MaskedLSTMSequence op (from the zero
        state, where the carried h is Keras's carried output); otherwise the unrolled steps."""
        zero_state = all(s is None for s in states)
        if not self._fused or self._rec_mask is not None or (
                mask is not None and not zero_state):
            return super()._run(x, states, mask)
        xt = tf.transpose(x, [1, 0, 2])
        if self.go_backwards:
            xt = tf.reverse(xt, [0])
        dtype = xt.dtype
        zeros = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=dtype) \
            if any(s is None for s in states) else None
        h0, c0 = [zeros if s is None else s for s in states]
        bias = self.bias if self.use_bias else tf.zeros([4 * self.units], dtype=dtype)
        if mask is None:
            hs, cs, _, _ = rnn_ops.lstm_sequence(xt, self.kernel, self.recurrent_kernel, bias,
                                                 h0, c0)
            h, c = hs[-1], cs[-1]
            return (hs if self.return_sequences else h), [h, c]
        keep = tf.cast(tf.transpose(mask), dtype)
        if self.go_backwards:
            keep = tf.reverse(keep, [0])
        hs, cs, _, _ = rnn_ops.masked_lstm_sequence(xt, self.kernel, self.recurrent_kernel, bias,
                                                    h0, c0, keep)
        h, c = hs[-1], cs[-1]
        if self.zero_output_for_mask:   # masked steps output 0; the states still carry on
            out = hs * tf.expand_dims(keep, -1)
            return (out if self.return_sequences else out[-1]), [h, c]
        return (hs if self.return_sequences else h), [h, c]

    def _step(self, xt, states):
        h, c = states
        rec = self._recurrent(h)
        z = xt if rec is None else tf.add(xt, rec)
        if self._fused:
            if c is None:   # the zero state
                c = tf.zeros(tf.stack([tf.shape(z)[0], self.units]), dtype=z.dtype)
            h, c, _, _ = rnn_ops.lstm_cell(z, c)
            return h, [h, c]
        u, sig, act = self.units, self.recurrent_activation, self.activation
        # i and f are adjacent: one activation (and one gradient chain) over both
        zif, zc, zo = tf.split(z, [2 * u, u, u], axis=1)
        i, f = tf.split(sig(zif), 2, axis=1)
        g, o = act(zc), sig(zo)
        c = i * g if c is None else f * c + i * g
        h = o * act(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(unit_forget_bias=self.unit_forget_bias)
        return config


class GRU(_GatedRNN):
    """Gated recurrent unit, Keras 3's equations and weight layout (gate blocks z, r, h).

    reset_after=True (the Keras 3 / CuDNN default): bias (2, 3*units) = [input bias, recurrent
    bias], `h~ = tanh(x_h + r * (h @ R_h + b_rh))`. reset_after=False: bias (3*units,),
    `h~ = tanh(x_h + (r * h) @ R_h)`. Both: `h = z * h_prev + (1 - z) * h~`.

        GRU(64)(x)
        GRU(64, reset_after=False)(x)      # Keras 2.2 / TF1-style GRU
    """

    _gates = 3

    def __init__(self, units, *args, reset_after=True, **kwargs):
        super().__init__(units, *args, **kwargs)   # args: activation, recurrent_activation, ...
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        """Splits the weights once per call: (input bias, recurrent bias); R's z,r | h columns."""
        self._biases = (None, None)
        if self.use_bias and self.reset_after:
            self._biases = tuple(tf.unstack(self.bias, num=2, axis=0))
        elif self.use_bias:
            self._biases = (self.bias, None)
        if not self.reset_after:   # z, r columns at once; the h columns after the reset
            self._r_zr, self._r_h = tf.split(self.recurrent_kernel, [2 * self.units, self.units],
                                             axis=1)
        return self._biases[0]

    @property
    def _fused(self):
        """reset_after with the default activations runs each step as one GRUCell op, but the
        first from a zero state (two activations: it stays unfused)."""
        return self.reset_after and self.recurrent_activation is activations.sigmoid and \
            self.activation is activations.tanh

    def _step(self, xt, states):
        h = states[0]
        sig, act = self.recurrent_activation, self.activation
        if self._fused and h is not None:
            rec = self._recurrent(h)
            if self._biases[1] is not None:
                rec = tf.nn.bias_add(rec, self._biases[1])
            h, _ = rnn_ops.gru_cell(xt, rec, h)
            return h, [h]
        xz, xr, xh = tf.split(xt, 3, axis=1)
        if self.reset_after:
            rec = self._recurrent(h)
            b = self._biases[1]
            if rec is not None and b is not None:
                rec = tf.nn.bias_add(rec, b)
            elif rec is None:
                rec = b        # h = 0: h @ R + b = b
            if rec is None:
                z, hh = sig(xz), act(xh)
            else:
                rz, rr, rh = tf.split(rec, 3, axis=-1)
                z, r = sig(xz + rz), sig(xr + rr)
                hh = act(xh + r * rh)
        elif h is None:
            z, hh = sig(xz), act(xh)
        else:
            hm = self._masked(h)
            rz, rr = tf.split(tf.matmul(hm, self._r_zr), 2, axis=1)
            z, r = sig(xz + rz), sig(xr + rr)
            hh = act(xh + tf.matmul(r * hm, self._r_h))
        h = hh - z * hh if h is None else hh + z * (h - hh)   # z * h + (1 - z) * h~
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.update(reset_after=self.reset_after)
        return config


__all__ = ["SimpleRNN", "LSTM", "GRU"]
