"""keras.backend (Keras 2 API) against values recorded from tf_keras 2.21
(tests/reference/make_keras_backend_cases.py -> tests/data/keras_backend_cases.json)."""
import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tfgraph_keras import backend as K

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras_backend_cases.json")
with open(DATA) as _f:
    _REF = json.load(_f)
CASES = _REF["backend"]
RNN = _REF["rnn"]


def _dec(v):
    if isinstance(v, dict) and "tensor" in v:
        return K.constant(np.asarray(v["tensor"], v["dtype"]), dtype=v["dtype"])
    if isinstance(v, dict):
        return {k: _dec(x) for k, x in v.items()}
    if isinstance(v, list) and v and all(type(x) is int for x in v):
        return tuple(v)  # JSON wrote Keras's tuples (shapes, axes) as lists
    if isinstance(v, list):
        return [_dec(x) for x in v]
    return v


def _case_id(case):
    return "%s-%d" % (case["fn"], CASES.index(case))


@pytest.fixture(autouse=True)
def _fresh_session():
    K.clear_session()
    yield
    K.clear_session()


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_backend_function_matches_tf_keras(case):
    fn = getattr(K, case["fn"])
    args, kwargs = _dec(case["args"]), _dec(case["kwargs"])
    if "error" in case:
        err = case["error"]
        if err["type"] == "InvalidArgumentError":  # TF found it at run time; tfgraph at build
            with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
                K.eval(fn(*args, **kwargs))
            return
        with pytest.raises(getattr(__builtins__, err["type"], None) or Exception) as info:
            fn(*args, **kwargs)
        assert type(info.value).__name__ == err["type"]
        if case["fn"] != "softmax":  # the message prints the tensor
            assert str(info.value) == err["message"]
        return
    res = fn(*args, **kwargs)
    if case["fn"] in ("int_shape", "ndim", "dtype"):
        assert (list(res) if isinstance(res, tuple) else res) == case["out"]
        return
    assert isinstance(res, tf.Variable) == case["is_variable"], case
    if isinstance(case["out"], list):  # several results
        assert len(res) == len(case["out"])
        for r, want in zip(res, case["out"]):
            np.testing.assert_allclose(K.eval(r), np.asarray(want["array"], want["dtype"]),
                                       rtol=2e-5, atol=2e-5)
        return
    got, want = np.asarray(K.eval(res)), case["out"]
    expected = np.asarray(want["array"], dtype=want["dtype"])
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=2e-6, atol=2e-6)
    else:
        np.testing.assert_array_equal(got, expected)


# -- graph execution: K.function, gradients, variables, learning phase ---------------------------
def test_function_feeds_inputs_and_runs_updates_after_outputs():
    x = K.placeholder(shape=(None, 3))
    w = K.variable(np.array([1.0, 2.0, 3.0]), name="w")
    counter = K.variable(0.0)
    y = K.sum(x * w, axis=1)
    f = K.function([x], [y, K.mean(y)], updates=[(counter, counter + 1.0),
                                                 K.update_add(w, K.ones_like(w))])
    out = f([np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])])
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_allclose(out[0], [6.0, 2.0])
    np.testing.assert_allclose(out[1], 4.0)
    np.testing.assert_allclose(K.get_value(counter), 1.0)
    np.testing.assert_allclose(K.get_value(w), [2.0, 3.0, 4.0])
    single = K.function([x], y)([[[1.0, 0.0, 0.0]]])
    assert isinstance(single, np.ndarray)
    np.testing.assert_allclose(single, [2.0])


def test_function_errors():
    x = K.placeholder(ndim=2)
    assert K.int_shape(x) == (None, None)
    with pytest.raises(ValueError, match='Invalid argument "bogus" passed to K.function'):
        K.function([x], [x], bogus=1)
    f = K.function([x], [x])
    with pytest.raises(TypeError, match="list or tuple"):
        f(np.zeros((1, 1)))
    with pytest.raises(ValueError, match="expects 1 input value"):
        f([np.zeros((1, 1)), np.zeros((1, 1))])


def test_gradients_match_numeric_gradient():
    x = K.placeholder(shape=(2, 3))
    w = K.variable(np.random.RandomState(1).randn(3, 2))
    loss = K.mean(K.square(K.dot(x, w))) + K.sum(K.stop_gradient(w))
    g_w, g_x = K.gradients(loss, [w, x])
    xv = np.random.RandomState(2).randn(2, 3).astype(np.float32)
    gw, gx = K.function([x], [g_w, g_x])([xv])
    wv = K.get_value(w)
    np.testing.assert_allclose(gw, xv.T @ (2 * (xv @ wv)) / 4, rtol=1e-5)
    np.testing.assert_allclose(gx, (2 * (xv @ wv)) @ wv.T / 4, rtol=1e-5)


def test_learning_phase_in_function_and_in_train_phase():
    x = K.placeholder(shape=(3,))
    y = K.in_train_phase(x * 2.0, x * 3.0)
    f = K.function([x, K.learning_phase()], [y])
    np.testing.assert_allclose(f([[1.0, 2.0, 3.0], 1])[0], [2.0, 4.0, 6.0])
    np.testing.assert_allclose(f([[1.0, 2.0, 3.0], 0])[0], [3.0, 6.0, 9.0])
    np.testing.assert_allclose(K.function([x], [y])([[1.0, 1.0, 1.0]])[0], [3.0] * 3)
    K.set_learning_phase(1)
    try:
        assert K.learning_phase() is True
        assert K.in_train_phase(lambda: "train", lambda: "test") == "train"
    finally:
        K.clear_session()
    with pytest.raises(ValueError, match="0 or 1"):
        K.set_learning_phase(2)


def test_variables_values_and_initialization():
    v = K.variable([[1, 2], [3, 4]], name="v")
    assert K.dtype(v) == "float32" and K.int_shape(v) == (2, 2)
    np.testing.assert_array_equal(K.get_value(v), [[1, 2], [3, 4]])
    K.set_value(v, np.ones((2, 2)))
    np.testing.assert_array_equal(K.eval(v), np.ones((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        K.set_value(v, np.ones(3))
    a, b = K.zeros((2,)), K.ones((3,), dtype="int32")
    K.batch_set_value([(a, [5.0, 6.0]), (b, [1, 2, 3])])
    va, vb = K.batch_get_value([a, b])
    np.testing.assert_array_equal(va, [5.0, 6.0])
    assert vb.dtype == np.int32
    # a set value is not reset by a later K.function (only uninitialized variables are)
    np.testing.assert_array_equal(K.function([], [a])([])[0], [5.0, 6.0])
    empty = K.zeros((0, 2))  # Keras 2: a tensor, not a variable, when a dimension is 0
    assert not isinstance(empty, tf.Variable) and K.int_shape(empty) == (0, 2)


def test_random_tensors_have_keras_parameters_and_seeds():
    n = K.random_normal((4000,), mean=2.0, stddev=0.5, seed=3)
    u = K.random_uniform((4000,), minval=-1.0, maxval=3.0, seed=4)
    bern = K.random_bernoulli((4000,), p=0.3, seed=5)
    vn, vu, vb = K.batch_get_value([n, u, bern])
    assert vn.dtype == np.float32 and vn.shape == (4000,)
    assert abs(vn.mean() - 2.0) < 0.05 and abs(vn.std() - 0.5) < 0.05
    assert vu.min() >= -1.0 and vu.max() < 3.0 and abs(vu.mean() - 1.0) < 0.1
    assert set(np.unique(vb)) <= {0.0, 1.0} and abs(vb.mean() - 0.3) < 0.05
    # seeded ops repeat in a new session; np.random.seed fixes unseeded Keras 2 ops too
    again = K.random_normal((4000,), mean=2.0, stddev=0.5, seed=3)
    K.clear_session()
    np.testing.assert_array_equal(K.eval(K.random_normal((4000,), mean=2.0, stddev=0.5,
                                                         seed=3)), vn)
    del again
    np.random.seed(0)
    first = K.eval(K.random_uniform((5,)))
    K.clear_session()
    np.random.seed(0)
    np.testing.assert_array_equal(K.eval(K.random_uniform((5,))), first)
    rv = K.random_normal_variable((3, 2), 0.0, 1.0, seed=1)
    assert isinstance(rv, tf.Variable) and K.int_shape(rv) == (3, 2)


def test_floatx_epsilon_and_image_data_format_settings():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    try:
        K.set_floatx("float64")
        assert K.dtype(K.variable(1.0)) == "float64"
        assert K.dtype(K.placeholder(shape=(2,))) == "float64"
        K.set_epsilon(1e-4)
        p = K.constant([[0.0, 1.0]], dtype="float64")
        np.testing.assert_allclose(K.eval(K.categorical_crossentropy(
            K.constant([[1.0, 0.0]], dtype="float64"), p)), [-np.log(1e-4)], rtol=1e-6)
        K.set_image_data_format("channels_first")
        assert K.image_data_format() == "channels_first"
        with pytest.raises(ValueError, match="channels_first"):
            K.set_image_data_format("nchw")
        with pytest.raises(ValueError, match="Unknown floatx"):
            K.set_floatx("int8")
    finally:
        K.set_floatx("float32")
        K.set_epsilon(1e-7)
        K.set_image_data_format("channels_last")


def test_crossentropies_use_logits_of_k_softmax_and_softmax_ops():
    logits = K.constant([[100.0, 0.0, -100.0]])
    target = K.constant([[0.0, 0.0, 1.0]])
    # probabilities underflow; the loss from the logits is exact (200), the clipped one log(1e7)
    np.testing.assert_allclose(K.eval(K.categorical_crossentropy(target, K.softmax(logits))),
                               [200.0], rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.categorical_crossentropy(target, tf.nn.softmax(logits))),
                               [200.0], rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.sparse_categorical_crossentropy(
        K.constant([2], dtype="int32"), K.softmax(logits))), [200.0], rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.binary_crossentropy(K.constant([0.0]),
                                                            K.sigmoid(K.constant([50.0])))),
                               [50.0], rtol=1e-5)
    with pytest.warns(UserWarning, match="from_logits=True"):
        K.categorical_crossentropy(target, K.softmax(logits), from_logits=True)


def test_keras22_functions_missing_from_tf_keras():
    # K.logsumexp and K.get_uid are Keras 2.2 API (tf_keras no longer exports logsumexp)
    x = np.random.RandomState(0).randn(2, 3, 4).astype(np.float32)
    m = x.max(1, keepdims=True)
    want = np.log(np.exp(x - m).sum(1, keepdims=True)) + m
    np.testing.assert_allclose(K.eval(K.logsumexp(K.constant(x), axis=1, keepdims=True)), want,
                               rtol=1e-5)
    assert [K.get_uid("dense"), K.get_uid("dense"), K.get_uid("conv")] == [1, 2, 1]


def test_dropout_scales_kept_entries():
    x = K.ones((2000,))
    out = K.eval(K.dropout(x, 0.25, seed=1))
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 1 / 0.75, rtol=1e-6)
    assert abs(len(kept) / 2000 - 0.75) < 0.04


def test_clear_session_resets_graph_and_names():
    v = K.variable(1.0)
    g = v.graph
    K.clear_session()
    assert tf.get_default_graph() is not g
    assert K.unique_object_name("dense") == "dense"


# -- gradients of the composite backend functions (numeric checker, float64) ----------------------
def _const(shape, seed, lo=-1.0, hi=1.0):
    return tf.constant(np.random.RandomState(seed).uniform(lo, hi, shape))


@pytest.mark.parametrize("name,build", [
    ("batch_dot", lambda: ([_const((2, 3, 4), 0), _const((2, 4, 5), 1)],
                           lambda a, b: K.batch_dot(a, b), (2, 3, 5))),
    ("batch_dot_axes", lambda: ([_const((2, 3, 4, 5), 2), _const((2, 3, 6, 5), 3)],
                                lambda a, b: K.batch_dot(a, b, axes=[1, 1]), (2, 4, 5, 6, 5))),
    ("batch_dot_2d", lambda: ([_const((3, 4), 4), _const((3, 4), 5)],
                              lambda a, b: K.batch_dot(a, b, axes=1), (3, 1))),
    ("dot_3d", lambda: ([_const((2, 3, 4), 6), _const((3, 4, 2), 7)],
                        lambda a, b: K.dot(a, b), (2, 3, 3, 2))),
    ("repeat_elements", lambda: ([_const((2, 3), 8)], lambda a: K.repeat_elements(a, 3, 1),
                                 (2, 9))),
    ("l2_normalize", lambda: ([_const((3, 4), 9)], lambda a: K.l2_normalize(a, -1), (3, 4))),
    ("categorical_ce", lambda: ([_const((2, 3), 10, 0.1, 1.0)],
                                lambda p: K.categorical_crossentropy(
                                    tf.constant([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]],
                                                dtype=tf.float64), p), (2,))),
    ("sparse_ce_3d", lambda: ([_const((2, 2, 3), 11, 0.1, 1.0)],
                              lambda p: K.sparse_categorical_crossentropy(
                                  tf.constant([[0, 2], [1, 1]]), p), (2, 2))),
    ("binary_ce", lambda: ([_const((2, 3), 12, 0.05, 0.95)],
                           lambda p: K.binary_crossentropy(
                               tf.constant(np.full((2, 3), 0.3)), p), (2, 3))),
    ("std_var", lambda: ([_const((3, 4), 13)],
                         lambda a: K.std(a, axis=1) + K.var(a, axis=1), (3,))),
    ("switch", lambda: ([_const((2, 3), 14), _const((2, 3), 15)],
                        lambda a, b: K.switch(tf.constant([[True, False, True],
                                                           [False, True, True]]), a * 2.0, b),
                        (2, 3))),
])
def test_backend_gradients_match_numeric(name, build):
    xs, fn, out_shape = build()
    y = fn(*xs)
    assert K.int_shape(y) == out_shape
    with tf.Session():
        # delta 1e-5: the logs' curvature makes 1e-3 central differences off by ~1e-4
        err = tf.test.compute_gradient_error(xs, [K.int_shape(x) for x in xs], y, out_shape,
                                             delta=1e-5)
    assert err < 1e-6, (name, err)


# -- K.rnn (the loop unrolled over a static time dimension) ---------------------------------------


@pytest.mark.parametrize("case", RNN["cases"], ids=lambda c: c["name"])
def test_rnn_matches_tf_keras(case):
    spec = RNN["spec"]
    W, U = K.constant(spec["w"]), K.constant(spec["u"])
    h0 = np.asarray(spec["h0"], np.float32)

    def simple(x_t, states):
        h = K.tanh(K.dot(x_t, W) + K.dot(states[0], U))
        return h, [h]

    def two(x_t, states):
        h = K.tanh(K.dot(x_t, W) + K.dot(states[0], U) + states[2])
        return h * 2.0, [h, states[1] + h]
    init = [K.constant(h0)] + ([K.constant(h0 * 0.5)] if case["two_states"] else [])
    mask = K.constant(np.asarray(spec["mask"]), dtype="bool") if case["mask"] else None
    consts = [K.constant(np.full((2, 2), 0.1, "float32"))] if case["two_states"] else None
    last, outs, states = K.rnn(two if case["two_states"] else simple, K.constant(spec["x"]),
                               init, mask=mask, constants=consts, **case["kwargs"])
    got = K.batch_get_value([last, outs] + list(states))
    want = [case["last"], case["outputs"]] + case["states"]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.asarray(w["array"], w["dtype"]), rtol=1e-5, atol=1e-6)


def test_rnn_time_major_gradient_and_errors():
    x = _const((3, 2, 2), 20)  # (time, batch, features)
    w = _const((2, 2), 21)

    def step(x_t, states):
        h = K.tanh(K.dot(x_t, w) + states[0])
        return h, [h]
    last, outs, _ = K.rnn(step, x, [tf.zeros((2, 2), tf.float64)], time_major=True)
    assert K.int_shape(outs) == (3, 2, 2)
    with tf.Session():
        err = tf.test.compute_gradient_error([x, w], [(3, 2, 2), (2, 2)], last, (2, 2),
                                             delta=1e-5)
    assert err < 1e-6
    with pytest.raises(ValueError, match="fixed number of timesteps"):
        K.rnn(step, K.placeholder(shape=(2, None, 2)), [K.zeros((2, 2))])
    with pytest.raises(ValueError, match="at least 3D"):
        K.rnn(step, K.placeholder(shape=(2, 2)), [K.zeros((2, 2))])


def test_map_fn_and_folds_unroll_over_the_first_dimension():
    x = np.random.RandomState(4).randn(3, 2, 2).astype(np.float32)
    t = K.constant(x)
    np.testing.assert_allclose(K.eval(K.map_fn(lambda e: K.dot(e, e), t)),
                               np.stack([e @ e for e in x]), rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.foldl(lambda acc, e: acc * 2.0 + e, t)),
                               (x[0] * 2 + x[1]) * 2 + x[2], rtol=1e-5)
    np.testing.assert_allclose(K.eval(K.foldr(lambda acc, e: acc * 2.0 + e, t,
                                              initializer=K.zeros_like(t[0]))),
                               ((x[2] * 2) + x[1]) * 2 + x[0], rtol=1e-5)
    np.testing.assert_allclose(K.cast_to_floatx([1, 2]), [1.0, 2.0])
    assert K.cast_to_floatx([1, 2]).dtype == np.float32
    with pytest.raises(ValueError, match="static first dimension"):
        K.map_fn(lambda e: e, K.placeholder(shape=(None, 2)))
