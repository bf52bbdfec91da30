"""tf.nn.static_rnn, dynamic_rnn and their bidirectional forms (TF1), over tf.nn.rnn_cell cells.

Variables go under 'rnn/' ('bidirectional_rnn/fw/', '.../bw/'), as in TF1. With
`sequence_length`, each sequence's outputs past its length are zeros and its state is carried
through unchanged, so the final state is the state at its last step (TF1's semantics).

dynamic_rnn runs a BasicLSTMCell, or an LSTMCell without peepholes, projection or clipping, as
one fused LSTMSequence op, however many steps there are (rnn_ops.lstm_sequence, Numba gate
kernels; its gradient too): the cell's TF1 weights are re-laid out for it as graph ops, so
variables, checkpoints and gradients stay the cell's. Stacks of such cells (MultiRNNCell), with
DropoutWrapper on inputs/outputs or ResidualWrapper, run one fused op per layer; static_rnn does
the same for a list of same-shaped steps. Other cells (GRUCell, BasicRNNCell, LSTMCell with
peepholes/projection, user cells) run as TF1 runs them, traced once as the body of a
tf.while_loop reading steps from TensorArrays, when the number of steps is unknown; over a
static number of steps they are unrolled instead (_UNROLL_STATIC), which measured faster: a GRU
(128 units, 28 steps of 28, batch 128) Adam training step took 51 ms unrolled against 75 ms
through the loop (32 units, 10 steps, batch 32: 4.0 against 7.0 ms), the loop paying for its
per-iteration plan calls and TensorArray traffic and for keeping each step's values. Masking
by sequence_length is then applied to the fused outputs, which is exact because a step never
depends on later ones.
"""
from tfgraph.framework import dtypes, nest
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.scopes import variable_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_ops, indexing_ops, math_ops, rnn_ops
from tfgraph.ops.logging_ops import Assert
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_ops import while_loop
from tfgraph.rnn.rnn_cell_impl import (BasicLSTMCell, DropoutWrapper, LSTMCell, MultiRNNCell,
                                      ResidualWrapper, RNNCell, _concat_shape)

# dynamic_rnn over a static number of steps of a non-fused cell: unrolled (True) or
# through while_loop (False); see the module docstring for the measurement
_UNROLL_STATIC = True

_FUSED_CELLS = (BasicLSTMCell, LSTMCell)


def _check_cell(cell, fn):
    if not isinstance(cell, RNNCell):
        raise TypeError("%s: cell must be an instance of RNNCell, saw: %r" % (fn, cell))


def _static_batch(x, axis):
    d = x.shape.as_tuple()[axis] if x.shape.ndims else None
    return d if d is not None else array_ops.shape(x)[axis]


def _sequence_length(sequence_length, fn):
    sequence_length = math_ops.cast(convert_to_tensor(sequence_length), dtypes.int32)
    if sequence_length.shape.ndims not in (None, 1):
        raise ValueError("%s: sequence_length must be a vector of length batch_size, but saw "
                         "shape: %s" % (fn, sequence_length.shape))
    return array_ops.identity(sequence_length, name="sequence_length")


def _check_seq_len(sequence_length, batch_size):
    """TF1's CheckSeqLen: sequence_length must have batch_size entries (now if known)."""
    n = sequence_length.shape.as_tuple()[0] if sequence_length.shape.ndims == 1 else None
    if n is not None and isinstance(batch_size, int):
        if n != batch_size:
            raise ValueError("sequence_length has %d entries but the batch has %d sequences"
                             % (n, batch_size))
        return sequence_length
    x_shape = array_ops.shape(sequence_length)
    packed = math_ops.cast(array_ops.stack([batch_size]), dtypes.int32)  # a static batch too
    check = Assert(math_ops.reduce_all(math_ops.equal(x_shape, packed)),
                   ["Expected shape for Tensor %s is " % sequence_length.name, packed,
                    " but saw shape: ", x_shape])
    with get_default_graph().control_dependencies([check]):
        return array_ops.identity(sequence_length, name="CheckSeqLen")


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    return cell.zero_state(batch_size, dtype)


def _zero_output(cell, batch_size, dtype):
    def zeros(size):
        if isinstance(batch_size, int):
            return array_ops.zeros([batch_size, size], dtype)
        return array_ops.zeros(array_ops.stack([batch_size, size]), dtype=dtype)
    return nest.map_structure(zeros, cell.output_size)


def _step(cell, t, x, state, sequence_length, zero_output):
    """One step of the cell; with sequence_length, rows whose sequence ended before step t
    output zeros and keep their state (tf.where per row, as TF1's _rnn_step)."""
    output, new_state = cell(x, state)
    if sequence_length is None:
        return output, new_state
    done = array_ops.expand_dims(math_ops.greater_equal(t, sequence_length), 1)
    output = nest.map_structure(lambda z, o: math_ops.where(done, z, o), zero_output, output)
    new_state = nest.map_structure(lambda old, new: math_ops.where(done, old, new), state,
                                   new_state)
    return output, new_state


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """tf.nn.static_rnn: the cell over a Python list of (batch, depth) inputs, one per step.

    Returns (outputs, state): a list of outputs, and the final state (with sequence_length, each
    row's state at its last step). LSTM cells (and stacks of them) run as one fused sequence, as
    in dynamic_rnn."""
    _check_cell(cell, "static_rnn")
    if not nest.is_nested(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "rnn") as varscope:
        first = convert_to_tensor(nest.flatten(inputs[0])[0])
        batch_size = _static_batch(first, 0)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        dtype = dtype or nest.flatten(state)[0].dtype
        zero_output = None
        if sequence_length is not None:
            sequence_length = _sequence_length(sequence_length, "static_rnn")
        steps = [convert_to_tensor(x) if not nest.is_nested(x) else x for x in inputs]
        if all(isinstance(x, Tensor) and x.shape == first.shape and x.dtype is first.dtype
               for x in steps) and _can_fuse(cell, first, 2, dtype):
            # the same steps as one sequence through the fused op(s), then split again
            outputs, state = _sequence(cell, array_ops.stack(steps), state, sequence_length,
                                       len(steps))
            if sequence_length is not None:
                outputs = _mask_outputs(outputs, sequence_length, len(steps))
            return array_ops.unstack(outputs, num=len(steps)), state
        if sequence_length is not None:
            zero_output = _zero_output(cell, batch_size, dtype)
        outputs = []
        for t, x in enumerate(inputs):
            if t > 0:
                varscope.reuse_variables()
            output, state = _step(cell, t, x, state, sequence_length, zero_output)
            outputs.append(output)
        return outputs, state


def _time_major(x):
    perm = [1, 0] + list(range(2, x.shape.ndims))
    return array_ops.transpose(x, perm)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """tf.nn.dynamic_rnn: the cell over the time axis of `inputs` ((batch, time, depth), or
    (time, batch, depth) with time_major). Returns (outputs, final_state), outputs in the
    inputs' layout. The time dimension may be unknown: LSTM cells run as one fused op, other
    cells through tf.while_loop (unrolled when the number of steps is static).
    parallel_iterations and swap_memory are passed to the loop (they have no effect)."""
    _check_cell(cell, "dynamic_rnn")
    with variable_scope(scope or "rnn") as varscope:
        flat = [convert_to_tensor(x) for x in nest.flatten(inputs)]
        for x in flat:
            if x.shape.ndims is None or x.shape.ndims < 2:
                raise ValueError("dynamic_rnn: inputs must have rank >= 2 ((batch, time, ...) or "
                                 "time-major), saw shape %s for %s" % (x.shape, x.name))
        if not time_major:
            flat = [_time_major(x) for x in flat]
        steps = flat[0].shape.as_tuple()[0]
        state_dtype = dtype or (nest.flatten(initial_state)[0].dtype
                                if initial_state is not None else None)
        fused = len(flat) == 1 and state_dtype is not None and \
            _can_fuse(cell, flat[0], 3, state_dtype)
        batch_size = _static_batch(flat[0], 1)
        if sequence_length is not None:
            sequence_length = _sequence_length(sequence_length, "dynamic_rnn")
        state = _initial_state(cell, initial_state, batch_size, dtype)
        dtype = dtype or nest.flatten(state)[0].dtype
        if sequence_length is not None:
            sequence_length = _check_seq_len(sequence_length, batch_size)
        if fused:
            if steps is None:
                steps = array_ops.shape(flat[0])[0]
            outputs, state = _sequence(cell, flat[0], state, sequence_length, steps)
            if sequence_length is not None:
                outputs = _mask_outputs(outputs, sequence_length, steps)
        elif steps is None or not _UNROLL_STATIC:
            outputs, state = _while_rnn(cell, inputs, flat, state, sequence_length, batch_size,
                                        dtype, parallel_iterations or 32, swap_memory)
        else:
            outputs, state = _unrolled_rnn(cell, varscope, inputs, flat, state, sequence_length,
                                           batch_size, dtype, steps)
        if not time_major:
            outputs = nest.map_structure(_time_major, outputs)
        return outputs, state


def _unrolled_rnn(cell, varscope, inputs, flat, state, sequence_length, batch_size, dtype,
                  steps):
    """The cell unrolled over a static number of steps: (time-major outputs, final state)."""
    per_step = [array_ops.unstack(x, num=steps) for x in flat]
    zero_output = None if sequence_length is None else _zero_output(cell, batch_size, dtype)
    outs = []
    for t in range(steps):
        if t > 0:   # TF1 calls the cell once, in a while_loop: later steps share its
            varscope.reuse_variables()   # variables, even a cell's own get_variable
        x_t = nest.pack_sequence_as(inputs, [p[t] for p in per_step])
        output, state = _step(cell, t, x_t, state, sequence_length, zero_output)
        outs.append(output)
    return nest.map_structure(lambda *o: array_ops.stack(o), *outs), state


def _while_rnn(cell, inputs, flat, state, sequence_length, batch_size, dtype,
               parallel_iterations, swap_memory):
    """TF1's _dynamic_rnn_loop: the cell traced once as the body of a tf.while_loop over the
    time-major inputs' first dimension (static or not), reading each step's inputs from
    TensorArrays and writing its outputs into others. (time-major outputs, final state)."""
    time_steps = array_ops.shape(flat[0])[0]
    static_steps = flat[0].shape.as_tuple()[0]
    in_tas = [TensorArray(x.dtype, size=time_steps, element_shape=x.shape[1:],
                          tensor_array_name="input_%d" % k).unstack(x)
              for k, x in enumerate(flat)]
    zero_output = None if sequence_length is None else _zero_output(cell, batch_size, dtype)
    static_batch = batch_size if isinstance(batch_size, int) else None
    sizes = nest.flatten(cell.output_size)
    out_tas = [TensorArray(dtype, size=time_steps,
                           element_shape=_concat_shape(static_batch, size),
                           tensor_array_name="output_%d" % k)
               for k, size in enumerate(sizes)]
    time = convert_to_tensor(0, dtype=dtypes.int32, name="time")

    def body(t, tas, state):
        x_t = nest.pack_sequence_as(inputs, [ta.read(t) for ta in in_tas])
        output, new_state = _step(cell, t, x_t, state, sequence_length, zero_output)
        flat_out = nest.flatten(output)
        if len(flat_out) != len(tas):
            raise ValueError("dynamic_rnn: the cell returned %d outputs but its output_size %r "
                             "names %d" % (len(flat_out), cell.output_size, len(tas)))
        tas = [ta.write(t, o) for ta, o in zip(tas, flat_out)]
        return t + 1, tas, new_state

    _, out_tas, state = while_loop(lambda t, *_: t < time_steps, body, [time, out_tas, state],
                                   parallel_iterations=parallel_iterations,
                                   swap_memory=swap_memory, maximum_iterations=time_steps)
    outputs = []
    for ta, size in zip(out_tas, sizes):
        out = ta.stack()
        out.set_shape(_concat_shape(static_steps, _concat_shape(static_batch, size)))
        outputs.append(out)
    return nest.pack_sequence_as(cell.output_size, outputs), state


def _can_fuse(cell, x, rank, dtype):
    """Whether dynamic_rnn (x: the inputs, rank 3) or static_rnn (x: one step, rank 2) can run
    the sequence fused."""
    return x.shape.ndims == rank and x.dtype in (dtypes.float32, dtypes.float64) and \
        dtypes.as_dtype(dtype) is x.dtype and _fusable(cell)


def _fusable(cell):
    """Whether whole sequences can run through `cell` layer by layer: LSTMs the fused op runs,
    stacked (MultiRNNCell) or wrapped in dropout on inputs/outputs only or a plain residual."""
    kind = type(cell)
    if kind in _FUSED_CELLS:
        return cell._fusable()
    if kind is DropoutWrapper:
        return not cell._should_dropout(cell._state_keep_prob) and _fusable(cell.wrapped_cell)
    if kind is ResidualWrapper:
        return cell._residual_fn is None and _fusable(cell.wrapped_cell)
    if kind is MultiRNNCell:
        return cell._state_is_tuple and all(_fusable(c) for c in cell._cells)
    return False


def _sequence(cell, x, state, sequence_length, steps):
    """(outputs, final_state) of a _fusable cell over time-major x, outputs not yet masked.

    Running a stack layer by layer equals running it step by step: a layer's step t reads only
    the layer below's step t. Dropout on a step's inputs or outputs does not feed back either,
    so it applies to the whole sequence at once (fresh noise for every element, as per step)."""
    kind = type(cell)
    if kind in _FUSED_CELLS:
        return _fused_lstm(cell, x, state, sequence_length, steps)
    if kind is DropoutWrapper:
        if cell._should_dropout(cell._input_keep_prob):
            x = cell._dropout(x, 0, cell._input_keep_prob)
        outputs, state = _sequence(cell.wrapped_cell, x, state, sequence_length, steps)
        if cell._should_dropout(cell._output_keep_prob):
            outputs = cell._dropout(outputs, 2, cell._output_keep_prob)
        return outputs, state
    if kind is ResidualWrapper:
        outputs, state = _sequence(cell.wrapped_cell, x, state, sequence_length, steps)
        return x + outputs, state
    new_states = []
    with cell._cell_scope(x):                     # MultiRNNCell: 'multi_rnn_cell/cell_i/...'
        for i, sub in enumerate(cell._cells):
            with variable_scope("cell_%d" % i):
                x, sub_state = _sequence(sub, x, state[i], sequence_length, steps)
            new_states.append(sub_state)
    return x, tuple(new_states)


def _fused_lstm(cell, x, state, sequence_length, steps):
    """All steps of a TF1 LSTM cell in one LSTMSequence op: (outputs, final_state), the
    outputs unmasked."""
    depth = x.shape.as_tuple()[2]
    if depth is None:
        raise ValueError("dynamic_rnn: the inputs' last dimension must be known, saw %s" % x.shape)
    with cell._cell_scope(x):
        kernel, recurrent, bias = cell._fused_weights(depth)
        c0, h0 = cell._split_state(state)
        c0, h0 = convert_to_tensor(c0), convert_to_tensor(h0)
        hs, cs, _, _ = rnn_ops.lstm_sequence(x, kernel, recurrent, bias, h0, c0)
        if sequence_length is None:
            return hs, cell._join_state(cs[-1], hs[-1])
        # each row's state at its last step (its initial state for length 0)
        batch = array_ops.shape(sequence_length)[0]
        last = array_ops.stack([math_ops.maximum(sequence_length - 1, 0),
                                array_ops.range(batch)], axis=1)
        empty = array_ops.expand_dims(math_ops.equal(sequence_length, 0), 1)
        c = math_ops.where(empty, c0, indexing_ops.gather_nd(cs, last))
        h = math_ops.where(empty, h0, indexing_ops.gather_nd(hs, last))
        return hs, cell._join_state(c, h)


def _mask_outputs(outputs, sequence_length, steps):
    """Zeros past each sequence's end, in time-major outputs (+0.0, as TF's select gives)."""
    live = array_ops.transpose(array_ops.sequence_mask(sequence_length, steps))   # (time, batch)
    return math_ops.where(array_ops.expand_dims(live, 2), outputs, array_ops.zeros_like(outputs))


def _reverse(x, lengths, seq_axis, batch_axis):
    if lengths is None:
        return array_ops.reverse(x, axis=[seq_axis])
    return indexing_ops.reverse_sequence(x, lengths, seq_axis=seq_axis, batch_axis=batch_axis)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """tf.nn.bidirectional_dynamic_rnn: ((output_fw, output_bw), (state_fw, state_bw)); the
    backward cell runs over each sequence reversed within its length, and its outputs are
    reversed back."""
    _check_cell(cell_fw, "bidirectional_dynamic_rnn")
    _check_cell(cell_bw, "bidirectional_dynamic_rnn")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw,
                                              dtype, time_major=time_major, scope=fw_scope)
        seq_axis, batch_axis = (0, 1) if time_major else (1, 0)
        if sequence_length is not None:
            sequence_length = math_ops.cast(convert_to_tensor(sequence_length), dtypes.int64)

        def rev(x):
            return _reverse(x, sequence_length, seq_axis, batch_axis)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = nest.map_structure(rev, inputs)
            tmp, state_bw = dynamic_rnn(cell_bw, reversed_inputs, sequence_length,
                                        initial_state_bw, dtype, time_major=time_major,
                                        scope=bw_scope)
        output_bw = nest.map_structure(rev, tmp)
        return (output_fw, output_bw), (state_fw, state_bw)


def _reverse_seq(seq, lengths):
    if lengths is None:
        return list(reversed(seq))
    flat = [nest.flatten(x) for x in seq]
    out = []
    for parts in zip(*flat):
        stacked = array_ops.stack(list(parts))
        rev = indexing_ops.reverse_sequence(stacked, math_ops.cast(lengths, dtypes.int64),
                                            seq_axis=0, batch_axis=1)
        out.append(array_ops.unstack(rev, num=len(seq)))
    return [nest.pack_sequence_as(seq[0], [o[t] for o in out]) for t in range(len(seq))]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None, scope=None):
    """tf.nn.static_bidirectional_rnn: (outputs, state_fw, state_bw), each output the forward
    and backward outputs of that step concatenated."""
    _check_cell(cell_fw, "static_bidirectional_rnn")
    _check_cell(cell_bw, "static_bidirectional_rnn")
    if not nest.is_nested(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                             sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype,
                                       sequence_length, scope=bw_scope)
        output_bw = _reverse_seq(tmp, sequence_length)
        outputs = [nest.pack_sequence_as(fw, [array_ops.concat([a, b], 1) for a, b in
                                              zip(nest.flatten(fw), nest.flatten(bw))])
                   for fw, bw in zip(output_fw, output_bw)]
        return outputs, state_fw, state_bw


__all__ = ["static_rnn", "dynamic_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]
