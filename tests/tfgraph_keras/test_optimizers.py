"""Each optimizer's first steps against a numpy transcription of Keras 3's update rule."""
import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import optimizers

G = [np.array([0.5, -1.0, 2.0], np.float32), np.array([-0.3, 0.2, 1.0], np.float32),
     np.array([0.1, 0.1, -0.4], np.float32)]
W0 = np.array([1.0, 2.0, -1.0], np.float32)


def _sgd(w, gs, lr=0.1, mom=0.9, nesterov=True):
    m = np.zeros_like(w)
    for g in gs:
        m = mom * m - lr * g
        w = w + (mom * m - lr * g if nesterov else m)
    return w


def _adam(w, gs, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
    m = v = np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        m, v = m + (g - m) * (1 - b1), v + (g * g - v) * (1 - b2)
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
    return w


def _rmsprop(w, gs, lr=0.01, rho=0.9, eps=1e-7):
    v = np.zeros_like(w)
    for g in gs:
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / np.sqrt(v + eps)
    return w


def _adagrad(w, gs, lr=0.1, init=0.1, eps=1e-7):
    a = np.full_like(w, init)
    for g in gs:
        a = a + g * g
        w = w - lr * g / np.sqrt(a + eps)
    return w


def _adadelta(w, gs, lr=1.0, rho=0.95, eps=1e-7):
    ag = ad = np.zeros_like(w)
    for g in gs:
        ag = rho * ag + (1 - rho) * g * g
        d = np.sqrt(ad + eps) / np.sqrt(ag + eps) * g
        ad = rho * ad + (1 - rho) * d * d
        w = w - lr * d
    return w


def _adamax(w, gs, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
    m = u = np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        m = m + (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr / (1 - b1 ** t) * m / (u + eps)
    return w


def _nadam(w, gs, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
    m = v = np.zeros_like(w)
    prod = 1.0
    for t, g in enumerate(gs, 1):
        u_t, u_t1 = b1 * (1 - 0.5 * 0.96 ** t), b1 * (1 - 0.5 * 0.96 ** (t + 1))
        prod = prod * u_t
        m, v = m + (g - m) * (1 - b1), v + (g * g - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - prod * u_t1) + (1 - u_t) * g / (1 - prod)
        w = w - lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


CASES = [
    (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), _sgd),
    (lambda: optimizers.SGD(0.1, momentum=0.9), lambda w, gs: _sgd(w, gs, nesterov=False)),
    (lambda: optimizers.SGD(0.1), lambda w, gs: _sgd(w, gs, mom=0.0)),
    (lambda: optimizers.Adam(0.01), _adam),
    (lambda: optimizers.RMSprop(0.01), _rmsprop),
    (lambda: optimizers.Adagrad(0.1), _adagrad),
    (lambda: optimizers.Adadelta(1.0), _adadelta),
    (lambda: optimizers.Adamax(0.01), _adamax),
    (lambda: optimizers.Nadam(0.01), _nadam),
]


@pytest.mark.parametrize("make,ref", CASES, ids=["sgd_nesterov", "sgd_momentum", "sgd", "adam",
                                                 "rmsprop", "adagrad", "adadelta", "adamax",
                                                 "nadam"])
def test_updates_match_keras_formula(make, ref):
    keras.backend.clear_session()
    import tfgraph as tf
    w = tf.Variable(W0.copy(), name="w")
    g = tf.placeholder(tf.float32, [3])
    opt = make()
    train = opt.apply_gradients([(g, w)])
    sess = keras.backend.get_session()
    keras.backend.initialize_variables([w] + opt._all_variables)
    for grad in G:
        sess.run(train, {g: grad})
    np.testing.assert_allclose(sess.run(w), ref(W0.astype(np.float64),
                                                [x.astype(np.float64) for x in G]),
                               rtol=1e-5, atol=1e-6)
    assert keras.backend.get_value(opt.iterations) == 3


def test_keras_defaults_and_lookup_by_name():
    assert optimizers.get("adam").get_config()["learning_rate"] == 0.001
    assert optimizers.get("sgd").get_config()["learning_rate"] == 0.01
    rms = optimizers.get("rmsprop").get_config()
    assert (rms["learning_rate"], rms["rho"], rms["epsilon"]) == (0.001, 0.9, 1e-7)
    assert optimizers.Adam().epsilon == 1e-7
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("adamw2")


def test_learning_rate_can_change_after_build_without_rebuild():
    keras.backend.clear_session()
    import tfgraph as tf
    w = tf.Variable(np.float32(1.0))
    opt = optimizers.SGD(0.5)
    g = tf.placeholder(tf.float32, [])
    train = opt.apply_gradients([(g, w)])
    sess = keras.backend.get_session()
    keras.backend.initialize_variables([w] + opt._all_variables)
    sess.run(train, {g: 1.0})
    opt.learning_rate = 0.25
    sess.run(train, {g: 1.0})
    assert sess.run(w) == pytest.approx(1.0 - 0.5 - 0.25)


def test_clipnorm_and_clipvalue():
    keras.backend.clear_session()
    import tfgraph as tf
    w = tf.Variable(np.zeros(2, np.float32))
    g = tf.placeholder(tf.float32, [2])
    for opt, expected in [(optimizers.SGD(1.0, clipnorm=1.0), [-0.6, -0.8]),
                          (optimizers.SGD(1.0, clipvalue=0.5), [-0.5, -0.5])]:
        train = opt.apply_gradients([(g, w)])
        sess = keras.backend.get_session()
        keras.backend.initialize_variables([w] + opt._all_variables)
        keras.backend.set_value(w, np.zeros(2))
        sess.run(train, {g: np.array([3.0, 4.0], np.float32)})
        np.testing.assert_allclose(sess.run(w), expected, rtol=1e-6)


def test_rmsprop_fused_op_streams_no_momentum_buffer_without_momentum():
    import tfgraph as tf
    for momentum, op_type, n_vars in ((0.0, "ApplyKerasRMSProp", 1), (0.5, "ApplyRMSProp", 2)):
        keras.backend.clear_session()
        w = tf.Variable(W0.copy(), name="w")
        opt = optimizers.RMSprop(0.01, momentum=momentum)
        opt.apply_gradients([(tf.placeholder(tf.float32, [3]), w)])
        types = [op.type for op in w.graph.get_operations()]
        assert op_type in types
        slots = [v for v in opt._all_variables if v.shape.as_list() == [3]]
        assert len(slots) == n_vars          # velocity (+ momentum); no scratch buffer


def test_adam_builds_beta_powers_once_per_step():
    import tfgraph as tf
    keras.backend.clear_session()
    ws = [tf.Variable(W0.copy(), name="w%d" % i) for i in range(3)]
    opt = optimizers.Adam(0.01)
    opt.apply_gradients([(tf.placeholder(tf.float32, [3]), w) for w in ws])
    types = [op.type for op in ws[0].graph.get_operations()]
    assert types.count("Pow") == 2 and types.count("ApplyAdam") == 3
