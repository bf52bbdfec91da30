"""tf.nn.rnn_cell cells and static/dynamic/bidirectional rnn against TensorFlow's recorded values
(tests/data/tf_rnn_cells.npz from tests/reference/make_rnn_cells.py over rnn_cases.py), numpy
references and the numeric gradient checker."""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import rnn_cases  # noqa: E402

DATA = os.path.join(HERE, "..", "..", "data")
REF = np.load(os.path.join(DATA, "tf_rnn_cells.npz"))
with open(os.path.join(DATA, "tf_rnn_cells.json")) as _f:
    META = json.load(_f)["cases"]


@pytest.mark.parametrize("name", sorted(rnn_cases.CASES))
def test_matches_tensorflow(name):
    got = rnn_cases.run_case(tf, name)
    meta = META[name]
    assert [[n, s] for n, s in got["variables"]] == meta["variables"]   # TF1's names and shapes
    assert len(got["values"]) == meta["n_values"]
    tol = 1e-10 if name == "lstm_float64" else 2e-5
    for i, v in enumerate(got["values"]):
        np.testing.assert_allclose(v, REF["%s/value/%d" % (name, i)], rtol=tol, atol=tol,
                                   err_msg="value %d" % i)
    assert sorted(got["grads"]) == meta["grads"]
    for k, v in got["grads"].items():
        np.testing.assert_allclose(v, REF["%s/grad/%s" % (name, k)], rtol=tol, atol=tol * 5,
                                   err_msg="gradient of %s" % k)


# -- numpy references ----------------------------------------------------------------------------
def _sig(x):
    return 1 / (1 + np.exp(-x))


def _np_basic_lstm(x, kernel, bias, seq_len, forget_bias=1.0):
    """TF1 BasicLSTMCell over batch-major x with masking: (outputs, c, h)."""
    b, t, _ = x.shape
    u = bias.shape[0] // 4
    c, h = np.zeros((b, u)), np.zeros((b, u))
    outs = np.zeros((b, t, u))
    for k in range(t):
        z = np.concatenate([x[:, k], h], 1) @ kernel + bias
        i, j, f, o = np.split(z, 4, axis=1)
        nc = c * _sig(f + forget_bias) + _sig(i) * np.tanh(j)
        nh = np.tanh(nc) * _sig(o)
        live = (k < np.asarray(seq_len))[:, None]
        c, h = np.where(live, nc, c), np.where(live, nh, h)
        outs[:, k] = np.where(live, nh, 0)
    return outs, c, h


def _np_gru(x, gk, gb, ck, cb):
    b, t, _ = x.shape
    u = cb.shape[0]
    h = np.zeros((b, u))
    outs = []
    for k in range(t):
        r, z = np.split(_sig(np.concatenate([x[:, k], h], 1) @ gk + gb), 2, axis=1)
        cand = np.tanh(np.concatenate([x[:, k], r * h], 1) @ ck + cb)
        h = z * h + (1 - z) * cand
        outs.append(h)
    return np.stack(outs, 1), h


def _init(sess):
    sess.run(tf.global_variables_initializer())
    return {v.op.name: sess.run(v) for v in tf.global_variables()}


class _StepByStep(tf.nn.rnn_cell.RNNCell):
    """Passes calls through to a cell: dynamic_rnn cannot fuse it, so it runs step by step."""

    def __init__(self, cell):
        super().__init__()
        self._cell = cell

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def __call__(self, inputs, state, scope=None):
        return self._cell(inputs, state, scope=scope)


@pytest.mark.parametrize("wrap", [False, True])
def test_basic_lstm_dynamic_rnn_matches_numpy(wrap):
    # wrap=False runs the fused LSTMSequence op; the wrapper forces the unrolled cell steps
    rng = np.random.RandomState(3)
    x_val = rng.randn(3, 6, 4)
    seq = [6, 2, 0]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 6, 4])
        cell = tf.nn.rnn_cell.BasicLSTMCell(5, forget_bias=0.3)
        outer = _StepByStep(cell) if wrap else cell
        outs, state = tf.nn.dynamic_rnn(outer, x, sequence_length=seq, dtype=tf.float64)
        ops = {op.type for op in tf.get_default_graph().get_operations()}
        assert ("LSTMSequence" in ops) != wrap
        with tf.Session() as sess:
            w = _init(sess)
            got = sess.run([outs, state.c, state.h], {x: x_val})
    want = _np_basic_lstm(x_val, w["rnn/basic_lstm_cell/kernel"], w["rnn/basic_lstm_cell/bias"],
                          seq, forget_bias=0.3)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_gru_matches_numpy():
    x_val = np.random.RandomState(4).randn(2, 4, 3)
    with tf.Graph().as_default():
        x = tf.constant(x_val)
        outs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), x, dtype=tf.float64)
        with tf.Session() as sess:
            w = _init(sess)
            got = sess.run([outs, state])
    p = "rnn/gru_cell/"
    want = _np_gru(x_val, w[p + "gates/kernel"], w[p + "gates/bias"], w[p + "candidate/kernel"],
                   w[p + "candidate/bias"])
    np.testing.assert_allclose(w[p + "gates/bias"], 1.0)    # TF1's gate bias starts at 1
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- gradients -----------------------------------------------------------------------------------
def _grad_error(make_cell, seq=None):
    x_val = np.random.RandomState(5).randn(2, 3, 2)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3, 2])
        outs, state = tf.nn.dynamic_rnn(make_cell(), x, sequence_length=seq, dtype=tf.float64)
        final = [state.c, state.h] if isinstance(state, tuple) else [state]
        y = tf.reduce_sum(outs * outs) + tf.add_n([tf.reduce_sum(s * s) for s in final])
        kernel = tf.global_variables()[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            ex = tf.test.compute_gradient_error(x, [2, 3, 2], y, [], x_init_value=x_val,
                                                delta=1e-5)
            ek = tf.test.compute_gradient_error(kernel, kernel.shape.as_list(), y, [],
                                                extra_feed_dict={x: x_val}, delta=1e-5)
    return ex, ek


@pytest.mark.parametrize("make_cell", [
    lambda: tf.nn.rnn_cell.BasicLSTMCell(3),                              # fused
    lambda: tf.nn.rnn_cell.LSTMCell(3, use_peepholes=True, num_proj=2),    # unrolled
    lambda: tf.nn.rnn_cell.GRUCell(3),
    lambda: tf.nn.rnn_cell.BasicRNNCell(3)], ids=["lstm", "lstm_peep_proj", "gru", "basic"])
def test_gradients_match_numeric(make_cell):
    ex, ek = _grad_error(make_cell, seq=[3, 1])
    assert ex < 1e-7 and ek < 1e-7


# -- behaviour and errors ------------------------------------------------------------------------
def test_lstm_over_a_dynamic_number_of_steps():
    # an LSTM runs fused over any number of steps; the same weights give numpy's values
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, None, 3])
        seq = tf.placeholder(tf.int32, [None])
        cell = tf.nn.rnn_cell.BasicLSTMCell(4)
        outs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64)
        assert outs.shape.as_list() == [None, None, 4]
        with tf.Session() as sess:
            w = _init(sess)
            for steps, lengths in ((2, [2, 1, 0]), (7, [7, 3, 5])):
                x_val = np.random.RandomState(steps).randn(3, steps, 3)
                got = sess.run([outs, state.c, state.h], {x: x_val, seq: lengths})
                want = _np_basic_lstm(x_val, w["rnn/basic_lstm_cell/kernel"],
                                      w["rnn/basic_lstm_cell/bias"], lengths)
                for a, b in zip(got, want):
                    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
                assert not np.signbit(got[0][1, lengths[1]:]).any()   # +0.0 past the end


def test_second_rnn_in_the_same_scope_collides_as_in_tf1():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 3])
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(2), x, dtype=tf.float32)
        with pytest.raises(ValueError, match="rnn/basic_lstm_cell/kernel already exists"):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(2), x, dtype=tf.float32)


def test_missing_dtype_and_bad_sequence_length():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 3])
        with pytest.raises(ValueError, match="you must give a dtype"):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(2), x)
        with pytest.raises(ValueError, match="sequence_length must be a vector"):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(2), x, dtype=tf.float32,
                              sequence_length=[[1]], scope="b")
        seq = tf.placeholder(tf.int32, [None])
        out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(2), x, dtype=tf.float32,
                                   sequence_length=seq, scope="c")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.InvalidArgumentError, match="Expected shape for Tensor"):
                sess.run(out, {x: np.zeros((2, 4, 3)), seq: [1, 2, 3]})
        with pytest.raises(TypeError, match="must be an instance of RNNCell"):
            tf.nn.dynamic_rnn(lambda a, b: a, x, dtype=tf.float32)


def test_zero_state_and_sizes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        lstm = tf.nn.rnn_cell.LSTMCell(4, num_proj=2)
        assert lstm.state_size == (4, 2) and lstm.output_size == 2
        z = lstm.zero_state(tf.shape(x)[0], tf.float32)
        assert isinstance(z, tf.nn.rnn_cell.LSTMStateTuple)
        assert z.c.shape.as_list() == [None, 4] and z.h.shape.as_list() == [None, 2]
        assert z.c.name.startswith("LSTMCellZeroState/")
        multi = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(3), lstm])
        assert multi.state_size == (3, (4, 2)) and multi.output_size == 2
        assert tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False).state_size == 6
        assert tf.contrib.rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell
        dev = tf.nn.rnn_cell.DeviceWrapper(tf.nn.rnn_cell.GRUCell(2), "/cpu:0")
        out, _ = dev(x, dev.zero_state(3, tf.float32))
        assert out.op.device == "/cpu:0" and dev.state_size == 2
        assert tf.compat.v1.nn.rnn_cell.GRUCell is tf.nn.rnn_cell.GRUCell


def test_stacked_lstms_run_one_fused_op_per_layer():
    with tf.Graph().as_default():
        tf.set_random_seed(2)
        x = tf.ones([300, 3, 2])
        layers = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(40),
                                                output_keep_prob=0.5) for _ in range(2)]
        outs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(layers), x,
                                        dtype=tf.float32, sequence_length=[3] * 150 + [1] * 150)
        types = [op.type for op in tf.get_default_graph().get_operations()]
        assert types.count("LSTMSequence") == 2
        assert [v.op.name for v in tf.trainable_variables()] == [
            "rnn/multi_rnn_cell/cell_%d/basic_lstm_cell/%s" % (i, n)
            for i in range(2) for n in ("kernel", "bias")]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, (s0, s1) = sess.run([outs, state])
    assert 0.4 < np.mean(o[:150] == 0) < 0.6     # output dropout on the top layer
    assert np.all(o[150:, 1:] == 0)              # masked past each end
    assert np.mean(s1.h == 0) < 0.01             # the state is never dropped


def test_dropout_wrapper_drops_outputs_and_h_but_not_c():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        x = tf.ones([200, 2, 3])
        cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(50),
                                             output_keep_prob=0.5, state_keep_prob=0.5)
        outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, c, h = sess.run([outs, state.c, state.h])
    assert 0.4 < np.mean(o == 0) < 0.6         # half the outputs dropped
    assert 0.4 < np.mean(h == 0) < 0.6         # and half of h
    assert np.mean(c == 0) < 0.01              # c is never dropped (TF1's state filter)


def test_fused_dynamic_rnn_trains_like_the_unrolled_one():
    # Adam steps on the fused path and on the unrolled path
    x_val = np.random.RandomState(6).randn(8, 5, 4).astype(np.float32)
    y_val = np.random.RandomState(7).randint(0, 3, 8)
    losses = []
    for wrap in (False, True):
        with tf.Graph().as_default():
            tf.set_random_seed(0)
            cell = tf.nn.rnn_cell.BasicLSTMCell(6)
            outs, state = tf.nn.dynamic_rnn(_StepByStep(cell) if wrap else cell,
                                            tf.constant(x_val), dtype=tf.float32)
            types = {op.type for op in tf.get_default_graph().get_operations()}
            assert ("LSTMSequence" in types) != wrap
            logits = tf.matmul(state.h, tf.get_variable("w", [6, 3]))
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y_val, logits=logits))
            train = tf.train.AdamOptimizer(0.05).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for v in tf.trainable_variables():   # the same starting weights for both
                    sess.run(tf.assign(v, rnn_cases.weights_for(v.op.name, v.shape.as_list(),
                                                                np.float32)))
                losses.append([sess.run([loss, train])[0] for _ in range(5)])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]


class _MyCell(tf.nn.rnn_cell.RNNCell):
    """A user cell in TF1's documented style: build() + call()."""

    def __init__(self, n):
        super().__init__()
        self._n = n

    @property
    def state_size(self):
        return self._n

    @property
    def output_size(self):
        return self._n

    def build(self, inputs_shape):
        self._w = self.add_variable("w", [inputs_shape[-1] + self._n, self._n])
        self.built = True

    def call(self, inputs, state):
        out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), self._w))
        return out, out


class _OldCell(tf.nn.rnn_cell.RNNCell):
    """An old-style user cell: its own __call__ with get_variable (TF1 ran it once in a loop)."""

    state_size = output_size = 2

    def __call__(self, inputs, state, scope=None):
        with tf.variable_scope(scope or "old_cell"):
            w = tf.get_variable("w", [3 + 2, 2], dtype=inputs.dtype)
            out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
        return out, out


@pytest.mark.parametrize("cell_class,var", [(lambda: _MyCell(2), "rnn/private__my_cell/w"),
                                            (_OldCell, "rnn/old_cell/w")])
def test_user_defined_cells(cell_class, var):
    x_val = np.random.RandomState(8).randn(2, 4, 3)
    with tf.Graph().as_default():
        x = tf.constant(x_val)
        outs, state = tf.nn.dynamic_rnn(cell_class(), x, dtype=tf.float64)
        assert [v.op.name for v in tf.global_variables()] == [var]
        with tf.Session() as sess:
            w = _init(sess)[var]
            got = sess.run(outs)
    h = np.zeros((2, 2))
    for t in range(4):
        h = np.tanh(np.concatenate([x_val[:, t], h], 1) @ w)
        np.testing.assert_allclose(got[:, t], h, rtol=1e-12)


def test_contrib_static_rnn_mnist_style_runs_fused():
    # the classic TF1 example: unstack rows, contrib.rnn.static_rnn over a BasicLSTMCell
    x_val = np.random.RandomState(9).rand(2, 6, 5)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 6, 5])
        outs, state = tf.contrib.rnn.static_rnn(tf.contrib.rnn.BasicLSTMCell(4, forget_bias=1.0),
                                                tf.unstack(x, 6, 1), dtype=tf.float64)
        types = [op.type for op in tf.get_default_graph().get_operations()]
        assert types.count("LSTMSequence") == 1 and len(outs) == 6
        with tf.Session() as sess:
            w = _init(sess)
            got = sess.run([outs[-1], state.c], {x: x_val})
    want = _np_basic_lstm(x_val, w["rnn/basic_lstm_cell/kernel"], w["rnn/basic_lstm_cell/bias"],
                          [6, 6])
    np.testing.assert_allclose(got[0], want[0][:, -1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-12)
