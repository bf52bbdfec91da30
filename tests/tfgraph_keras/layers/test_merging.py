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


RNG = np.random.RandomState(4)
A, B, C = (RNG.randn(3, 4).astype(np.float32) for _ in range(3))


@pytest.mark.parametrize("layer, ref", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
    (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
    (layers.Concatenate, lambda a, b, c: np.concatenate([a, b, c], -1)),
])
def test_three_input_merges(layer, ref):
    np.testing.assert_allclose(run_layer(layer(), A, B, C), ref(A, B, C), rtol=1e-6)


def test_subtract_and_dot():
    np.testing.assert_allclose(run_layer(layers.Subtract(), A, B), A - B)
    np.testing.assert_allclose(run_layer(layers.Dot(axes=1), A, B),
                               (A * B).sum(1, keepdims=True), rtol=1e-5)
    na = A / np.linalg.norm(A, axis=1, keepdims=True)
    nb = B / np.linalg.norm(B, axis=1, keepdims=True)
    np.testing.assert_allclose(run_layer(layers.Dot(axes=1, normalize=True), A, B),
                               (na * nb).sum(1, keepdims=True), rtol=1e-5)
    x, y = RNG.randn(2, 3, 4).astype(np.float32), RNG.randn(2, 5, 4).astype(np.float32)
    np.testing.assert_allclose(run_layer(layers.Dot(axes=(2, 2)), x, y),
                               np.einsum("bik,bjk->bij", x, y), rtol=1e-5, atol=1e-6)


def test_concatenate_axis_and_functional_aliases():
    x = tf.placeholder(tf.float32, (None, 2, 3))
    y = tf.placeholder(tf.float32, (None, 5, 3))
    assert layers.concatenate([x, y], axis=1).shape.as_list() == [None, 7, 3]
    assert layers.add([x, x]).shape.as_list() == [None, 2, 3]
    with pytest.raises(ValueError, match="matching shapes"):
        layers.concatenate([x, y], axis=-1)
    with pytest.raises(ValueError, match="exactly 2"):
        layers.subtract([x, x, x])
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.add([x, y])


def test_merge_gradients():
    a, b = RNG.randn(2, 3), RNG.randn(2, 3)
    check_gradients(layers.Multiply(dtype="float64"), a, b)
    check_gradients(layers.Concatenate(dtype="float64"), a, b)
    check_gradients(layers.Dot(axes=1, normalize=True, dtype="float64"), a, b)
