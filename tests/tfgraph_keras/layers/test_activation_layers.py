import numpy as np
import pytest

from tfgraph_keras import backend, layers
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


X = np.random.RandomState(2).randn(4, 5).astype(np.float32)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@pytest.mark.parametrize("layer, ref", [
    (lambda: layers.LeakyReLU(), lambda x: np.where(x > 0, x, 0.3 * x)),
    (lambda: layers.LeakyReLU(alpha=0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (lambda: layers.ReLU(), lambda x: np.maximum(x, 0)),
    (lambda: layers.ReLU(max_value=0.5), lambda x: np.clip(x, 0, 0.5)),
    (lambda: layers.ReLU(negative_slope=0.1, threshold=0.2),
     lambda x: np.where(x >= 0.2, x, 0.1 * (x - 0.2))),
    (lambda: layers.ELU(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    (lambda: layers.Softmax(), _softmax),
    (lambda: layers.Softmax(axis=0), lambda x: _softmax(x, 0)),
    (lambda: layers.PReLU(), lambda x: np.maximum(x, 0)),
])
def test_forward_matches_numpy(layer, ref):
    np.testing.assert_allclose(run_layer(layer(), X), ref(X), rtol=1e-5, atol=1e-6)


def test_prelu_learned_slope_and_shared_axes():
    p = layers.PReLU(alpha_initializer="ones", shared_axes=[1])
    x = np.random.RandomState(0).randn(2, 3, 4).astype(np.float32)
    run_layer(p, x)
    assert p.get_weights()[0].shape == (1, 4)
    alpha = np.array([[0.1, 0.2, 0.3, 0.4]], np.float32)
    p.set_weights([alpha])
    np.testing.assert_allclose(run_layer(p, x), np.where(x > 0, x, alpha * x), rtol=1e-6)


@pytest.mark.parametrize("make", [lambda: layers.PReLU(alpha_initializer="ones", dtype="float64"),
                                  lambda: layers.ELU(dtype="float64"),
                                  lambda: layers.Softmax(dtype="float64")])
def test_gradients(make):
    x = np.random.RandomState(3).randn(3, 4) + 0.05  # keep away from the kink at 0
    check_gradients(make(), x)


def test_configs_round_trip():
    for layer in (layers.LeakyReLU(0.2), layers.ReLU(6.0), layers.ELU(0.7), layers.Softmax(1),
                  layers.PReLU(shared_axes=[1, 2])):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
