"""tf.nn.rnn_cell (TF1): RNN cells with TF1's variable names, weight layouts and gate orders, so
TF1 checkpoints restore by name.

    cell = tf.nn.rnn_cell.BasicLSTMCell(128)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    # variables rnn/basic_lstm_cell/kernel (input + 128, 512), rnn/basic_lstm_cell/bias (512,)

A cell takes its variable scope on its first call, as a TF1 layer does: `default_name` its class
name in snake case ('basic_lstm_cell', made unique in the enclosing scope), or `scope=`/`name=`;
later calls reuse that scope's variables. The LSTM kernels hold [inputs, h] @ kernel with the
gate blocks in TF1's order i, j, f, o (j the candidate), `forget_bias` added to f at run time;
GRUCell's are 'gates/kernel' (r, u) and 'candidate/kernel' with the reset gate applied before the
recurrent matmul (TF1's GRU). Wrappers (Dropout, Residual) open no scope of their own;
MultiRNNCell puts cell i under 'multi_rnn_cell/cell_i'.
"""
import collections
import contextlib
import re

from tfgraph.framework import dtypes, nest, tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import constant_value, convert_to_tensor
from tfgraph.framework.scopes import variable_scope
from tfgraph.variable_store import get_variable
from tfgraph.framework.tensor import Tensor
from tfgraph.initializers import constant_initializer, zeros_initializer
from tfgraph.ops import array_ops, indexing_ops, math_ops, nn_impl, nn_ops


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM state: (c, h), the cell state and the output (TF1's field order)."""
    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError("Inconsistent internal state: %s vs %s" % (c.dtype, h.dtype))
        return c.dtype


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return "private" + s if s.startswith("_") else s   # TF's rule for private classes


def _concat_shape(prefix, suffix):
    return [prefix] + (list(suffix) if isinstance(suffix, (list, tuple)) else [suffix])


class RNNCell:
    """Base of the TF1 RNN cells: `output, new_state = cell(inputs, state)`.

    Subclasses define `state_size`, `output_size`, `build(inputs_shape)` (variables, made with
    `add_variable` inside the cell's scope on the first call) and `call(inputs, state)`.
    """

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None):
        self._name = name
        self._base_name = name or _snake(type(self).__name__)
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._reuse = _reuse
        self._trainable = trainable
        self._scope = None
        self.built = False
        self._variables = []

    @property
    def state_size(self):
        raise NotImplementedError("%s must define state_size" % type(self).__name__)

    @property
    def output_size(self):
        raise NotImplementedError("%s must define output_size" % type(self).__name__)

    @property
    def name(self):
        return self._scope.name.split("/")[-1] if self._scope is not None else self._base_name

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        return list(self._variables)

    weights = variables
    trainable_variables = trainable_weights = variables

    def build(self, inputs_shape):
        self.built = True

    def call(self, inputs, state):
        raise NotImplementedError("%s must define call(inputs, state)" % type(self).__name__)

    def add_variable(self, name, shape, dtype=None, initializer=None, trainable=None):
        v = get_variable(name, shape=shape, dtype=dtype or self._dtype, initializer=initializer,
                         trainable=self._trainable if trainable is None else trainable)
        self._variables.append(v)
        return v

    add_weight = add_variable

    def __call__(self, inputs, state, scope=None):
        """Runs one step: (output, new_state). The first call makes the cell's variables."""
        with self._cell_scope(inputs, scope):
            return self.call(inputs, state)

    @contextlib.contextmanager
    def _cell_scope(self, inputs, scope=None):
        """The cell's variable scope, taken on first use (with the variables built for `inputs`),
        re-entered with reuse and the same name scope afterwards."""
        if self._scope is None:
            if self._reuse:   # TF1 layers: a reusing cell names its scope, no default_name
                ctx = variable_scope(scope if scope is not None else self._base_name,
                                     reuse=self._reuse)
            else:
                ctx = variable_scope(scope, default_name=self._base_name)
            with ctx as captured:
                self._scope = captured
                self._maybe_build(inputs)
                yield
            return
        with variable_scope(self._scope, reuse=True, auxiliary_name_scope=False), \
                get_default_graph().name_scope(self._scope.original_name_scope):
            yield

    def _maybe_build(self, inputs):
        first = convert_to_tensor(nest.flatten(inputs)[0])
        if self._dtype is None:
            self._dtype = first.dtype
        if not self.built:
            self.build(first.shape)
            self.built = True

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = convert_to_tensor(inputs)
            batch_size = inputs.shape.as_tuple()[0] or array_ops.shape(inputs)[0]
            dtype = dtype or inputs.dtype
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zeros in the nesting of `state_size`, each (batch_size, size)."""
        graph = get_default_graph()
        with graph.name_scope(type(self).__name__ + "ZeroState"):
            static = batch_size if isinstance(batch_size, int) else (
                None if constant_value(convert_to_tensor(batch_size)) is None
                else int(constant_value(convert_to_tensor(batch_size))))

            def zeros(size):
                if static is not None:
                    return array_ops.zeros(_concat_shape(static, size), dtype=dtype)
                shape = array_ops.stack(_concat_shape(batch_size, size))
                z = array_ops.zeros(shape, dtype=dtype)
                z.set_shape(_concat_shape(None, size))
                return z
            return nest.map_structure(zeros, self.state_size)


LayerRNNCell = RNNCell


def _input_depth(inputs_shape, cell):
    shape = tensor_shape.as_shape(inputs_shape)
    depth = shape.as_tuple()[-1] if shape.ndims else None
    if depth is None:
        raise ValueError("%s: expected inputs.shape[-1] to be known, saw shape: %s"
                         % (type(cell).__name__, shape))
    return depth


def _activation(activation):
    if activation is None:
        return math_ops.tanh
    if isinstance(activation, str):
        table = {"tanh": math_ops.tanh, "sigmoid": math_ops.sigmoid, "relu": nn_ops.relu}
        if activation not in table:
            raise ValueError("Unknown activation %r; use a function" % activation)
        return table[activation]
    return activation


class BasicRNNCell(RNNCell):
    """h = activation([inputs, h] @ kernel + bias); variables 'kernel' (in + units, units) and
    'bias' (units,), zeros."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        self._kernel = self.add_variable("kernel", [depth + self._num_units, self._num_units])
        self._bias = self.add_variable("bias", [self._num_units],
                                       initializer=zeros_initializer())
        self.built = True

    def call(self, inputs, state):
        output = self._activation(_gates(inputs, state, self._kernel, self._bias))
        return output, output


def _gates(x, h, kernel, bias):
    return nn_ops.bias_add(math_ops.matmul(array_ops.concat([x, h], 1), kernel), bias)


class GRUCell(RNNCell):
    """TF1's GRU (Cho et al. 2014): r, u = sigmoid([x, h] @ gates/kernel + gates/bias);
    c = activation([x, r * h] @ candidate/kernel + candidate/bias); h' = u * h + (1 - u) * c.
    gates/bias starts at 1.0 (unless bias_initializer), candidate/bias at 0."""

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        u = self._num_units
        self._gate_kernel = self.add_variable("gates/kernel", [depth + u, 2 * u],
                                              initializer=self._kernel_initializer)
        self._gate_bias = self.add_variable(
            "gates/bias", [2 * u], initializer=self._bias_initializer or constant_initializer(1.0))
        self._candidate_kernel = self.add_variable("candidate/kernel", [depth + u, u],
                                                   initializer=self._kernel_initializer)
        self._candidate_bias = self.add_variable(
            "candidate/bias", [u], initializer=self._bias_initializer or zeros_initializer())
        self.built = True

    def call(self, inputs, state):
        value = math_ops.sigmoid(_gates(inputs, state, self._gate_kernel, self._gate_bias))
        r, u = array_ops.split(value, 2, axis=1)
        c = self._activation(_gates(inputs, r * state, self._candidate_kernel,
                                    self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class BasicLSTMCell(RNNCell):
    """TF1's basic LSTM: [x, h] @ kernel + bias split into i, j, f, o;
    c' = c * sigmoid(f + forget_bias) + sigmoid(i) * activation(j), h' = activation(c') *
    sigmoid(o). State LSTMStateTuple(c, h) (or [c, h] concatenated if not state_is_tuple)."""

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)
        self._plain_tanh = activation is None or activation is math_ops.tanh or \
            activation == "tanh"

    @property
    def state_size(self):
        u = self._num_units
        return LSTMStateTuple(u, u) if self._state_is_tuple else 2 * u

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        u = self._num_units
        self._kernel = self.add_variable("kernel", [depth + u, 4 * u])
        self._bias = self.add_variable("bias", [4 * u], initializer=zeros_initializer())
        self.built = True

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        return array_ops.split(state, 2, axis=1)

    def _join_state(self, c, h):
        return LSTMStateTuple(c, h) if self._state_is_tuple else array_ops.concat([c, h], 1)

    def call(self, inputs, state):
        c, h = self._split_state(state)
        i, j, f, o = array_ops.split(_gates(inputs, h, self._kernel, self._bias), 4, axis=1)
        fb = convert_to_tensor(self._forget_bias, dtype=f.dtype)
        new_c = c * math_ops.sigmoid(f + fb) + math_ops.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * math_ops.sigmoid(o)
        return new_h, self._join_state(new_c, new_h)

    # -- the fused path of dynamic_rnn (tfgraph/ops/rnn.py) -------------------------------------
    def _fusable(self):
        return self._plain_tanh

    def _fused_weights(self, depth):
        """(kernel, recurrent_kernel, bias) for rnn_ops.lstm_sequence: TF1's [x, h] kernel split
        into its input and recurrent rows, gate blocks reordered i, j, f, o -> i, f, j, o (Keras's
        order, the fused op's) and forget_bias folded into the f block of the bias."""
        kernel, bias = self._kernel, self._bias
        i, j, f, o = array_ops.split(kernel, 4, axis=1)
        k = array_ops.concat([i, f, j, o], axis=1)
        wx, wh = array_ops.split(k, [depth, self._num_units], axis=0)
        bi, bj, bf, bo = array_ops.split(bias, 4, axis=0)
        bf = bf + convert_to_tensor(self._forget_bias, dtype=bf.dtype)
        return wx, wh, array_ops.concat([bi, bf, bj, bo], axis=0)


class LSTMCell(BasicLSTMCell):
    """TF1's LSTMCell: BasicLSTMCell plus optional peepholes (w_f_diag, w_i_diag, w_o_diag),
    cell clipping, and a projection of the output (projection/kernel, num_proj units, optionally
    clipped by proj_clip). Variables are 'kernel' (in + num_proj or units, 4 units), 'bias'."""

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(num_units, forget_bias=forget_bias, state_is_tuple=state_is_tuple,
                         activation=activation, reuse=reuse, name=name, dtype=dtype, **kwargs)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise ValueError("LSTMCell: num_unit_shards and num_proj_shards are deprecated in TF1 "
                             "and not supported; leave them None")
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip

    @property
    def state_size(self):
        u, p = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(u, p) if self._state_is_tuple else u + p

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        u, h_depth = self._num_units, self._num_proj or self._num_units
        self._kernel = self.add_variable("kernel", [depth + h_depth, 4 * u],
                                         initializer=self._initializer)
        self._bias = self.add_variable("bias", [4 * u], initializer=zeros_initializer())
        if self._use_peepholes:
            self._w_f_diag = self.add_variable("w_f_diag", [u], initializer=self._initializer)
            self._w_i_diag = self.add_variable("w_i_diag", [u], initializer=self._initializer)
            self._w_o_diag = self.add_variable("w_o_diag", [u], initializer=self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_variable("projection/kernel", [u, self._num_proj],
                                                  initializer=self._initializer)
        self.built = True

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        return array_ops.split(state, [self._num_units, self._num_proj or self._num_units],
                               axis=1)

    def call(self, inputs, state):
        c_prev, m_prev = self._split_state(state)
        i, j, f, o = array_ops.split(_gates(inputs, m_prev, self._kernel, self._bias), 4, axis=1)
        fb = convert_to_tensor(self._forget_bias, dtype=f.dtype)
        sig, act = math_ops.sigmoid, self._activation
        if self._use_peepholes:
            c = sig(f + fb + self._w_f_diag * c_prev) * c_prev + \
                sig(i + self._w_i_diag * c_prev) * act(j)
        else:
            c = sig(f + fb) * c_prev + sig(i) * act(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        m = sig(o + self._w_o_diag * c) * act(c) if self._use_peepholes else sig(o) * act(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, self._join_state(c, m)

    def _fusable(self):
        return self._plain_tanh and not self._use_peepholes and self._num_proj is None and \
            self._cell_clip is None


class MultiRNNCell(RNNCell):
    """Cells stacked: cell i's output is cell i+1's input, under scopes 'cell_0', 'cell_1', ...;
    the state is the tuple of the cells' states (concatenated if not state_is_tuple)."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not nest.is_nested(cells):
            raise TypeError("cells must be a list or tuple, but saw: %s." % (cells,))
        if len(set(id(c) for c in cells)) < len(cells):
            import warnings
            warnings.warn("At least two cells provided to MultiRNNCell are the same object and "
                          "will share weights.", stacklevel=2)
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(nest.is_nested(c.state_size) for c in self._cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple is "
                             "not set.  State sizes are: %s" % [c.state_size for c in self._cells])

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(c.state_size for c in self._cells)
        return sum(c.state_size for c in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    @property
    def variables(self):
        return [v for c in self._cells for v in c.variables]

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(c.zero_state(batch_size, dtype) for c in self._cells)
            return super().zero_state(batch_size, dtype)

    def _maybe_build(self, inputs):
        pass   # the cells build themselves, each in its 'cell_i' scope

    def call(self, inputs, state):
        cur, new_states, start = inputs, [], 0
        for i, cell in enumerate(self._cells):
            with variable_scope("cell_%d" % i):
                if self._state_is_tuple:
                    if not nest.is_nested(state):
                        raise ValueError("Expected state to be a tuple of length %d, but received: "
                                         "%s" % (len(self.state_size), state))
                    cur_state = state[i]
                else:
                    size = cell.state_size
                    cur_state = indexing_ops.slice(state, [0, start], [-1, size])
                    start += size
                cur, new_state = cell(cur, cur_state)
                new_states.append(new_state)
        if self._state_is_tuple:
            return cur, tuple(new_states)
        return cur, array_ops.concat(new_states, 1)


class _Wrapper(RNNCell):
    """A cell around another: no variable scope of its own (the wrapped cell's names stay)."""

    def __init__(self, cell):
        super().__init__()
        if not isinstance(cell, RNNCell):
            raise TypeError("The parameter cell is not a RNNCell.")
        self._cell = cell

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    @property
    def variables(self):
        return self._cell.variables

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self.call(inputs, state, scope)


def _float_keep(p):
    return p if isinstance(p, Tensor) else float(p)


class DropoutWrapper(_Wrapper):
    """Dropout on the cell's inputs, outputs and (new) state, each with its keep probability (a
    float or a scalar tensor; 1.0 adds no op). State dropout leaves an LSTM's c alone (TF1's
    default dropout_state_filter_visitor)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__(cell)
        if variational_recurrent:
            raise ValueError("DropoutWrapper: variational_recurrent=True is not supported by "
                             "tfgraph; use variational_recurrent=False")
        for name, p in (("input_keep_prob", input_keep_prob),
                        ("output_keep_prob", output_keep_prob),
                        ("state_keep_prob", state_keep_prob)):
            if not isinstance(p, Tensor) and not 0.0 < float(p) <= 1.0:
                raise ValueError("Parameter %s must be between 0 and 1: %s" % (name, p))
        self._input_keep_prob = _float_keep(input_keep_prob)
        self._output_keep_prob = _float_keep(output_keep_prob)
        self._state_keep_prob = _float_keep(state_keep_prob)
        self._seed = seed
        self._state_filter = dropout_state_filter_visitor or _default_state_filter

    @staticmethod
    def _should_dropout(p):
        return isinstance(p, Tensor) or p < 1

    def _dropout(self, values, salt, keep_prob, filter_fn=None):
        seed = None if self._seed is None else self._seed + salt

        def drop(v, do=True):
            return nn_impl.dropout(v, keep_prob=keep_prob, seed=seed) if do else v
        if filter_fn is None:
            return nest.map_structure(drop, values)
        if isinstance(values, LSTMStateTuple):
            keep = filter_fn(values)
            return LSTMStateTuple(*(drop(v, k) for v, k in zip(values, keep)))
        if isinstance(values, tuple) and not hasattr(values, "_fields"):
            return tuple(self._dropout(v, salt, keep_prob, filter_fn) for v in values)
        return drop(values, filter_fn(values))

    def call(self, inputs, state, scope=None):
        if self._should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, 0, self._input_keep_prob)
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._should_dropout(self._state_keep_prob):
            new_state = self._dropout(new_state, 1, self._state_keep_prob, self._state_filter)
        if self._should_dropout(self._output_keep_prob):
            output = self._dropout(output, 2, self._output_keep_prob)
        return output, new_state


def _default_state_filter(substate):
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


class ResidualWrapper(_Wrapper):
    """output = residual_fn(inputs, cell_output) (default inputs + cell_output); state as the
    cell's."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn

    def call(self, inputs, state, scope=None):
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, output), new_state
        return nest.map_structure(lambda i, o: i + o, inputs, output), new_state


class DeviceWrapper(_Wrapper):
    """Runs the cell's ops under tf.device(device) (recorded on the ops; tfgraph runs on the
    CPU)."""

    def __init__(self, cell, device):
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with get_default_graph().device(self._device):
            return super().zero_state(batch_size, dtype)

    def call(self, inputs, state, scope=None):
        with get_default_graph().device(self._device):
            return self._cell(inputs, state, scope=scope)


__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
           "MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple"]
