import numpy as np
import pytest

from tfgraph_keras import backend, layers
from tests.tfgraph_keras.layers.layer_check import check_gradients, run_layer


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


RNG = np.random.RandomState(6)


def pool_ref(x, size, strides, padding, fn):
    """NHWC pooling; 'same' pads with cells that are ignored (max) / not counted (average)."""
    n, h, w, c = x.shape
    if padding == "same":
        oh, ow = -(-h // strides[0]), -(-w // strides[1])
        th = max((oh - 1) * strides[0] + size[0] - h, 0)
        tw = max((ow - 1) * strides[1] + size[1] - w, 0)
        top, left = th // 2, tw // 2
    else:
        oh, ow = (h - size[0]) // strides[0] + 1, (w - size[1]) // strides[1] + 1
        top = left = 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            win = x[:, max(r0, 0):r0 + size[0], max(c0, 0):c0 + size[1], :]
            out[:, i, j, :] = fn(win, axis=(1, 2))
    return out


@pytest.mark.parametrize("cls, fn", [(layers.MaxPooling2D, np.max),
                                     (layers.AveragePooling2D, np.mean)])
@pytest.mark.parametrize("kwargs", [dict(), dict(pool_size=3, strides=2, padding="same"),
                                    dict(pool_size=(2, 3), strides=1)])
def test_pool2d_matches_numpy(cls, fn, kwargs):
    x = RNG.randn(2, 7, 6, 3).astype(np.float32)
    layer = cls(**kwargs)
    y = run_layer(layer, x)
    np.testing.assert_allclose(y, pool_ref(x, layer.pool_size, layer.strides, layer.padding, fn),
                               rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 7, 6, 3)) == (None,) + y.shape[1:]


@pytest.mark.parametrize("cls, fn", [(layers.MaxPooling1D, np.max),
                                     (layers.AveragePooling1D, np.mean)])
def test_pool1d_matches_numpy(cls, fn):
    x = RNG.randn(2, 9, 3).astype(np.float32)
    layer = cls(pool_size=3, strides=2)
    ref = pool_ref(x[:, None], (1, 3), (1, 2), "valid", fn)[:, 0]
    np.testing.assert_allclose(run_layer(layer, x), ref, rtol=1e-5, atol=1e-6)


def test_global_pooling():
    x = RNG.randn(2, 4, 5, 3).astype(np.float32)
    np.testing.assert_allclose(run_layer(layers.GlobalAveragePooling2D(), x), x.mean((1, 2)),
                               rtol=1e-5)
    np.testing.assert_allclose(run_layer(layers.GlobalMaxPooling2D(), x), x.max((1, 2)))
    s = x[:, 0]
    np.testing.assert_allclose(run_layer(layers.GlobalAveragePooling1D(), s), s.mean(1), rtol=1e-5)
    np.testing.assert_allclose(run_layer(layers.GlobalMaxPooling1D(), s), s.max(1))
    assert run_layer(layers.GlobalAveragePooling2D(keepdims=True), x).shape == (2, 1, 1, 3)


def test_aliases_are_the_keras_classes():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool2D is layers.AveragePooling2D
    assert layers.MaxPool1D is layers.MaxPooling1D


def test_pool_gradients():
    x = RNG.randn(1, 4, 4, 2)  # distinct values: max is differentiable
    check_gradients(layers.MaxPooling2D(dtype="float64"), x)
    check_gradients(layers.AveragePooling2D(3, 1, padding="same", dtype="float64"), x)
    check_gradients(layers.GlobalAveragePooling2D(dtype="float64"), x)


def test_pool_configs_round_trip():
    for layer in (layers.MaxPooling2D(3, 2, "same"), layers.AveragePooling1D(2),
                  layers.GlobalMaxPooling2D()):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
