"""dynamic_rnn of non-fused cells over an unknown number of time steps (tf.while_loop +
TensorArray, as TF1's _dynamic_rnn_loop): the same values as the statically unrolled cells for
the same weights, the numeric gradient checker, and the choice of path."""
import os
import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework import nest
from tfgraph.rnn import rnn as rnn_module

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import rnn_cases  # noqa: E402


class _MyCell(tf.nn.rnn_cell.RNNCell):
    """A user cell with a tuple state: (h, running sum of inputs)."""

    def __init__(self, n):
        super().__init__()
        self._n = n

    state_size = property(lambda self: (self._n, 2))
    output_size = property(lambda self: self._n)

    def build(self, inputs_shape):
        self._w = self.add_variable("w", [inputs_shape[-1] + self._n, self._n])
        self.built = True

    def call(self, inputs, state):
        h, acc = state
        out = tf.tanh(tf.matmul(tf.concat([inputs, h], 1), self._w)) + tf.reduce_sum(acc)
        return out, (out, acc + inputs[:, :2])


CELLS = {
    "gru": lambda: tf.nn.rnn_cell.GRUCell(4),
    "basic": lambda: tf.nn.rnn_cell.BasicRNNCell(3, activation=tf.nn.relu),
    "lstm_peep_proj_clip": lambda: tf.nn.rnn_cell.LSTMCell(
        4, use_peepholes=True, num_proj=3, cell_clip=0.5, forget_bias=0.7),
    "multi": lambda: tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(3),
                                                  tf.nn.rnn_cell.LSTMCell(2, use_peepholes=True)]),
    "user": lambda: _MyCell(3),
}


def _run(make_cell, x_val, shape, seq, time_major=False, fetch_types=False):
    """dynamic_rnn's (outputs, flat final state) with TF-seeded weights, inputs fed through a
    placeholder of `shape`."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, shape)
        seq_t = None if seq is None else tf.placeholder(tf.int32, [None])
        outs, state = tf.nn.dynamic_rnn(make_cell(), x, sequence_length=seq_t, dtype=tf.float64,
                                        time_major=time_major)
        types = {op.type for op in tf.get_default_graph().get_operations()}
        with tf.Session() as sess:
            for v in tf.global_variables():
                sess.run(tf.assign(v, rnn_cases.weights_for(v.op.name, v.shape.as_list(),
                                                            np.float64)))
            feed = {x: x_val} if seq is None else {x: x_val, seq_t: seq}
            got = sess.run([outs] + nest.flatten(state), feed)
    return (got, types) if fetch_types else got


@pytest.mark.parametrize("name", sorted(CELLS))
@pytest.mark.parametrize("time_major", [False, True])
def test_unknown_time_matches_unrolled(name, time_major):
    rng = np.random.RandomState(11)
    seq = [6, 2, 0, 4]
    for steps in (6, 1):   # one graph, two lengths of sequence
        x_val = rng.randn(steps, 4, 5) if time_major else rng.randn(4, steps, 5)
        lengths = [min(n, steps) for n in seq]
        dyn_shape = [None, None, 5]
        static = list(x_val.shape)
        got, types = _run(CELLS[name], x_val, dyn_shape, lengths, time_major, fetch_types=True)
        assert "While" in types and "TensorArrayV3" in types
        want, types = _run(CELLS[name], x_val, static, lengths, time_major, fetch_types=True)
        assert "While" not in types                      # a static T stays unrolled
        assert len(got) == len(want)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        outs = got[0] if time_major else np.swapaxes(got[0], 0, 1)
        for k, n in enumerate(lengths):
            assert np.all(outs[n:, k] == 0) and not np.signbit(outs[n:, k]).any()


def test_unknown_time_without_sequence_length_and_with_initial_state():
    x_val = np.random.RandomState(12).randn(2, 3, 4)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, None, 4])
        h0 = tf.constant(np.linspace(-1, 1, 10).reshape(2, 5))
        outs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(5), x, initial_state=h0)
        assert outs.shape.as_list() == [2, None, 5] and state.shape.as_list() == [2, 5]
        assert [v.op.name for v in tf.global_variables()] == [
            "rnn/gru_cell/gates/kernel", "rnn/gru_cell/gates/bias",
            "rnn/gru_cell/candidate/kernel", "rnn/gru_cell/candidate/bias"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w = {v.op.name: sess.run(v) for v in tf.global_variables()}
            o, s = sess.run([outs, state], {x: x_val})
            empty = sess.run(outs, {x: np.zeros((2, 0, 4))})
    p = "rnn/gru_cell/"
    h = h0_val = np.linspace(-1, 1, 10).reshape(2, 5)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    for t in range(3):
        r, z = np.split(sig(np.concatenate([x_val[:, t], h], 1) @ w[p + "gates/kernel"]
                            + w[p + "gates/bias"]), 2, axis=1)
        cand = np.tanh(np.concatenate([x_val[:, t], r * h], 1) @ w[p + "candidate/kernel"]
                       + w[p + "candidate/bias"])
        h = z * h + (1 - z) * cand
        np.testing.assert_allclose(o[:, t], h, rtol=1e-12)
    np.testing.assert_allclose(s, h, rtol=1e-12)
    assert empty.shape == (2, 0, 5) and h0_val.shape == (2, 5)


@pytest.mark.parametrize("name", ["gru", "lstm_peep_proj_clip", "multi"])
def test_unknown_time_gradients_match_numeric(name):
    x_val = np.random.RandomState(13).randn(2, 3, 2)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, None, 2])
        outs, state = tf.nn.dynamic_rnn(CELLS[name](), x, sequence_length=[3, 1],
                                        dtype=tf.float64)
        y = tf.reduce_sum(outs * outs) + tf.add_n([tf.reduce_sum(s * s)
                                                   for s in nest.flatten(state)])
        assert "While" in {op.type for op in tf.get_default_graph().get_operations()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            ex = tf.test.compute_gradient_error(x, [2, 3, 2], y, [], x_init_value=x_val,
                                                delta=1e-5)
            assert ex < 1e-7
            for v in tf.trainable_variables():
                ev = tf.test.compute_gradient_error(v, v.shape.as_list(), y, [],
                                                    extra_feed_dict={x: x_val}, delta=1e-5)
                assert ev < 1e-7, v.op.name


def test_bidirectional_over_unknown_time():
    x_val = np.random.RandomState(14).randn(3, 5, 2)
    lengths = [5, 3, 1]
    results = []
    for shape in ([None, None, 2], [3, 5, 2]):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float64, shape)
            (fw, bw), (sf, sb) = tf.nn.bidirectional_dynamic_rnn(
                tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.BasicRNNCell(2), x,
                sequence_length=lengths, dtype=tf.float64)
            with tf.Session() as sess:
                for v in tf.global_variables():
                    sess.run(tf.assign(v, rnn_cases.weights_for(v.op.name, v.shape.as_list(),
                                                                np.float64)))
                results.append(sess.run([fw, bw, sf, sb], {x: x_val}))
                names = [v.op.name for v in tf.global_variables()]
    assert names[0].startswith("bidirectional_rnn/fw/gru_cell/")
    assert names[-1] == "bidirectional_rnn/bw/basic_rnn_cell/bias"
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert np.all(results[0][1][2, 1:] == 0)


def test_while_loop_path_trains_like_the_unrolled_one(monkeypatch):
    # a static T also runs through the loop when unrolling is off: the same Adam trajectory
    x_val = np.random.RandomState(6).randn(8, 5, 4).astype(np.float32)
    y_val = np.random.RandomState(7).randint(0, 3, 8)
    losses = []
    for unroll in (True, False):
        monkeypatch.setattr(rnn_module, "_UNROLL_STATIC", unroll)
        with tf.Graph().as_default():
            cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(6),
                                                tf.nn.rnn_cell.BasicRNNCell(5)])
            outs, state = tf.nn.dynamic_rnn(cell, tf.constant(x_val), dtype=tf.float32,
                                            sequence_length=[5, 4, 3, 2, 1, 5, 5, 0])
            types = {op.type for op in tf.get_default_graph().get_operations()}
            assert ("While" in types) != unroll
            logits = tf.matmul(state[1] + tf.reduce_sum(outs, 1), tf.get_variable("w", [5, 3]))
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y_val, logits=logits))
            train = tf.train.AdamOptimizer(0.05).minimize(loss)
            with tf.Session() as sess:
                for v in tf.global_variables():
                    if v in tf.trainable_variables():
                        sess.run(tf.assign(v, rnn_cases.weights_for(
                            v.op.name, v.shape.as_list(), np.float32)))
                sess.run(tf.variables_initializer(
                    [v for v in tf.global_variables() if v not in tf.trainable_variables()]))
                losses.append([sess.run([loss, train])[0] for _ in range(5)])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]


def test_cell_output_mismatch_names_dynamic_rnn():
    class Bad(tf.nn.rnn_cell.RNNCell):
        state_size = 2
        output_size = (2, 2)

        def __call__(self, inputs, state, scope=None):
            return inputs[:, :2], state

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1, None, 3])
        with pytest.raises(ValueError, match="dynamic_rnn: the cell returned 1 outputs"):
            tf.nn.dynamic_rnn(Bad(), x, dtype=tf.float32)


class _TwoInputs(tf.nn.rnn_cell.RNNCell):
    """Nested inputs (a, b) and nested outputs (h, sum of h), state h."""

    state_size = 2
    output_size = (2, 1)

    def __call__(self, inputs, state, scope=None):
        a, b = inputs
        h = tf.tanh(state + a[:, :2] * b)
        return (h, tf.reduce_sum(h, 1, keepdims=True)), h


def test_nested_inputs_and_outputs_over_unknown_time():
    rng = np.random.RandomState(15)
    a_val, b_val = rng.randn(2, 4, 3), rng.randn(2, 4, 1)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float64, [None, None, 3])
        b = tf.placeholder(tf.float64, [None, None, 1])
        (h, total), state = tf.nn.dynamic_rnn(_TwoInputs(), (a, b), dtype=tf.float64,
                                              sequence_length=[4, 2])
        assert h.shape.as_list() == [2, None, 2] and total.shape.as_list() == [2, None, 1]
        with tf.Session() as sess:
            got = sess.run([h, total, state], {a: a_val, b: b_val})
    s = np.zeros((2, 2))
    want = np.zeros((2, 4, 2))
    for t in range(4):
        new = np.tanh(s + a_val[:, t, :2] * b_val[:, t])
        live = (t < np.array([4, 2]))[:, None]
        s = np.where(live, new, s)
        want[:, t] = np.where(live, new, 0)
    np.testing.assert_allclose(got[0], want, rtol=1e-12)
    np.testing.assert_allclose(got[1], want.sum(2, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(got[2], s, rtol=1e-12)
