import warnings

import numpy as np
import pytest

import tfgraph as tf
from tfgraph_keras import backend, layers
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


RNG = np.random.RandomState(0)


def test_dense_forward_matches_numpy():
    x = RNG.randn(5, 4).astype(np.float32)
    d = layers.Dense(3, activation="relu")
    y = run_layer(d, x)
    k, b = d.get_weights()
    assert k.shape == (4, 3) and b.shape == (3,) and not b.any()  # zero bias init
    np.testing.assert_allclose(y, np.maximum(x @ k, 0), rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32


def test_dense_rank3_input_and_no_bias():
    x = RNG.randn(2, 3, 4).astype(np.float32)
    d = layers.Dense(5, use_bias=False)
    y = run_layer(d, x)
    assert len(d.weights) == 1
    np.testing.assert_allclose(y, x @ d.get_weights()[0], rtol=1e-5, atol=1e-6)


def test_dense_glorot_uniform_limit():
    d = layers.Dense(300)
    run_layer(d, np.zeros((1, 200), np.float32))
    k = d.get_weights()[0]
    limit = np.sqrt(6 / 500)
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.95 * limit


def test_dense_gradients():
    x = RNG.randn(3, 4)
    check_gradients(layers.Dense(2, activation="tanh", dtype="float64"), x)


def test_dense_old_spellings_warn():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = layers.Dense(output_dim=3, input_dim=4)
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert len(messages) == 2 and "output_dim" in messages[0] and "input_dim" in messages[1]
    assert d.units == 3 and d._batch_input_shape == (None, 4)
    with pytest.raises(TypeError, match="units"):
        layers.Dense()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.Dense(2)


def test_activation_dropout_identity_at_inference():
    x = RNG.randn(4, 6).astype(np.float32)
    np.testing.assert_allclose(run_layer(layers.Activation("tanh"), x), np.tanh(x), rtol=1e-6)
    y = run_layer(layers.Dropout(0.5), x)
    np.testing.assert_array_equal(y, x)


def test_dropout_in_training_scales_kept_units():
    x = np.ones((200, 50), np.float32)
    y = run_layer(layers.Dropout(0.3, seed=1), x, training=True)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02


def test_flatten_reshape_permute_repeat():
    x = RNG.randn(2, 3, 4, 5).astype(np.float32)
    np.testing.assert_array_equal(run_layer(layers.Flatten(), x), x.reshape(2, -1))
    np.testing.assert_array_equal(run_layer(layers.Reshape((12, 5)), x), x.reshape(2, 12, 5))
    np.testing.assert_array_equal(run_layer(layers.Reshape((-1, 10)), x), x.reshape(2, 6, 10))
    np.testing.assert_array_equal(run_layer(layers.Permute((3, 1, 2)), x),
                                  x.transpose(0, 3, 1, 2))
    v = RNG.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(run_layer(layers.RepeatVector(4), v),
                                  np.repeat(v[:, None, :], 4, axis=1))


def test_shape_layers_static_shapes():
    x = tf.placeholder(tf.float32, (None, 3, 4, 5))
    assert layers.Flatten()(x).shape.as_list() == [None, 60]
    assert layers.Reshape((-1, 10))(x).shape.as_list() == [None, 6, 10]
    assert layers.Permute((2, 1, 3))(x).shape.as_list() == [None, 4, 3, 5]
    assert layers.Flatten().compute_output_shape((None, 3, 4, 5)) == (None, 60)


def test_lambda_forward_and_arguments():
    x = RNG.randn(3, 2).astype(np.float32)
    y = run_layer(layers.Lambda(lambda t, k: t * k + 1.0, arguments={"k": 3.0}), x)
    np.testing.assert_allclose(y, x * 3 + 1, rtol=1e-6)


def test_permute_rejects_bad_dims():
    with pytest.raises(ValueError, match="consecutive"):
        layers.Permute((0, 1))


def test_configs_round_trip():
    for layer in (layers.Dense(3, activation="relu", kernel_regularizer="l2"),
                  layers.Dropout(0.2, seed=3), layers.Reshape((2, -1)), layers.Permute((2, 1)),
                  layers.RepeatVector(2), layers.Activation("sigmoid"), layers.Flatten()):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == {**config, "name": config["name"]}


def test_dense_sgd_step_matches_numpy():
    from tfgraph_keras.models import Sequential
    from tfgraph_keras.optimizers import SGD
    x = RNG.randn(6, 4).astype(np.float32)
    y = RNG.randn(6, 2).astype(np.float32)
    model = Sequential([layers.Dense(2, input_shape=(4,), bias_initializer="ones")])
    model.compile(SGD(learning_rate=0.1), "mse")
    k, b = model.get_weights()
    model.train_on_batch(x, y)
    err = x @ k + b - y                       # d mean((xk+b-y)^2) / d(xk+b) = 2 err / (n * units)
    g = 2 * err / err.size
    k1, b1 = model.get_weights()
    np.testing.assert_allclose(k1, k - 0.1 * x.T @ g, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b1, b - 0.1 * g.sum(0), rtol=1e-5, atol=1e-6)


def test_rescaling_identity_noise_and_spatial_dropout():
    x = RNG.randint(0, 255, (3, 4)).astype(np.uint8)
    np.testing.assert_allclose(run_layer(layers.Rescaling(1 / 255.0, offset=-0.5), x),
                               x / 255.0 - 0.5, rtol=1e-6, atol=1e-7)  # float32: x/255 - 0.5 near 0
    f = RNG.randn(3, 4).astype(np.float32)
    np.testing.assert_array_equal(run_layer(layers.Identity(), f), f)
    np.testing.assert_array_equal(run_layer(layers.GaussianNoise(0.5), f), f)  # inference
    noisy = run_layer(layers.GaussianNoise(0.5, seed=1), np.zeros((400, 50), np.float32),
                      training=True)
    assert abs(noisy.std() - 0.5) < 0.02
    img = np.ones((6, 3, 3, 20), np.float32)
    y = run_layer(layers.SpatialDropout2D(0.5, seed=2), img, training=True)
    per_map = y.reshape(6, 9, 20)
    assert np.all(per_map.min(1) == per_map.max(1))  # whole feature maps kept or dropped
    assert set(np.unique(y)) <= {0.0, 2.0}


def test_built_dense_rejects_other_input_width():
    d = layers.Dense(2)
    d(tf.placeholder(tf.float32, (None, 4)))
    with pytest.raises(ValueError, match="Input 0 of layer \"dense\" is incompatible with the layer:"
                                         " expected axis -1 of input shape to have value 4, but "
                                         "received input with shape \\(None, 5\\)"):
        d(tf.placeholder(tf.float32, (None, 5)))


def test_activity_regularizer_survives_config():
    d = layers.Dense(2, activity_regularizer="l2")
    config = d.get_config()
    assert config["activity_regularizer"]["class_name"] == "L2"
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config
