"""TF1 recurrent-network cases written once against the TF1 API (`tf` is tf.compat.v1 or tfgraph).

make_rnn_cells.py runs them on TensorFlow and records tests/data/tf_rnn_cells.npz; the tfgraph
test runs the same code and compares variable names and shapes, outputs, final states and the
gradients of a fixed weighted sum of them with respect to every variable and the inputs. Weights
are set by assign from numpy arrays seeded by the variable's name, so both engines use the same.
"""
import zlib

import numpy as np

B, T, D = 4, 5, 3
SEQ_LEN = [5, 3, 0, 1]


def _x(tf, dtype="float32", time_major=False):
    shape = [T, B, D] if time_major else [B, T, D]
    return tf.placeholder(dtype, shape, name="x")


def _steps(tf, x):
    return [x[:, t] for t in range(T)]


def basic_rnn_static(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.BasicRNNCell(6)
    outs, state = tf.nn.static_rnn(cell, _steps(tf, x), dtype=tf.float32)
    return x, [outs, state]


def basic_lstm_static_seq(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.BasicLSTMCell(5)
    outs, state = tf.nn.static_rnn(cell, _steps(tf, x), dtype=tf.float32, sequence_length=SEQ_LEN)
    return x, [outs, state]


def basic_lstm_dynamic(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.BasicLSTMCell(5, forget_bias=0.5)
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return x, [outs, state]


def basic_lstm_dynamic_seq(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.BasicLSTMCell(5)
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, sequence_length=SEQ_LEN)
    return x, [outs, state]


def basic_lstm_concat_state_time_major(tf):
    x = _x(tf, time_major=True)
    cell = tf.nn.rnn_cell.BasicLSTMCell(4, state_is_tuple=False)
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, time_major=True,
                                    sequence_length=tf.constant(SEQ_LEN, dtype=tf.int64))
    return x, [outs, state]


def lstm_peephole_proj_clip(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.LSTMCell(6, use_peepholes=True, cell_clip=0.4, num_proj=3,
                                   proj_clip=0.3, forget_bias=0.7)
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, sequence_length=SEQ_LEN)
    return x, [outs, state]


def lstm_initial_state(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.LSTMCell(4)
    c0 = tf.constant(np.linspace(-1, 1, B * 4).reshape(B, 4).astype(np.float32))
    h0 = tf.constant(np.linspace(0.5, -0.5, B * 4).reshape(B, 4).astype(np.float32))
    state0 = tf.nn.rnn_cell.LSTMStateTuple(c0, h0)
    outs, state = tf.nn.dynamic_rnn(cell, x, initial_state=state0, sequence_length=SEQ_LEN)
    return x, [outs, state]


def lstm_float64(tf):
    x = _x(tf, "float64")
    cell = tf.nn.rnn_cell.BasicLSTMCell(3)
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64, sequence_length=SEQ_LEN)
    return x, [outs, state]


def gru_dynamic_seq(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.GRUCell(5)
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, sequence_length=SEQ_LEN)
    return x, [outs, state]


def multi_cell(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4),
                                        tf.nn.rnn_cell.GRUCell(3),
                                        tf.nn.rnn_cell.BasicRNNCell(2)])
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return x, [outs, state]


def multi_cell_concat_state(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.GRUCell(2)],
                                       state_is_tuple=False)
    outs, state = tf.nn.static_rnn(cell, _steps(tf, x), dtype=tf.float32)
    return x, [outs, state]


def wrappers(tf):
    x = _x(tf)
    inner = tf.nn.rnn_cell.BasicLSTMCell(3)
    cell = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.DropoutWrapper(inner))
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return x, [outs, state]


def multi_lstm_fused_seq(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.MultiRNNCell([
        tf.nn.rnn_cell.BasicLSTMCell(4),
        tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.LSTMCell(4, forget_bias=0.2)),
        tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False),
                                      input_keep_prob=1.0, output_keep_prob=1.0)])
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, sequence_length=SEQ_LEN)
    return x, [outs, state]


def bidirectional_dynamic(tf):
    x = _x(tf)
    outs, states = tf.nn.bidirectional_dynamic_rnn(
        tf.nn.rnn_cell.BasicLSTMCell(4), tf.nn.rnn_cell.GRUCell(3), x, dtype=tf.float32,
        sequence_length=SEQ_LEN)
    return x, [outs, states]


def bidirectional_static(tf):
    x = _x(tf)
    outs, fw, bw = tf.nn.static_bidirectional_rnn(
        tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.BasicLSTMCell(2), _steps(tf, x),
        dtype=tf.float32, sequence_length=SEQ_LEN)
    return x, [outs, fw, bw]


def gru_unknown_time(tf):
    # an unknown number of steps: TensorFlow's and tfgraph's while_loop; reshaped to be static
    x = tf.placeholder(tf.float32, [B, None, D], name="x")
    outs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(5), x, dtype=tf.float32,
                                    sequence_length=SEQ_LEN)
    return x, [tf.reshape(outs, [B, T, 5]), state]


def multi_unknown_time_major(tf):
    x = tf.placeholder(tf.float32, [None, B, D], name="x")
    cell = tf.nn.rnn_cell.MultiRNNCell([
        tf.nn.rnn_cell.BasicRNNCell(3),
        tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=2, cell_clip=0.5)])
    outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, time_major=True,
                                    sequence_length=SEQ_LEN)
    return x, [tf.reshape(outs, [T, B, 2]), state]


def cell_called_directly(tf):
    x = _x(tf)
    cell = tf.nn.rnn_cell.BasicLSTMCell(3)
    state = cell.zero_state(B, tf.float32)
    out1, state = cell(x[:, 0], state)
    out2, state = cell(x[:, 1], state)
    gru = tf.nn.rnn_cell.GRUCell(2, name="my_gru")
    out3, _ = gru(x[:, 2], gru.zero_state(B, tf.float32), scope="custom")
    return x, [out1, out2, state, out3]


CASES = {f.__name__: f for f in (
    basic_rnn_static, basic_lstm_static_seq, basic_lstm_dynamic, basic_lstm_dynamic_seq,
    basic_lstm_concat_state_time_major, lstm_peephole_proj_clip, lstm_initial_state,
    lstm_float64, gru_dynamic_seq, multi_cell, multi_cell_concat_state, wrappers,
    multi_lstm_fused_seq, gru_unknown_time, multi_unknown_time_major,
    bidirectional_dynamic, bidirectional_static, cell_called_directly)}


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flatten(item)]
    return [x]


def weights_for(name, shape, dtype):
    rng = np.random.RandomState(zlib.crc32(name.encode()))
    return rng.uniform(-0.6, 0.6, shape).astype(dtype)


def run_case(tf, name):
    """{'variables': [(name, shape)], 'values': [arrays], 'grads': {name: array}} for one case."""
    g = tf.Graph()
    with g.as_default():
        x, results = CASES[name](tf)
        flat = _flatten(results)
        dtype = x.dtype.as_numpy_dtype
        loss = 0
        for i, t in enumerate(flat):
            w = np.random.RandomState(100 + i).uniform(-1, 1, t.shape.as_list()).astype(dtype)
            loss = loss + tf.reduce_sum(t * tf.constant(w))
        variables = sorted(tf.global_variables(), key=lambda v: v.name)
        grads = tf.gradients(loss, variables + [x])
        assigns = [tf.assign(v, weights_for(v.op.name, v.shape.as_list(), dtype))
                   for v in variables]
        x_shape = [T if d is None else d for d in x.shape.as_list()]   # an unknown time axis
        feed = {x: np.random.RandomState(0).normal(0, 1, x_shape).astype(dtype)}
        with tf.Session() as sess:
            sess.run(assigns)
            values, grad_values = sess.run([flat, grads], feed)
        return {"variables": [(v.op.name, v.shape.as_list()) for v in variables],
                "values": values,
                "grads": dict(zip([v.op.name for v in variables] + ["input"], grad_values))}
