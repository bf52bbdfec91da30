import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import backend, layers
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


RNG = np.random.RandomState(1)


def _bn_ref(x, gamma, beta, mean, var, eps=1e-3):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_batchnorm_defaults_and_weight_order():
    bn = layers.BatchNormalization()
    assert bn.momentum == 0.99 and bn.epsilon == 1e-3
    run_layer(bn, RNG.randn(4, 3).astype(np.float32))
    assert [w.name.split("/")[-1] for w in bn.weights] == [
        "gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_batchnorm_inference_uses_moving_statistics():
    x = RNG.randn(6, 4, 4, 3).astype(np.float32)
    bn = layers.BatchNormalization()
    run_layer(bn, x)
    g, b, m, v = [RNG.rand(3).astype(np.float32) + 0.5 for _ in range(4)]
    bn.set_weights([g, b, m, v])
    y = run_layer(bn, x)  # default learning phase: inference
    np.testing.assert_allclose(y, _bn_ref(x, g, b, m, v), rtol=1e-5, atol=1e-5)


def test_batchnorm_training_uses_batch_statistics_and_updates_moving_averages():
    x = (RNG.randn(8, 5, 3) * 2 + 1).astype(np.float32)
    bn = layers.BatchNormalization(momentum=0.9)
    holder = tf.placeholder(tf.float32, (None, 5, 3))
    y = bn(holder, training=True)
    sess = backend.get_session()
    backend.initialize_variables(bn.weights)
    assert len(bn.updates) == 2
    mean, var = x.mean(axis=(0, 1)), x.var(axis=(0, 1))
    out = sess.run(y, {holder: x})
    np.testing.assert_allclose(out, _bn_ref(x, 1, 0, mean, var), rtol=1e-4, atol=1e-5)
    sess.run(bn.updates, {holder: x})
    sess.run(bn.updates, {holder: x})
    _, _, mm, mv = bn.get_weights()
    np.testing.assert_allclose(mm, mean * (1 - 0.9 ** 2), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv, 0.9 ** 2 + var * (1 - 0.9 ** 2), rtol=1e-5, atol=1e-6)


def test_batchnorm_learning_phase_switches_modes():
    x = (RNG.randn(10, 2) * 3 + 2).astype(np.float32)
    bn = layers.BatchNormalization()
    holder = tf.placeholder(tf.float32, (None, 2))
    y = bn(holder)  # training = the learning-phase tensor
    sess = backend.get_session()
    backend.initialize_variables(bn.weights)
    infer = sess.run(y, {holder: x})
    train = sess.run(y, {holder: x, backend.learning_phase(): True})
    np.testing.assert_allclose(infer, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(train, _bn_ref(x, 1, 0, x.mean(0), x.var(0)), rtol=1e-4, atol=1e-5)


def test_frozen_batchnorm_runs_in_inference_mode():
    bn = layers.BatchNormalization()
    bn.trainable = False
    x = RNG.randn(4, 2).astype(np.float32)
    y = run_layer(bn, x, training=True)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    assert bn.updates == [] and bn.trainable_weights == []


def test_batchnorm_gradients_training_and_inference():
    x = RNG.randn(5, 3)
    check_gradients(layers.BatchNormalization(dtype="float64"), x, training=True)
    check_gradients(layers.BatchNormalization(dtype="float64", axis=1), RNG.randn(4, 3, 2),
                    training=False)


def test_layer_normalization_forward_and_gradients():
    x = RNG.randn(4, 6).astype(np.float32)
    ln = layers.LayerNormalization()
    y = run_layer(ln, x)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    check_gradients(layers.LayerNormalization(dtype="float64"), RNG.randn(3, 4))


def test_normalization_configs_round_trip():
    for layer in (layers.BatchNormalization(momentum=0.9, epsilon=1e-5, center=False),
                  layers.LayerNormalization(epsilon=1e-6)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


def test_batchnorm_in_fit_updates_moving_stats_used_by_predict():
    from tfgraph_keras.models import Sequential
    x = (RNG.randn(32, 3) * 2 + 5).astype(np.float32)
    model = Sequential([layers.BatchNormalization(momentum=0.5, input_shape=(3,))])
    model.compile("sgd", "mse")
    model.fit(x, np.zeros_like(x), batch_size=32, epochs=1, verbose=0)  # one step
    gamma, beta, mm, mv = model.layers[-1].get_weights()
    np.testing.assert_allclose(mm, 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(mv, 0.5 + 0.5 * x.var(0), rtol=1e-4)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               _bn_ref(x, gamma, beta, mm, mv), rtol=1e-4, atol=1e-5)


def test_training_call_updates_moving_statistics_as_keras3():
    """model(x, training=True) twice, then predict: Keras 3.15's numbers
    (tests/reference/make_keras_wrappers.py, batchnorm_training_call)."""
    import os
    data = os.path.join(os.path.dirname(__file__), "..", "..", "data")
    with np.load(os.path.join(data, "keras_wrappers_bn_call.npz")) as f:
        ref = {k: f[k] for k in f.files}
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.BatchNormalization()])
    model.set_weights([ref["w%d" % i] for i in range(6)])
    for i in range(2):
        np.testing.assert_allclose(model(ref["x"], training=True), ref["y_train"][i],
                                   rtol=1e-5, atol=1e-5)
    bn = model.layers[1]
    mean, var = backend.batch_get_value([bn.moving_mean, bn.moving_variance])
    np.testing.assert_allclose(mean, ref["moving_mean"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var, ref["moving_variance"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y_predict"], rtol=1e-5,
                               atol=1e-5)
