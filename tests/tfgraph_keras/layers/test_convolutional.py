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


RNG = np.random.RandomState(5)


def _same_pads(n, k, s, d):
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2  # TF: the extra row/col goes at the end


def conv2d_ref(x, k, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """Direct NHWC convolution (cross-correlation) in float64."""
    kh, kw, _, f = k.shape
    if padding == "same":
        ph = _same_pads(x.shape[1], kh, strides[0], dilation[0])
        pw = _same_pads(x.shape[2], kw, strides[1], dilation[1])
        x = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    oh = (x.shape[1] - eh) // strides[0] + 1
    ow = (x.shape[2] - ew) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]:i * strides[0] + eh:dilation[0],
                      j * strides[1]:j * strides[1] + ew:dilation[1], :]
            out[:, i, j, :] = np.einsum("nhwc,hwcf->nf", patch, k)
    return out


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=(3, 2), strides=2, padding="same"),
    dict(kernel_size=3, padding="same", dilation_rate=2),
    dict(kernel_size=2, strides=(1, 2), use_bias=False),
])
def test_conv2d_matches_numpy(kwargs):
    x = RNG.randn(2, 7, 6, 3).astype(np.float32)
    conv = layers.Conv2D(4, activation="relu", bias_initializer="ones", **kwargs)
    y = run_layer(conv, x)
    w = conv.get_weights()
    ref = conv2d_ref(x, w[0], conv.strides, conv.padding, conv.dilation_rate)
    if conv.use_bias:
        ref = ref + w[1]
    np.testing.assert_allclose(y, np.maximum(ref, 0), rtol=1e-4, atol=1e-5)
    assert conv.compute_output_shape((None, 7, 6, 3)) == (None,) + y.shape[1:]


def test_conv2d_kernel_layout_and_alias():
    conv = layers.Convolution2D(8, (3, 3), input_shape=(5, 5, 2))
    assert type(conv) is layers.Conv2D
    run_layer(conv, np.zeros((1, 5, 5, 2), np.float32))
    assert [w.shape for w in conv.get_weights()] == [(3, 3, 2, 8), (8,)]


def test_conv1d_matches_numpy_incl_causal():
    x = RNG.randn(2, 9, 3).astype(np.float32)
    for kwargs in (dict(), dict(strides=2, padding="same"),
                   dict(padding="causal", dilation_rate=2)):
        conv = layers.Conv1D(4, 3, **kwargs)
        y = run_layer(conv, x)
        k, b = conv.get_weights()
        xx = x
        padding = conv.padding
        if padding == "causal":
            xx = np.pad(x, ((0, 0), (4, 0), (0, 0)))
            padding = "valid"
        ref = conv2d_ref(xx[:, None], k[None], (1, conv.strides[0]), padding,
                         (1, conv.dilation_rate[0]))[:, 0] + b
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_conv_gradients():
    check_gradients(layers.Conv2D(2, 3, padding="same", strides=2, dtype="float64"),
                    RNG.randn(2, 5, 5, 2))
    check_gradients(layers.Conv1D(2, 2, dtype="float64"), RNG.randn(2, 4, 3))


def test_conv_errors():
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layers.Conv2D(2, 3)(tf.placeholder(tf.float32, (None, 5, 5)))


def test_zero_padding_and_upsampling():
    x = RNG.randn(2, 3, 4, 2).astype(np.float32)
    np.testing.assert_array_equal(run_layer(layers.ZeroPadding2D(((1, 2), (0, 1))), x),
                                  np.pad(x, ((0, 0), (1, 2), (0, 1), (0, 0))))
    np.testing.assert_array_equal(run_layer(layers.ZeroPadding2D(1), x),
                                  np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))))
    np.testing.assert_array_equal(run_layer(layers.UpSampling2D((2, 3)), x),
                                  x.repeat(2, axis=1).repeat(3, axis=2))
    check_gradients(layers.UpSampling2D(2, dtype="float64"), RNG.randn(1, 2, 2, 1))


def test_conv_configs_round_trip():
    for layer in (layers.Conv2D(3, (2, 3), strides=2, padding="same", activation="relu"),
                  layers.Conv1D(2, 5, dilation_rate=2), layers.ZeroPadding2D((1, 2)),
                  layers.UpSampling2D(3)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


def _depthwise_ref(x, dk, strides, padding):
    c, m = dk.shape[2:]
    outs = [conv2d_ref(x[..., i:i + 1], dk[:, :, i:i + 1, :], strides, padding) for i in range(c)]
    return np.concatenate(outs, axis=-1)  # channel c*m + j, as TF orders them


def test_depthwise_and_separable_conv_match_numpy():
    x = RNG.randn(2, 6, 5, 3).astype(np.float32)
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", strides=2)
    y = run_layer(dw, x)
    dk, b = dw.get_weights()
    assert dk.shape == (3, 3, 3, 2)
    np.testing.assert_allclose(y, _depthwise_ref(x, dk, (2, 2), "same") + b, rtol=1e-4, atol=1e-5)
    sep = layers.SeparableConv2D(4, (2, 3), depth_multiplier=2, activation="relu",
                                 bias_initializer="ones")
    y = run_layer(sep, x)
    dk, pk, b = sep.get_weights()
    assert pk.shape == (1, 1, 6, 4) and [w.name.split("/")[-1] for w in sep.weights] == [
        "depthwise_kernel:0", "pointwise_kernel:0", "bias:0"]
    ref = np.einsum("nhwc,cf->nhwf", _depthwise_ref(x, dk, (1, 1), "valid"), pk[0, 0]) + b
    np.testing.assert_allclose(y, np.maximum(ref, 0), rtol=1e-4, atol=1e-5)
    for layer in (dw, sep):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    check_gradients(layers.SeparableConv2D(2, 2, dtype="float64"), RNG.randn(1, 3, 3, 2))


def conv2d_transpose_ref(x, k, stride, padding):
    """Scatter form: each input pixel adds x * kernel into the (stride-spaced) output window."""
    n, h, w, _ = x.shape
    kh, kw, f, _ = k.shape
    full = np.zeros((n, (h - 1) * stride + kh, (w - 1) * stride + kw, f))
    for i in range(h):
        for j in range(w):
            full[:, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.einsum(
                "nc,hwfc->nhwf", x[:, i, j], k)
    if padding == "valid":
        return full
    oh, ow = h * stride, w * stride
    top, left = (full.shape[1] - oh) // 2, (full.shape[2] - ow) // 2
    return full[:, top:top + oh, left:left + ow]


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (2, "valid"), (2, "same")])
def test_conv2d_transpose_matches_numpy(stride, padding):
    x = RNG.randn(2, 3, 4, 3).astype(np.float32)
    layer = layers.Conv2DTranspose(2, 3, strides=stride, padding=padding)
    y = run_layer(layer, x)
    k, b = layer.get_weights()
    assert k.shape == (3, 3, 2, 3)
    np.testing.assert_allclose(y, conv2d_transpose_ref(x, k, stride, padding) + b, rtol=1e-4,
                               atol=1e-5)
    assert layer.compute_output_shape((None, 3, 4, 3)) == (None,) + y.shape[1:]


def test_cropping_padding_upsampling_1d():
    x = RNG.randn(2, 5, 6, 2).astype(np.float32)
    np.testing.assert_array_equal(run_layer(layers.Cropping2D(((1, 2), (0, 1))), x),
                                  x[:, 1:3, 0:5])
    s = RNG.randn(2, 4, 3).astype(np.float32)
    np.testing.assert_array_equal(run_layer(layers.ZeroPadding1D((1, 2)), s),
                                  np.pad(s, ((0, 0), (1, 2), (0, 0))))
    np.testing.assert_array_equal(run_layer(layers.UpSampling1D(3), s), s.repeat(3, axis=1))
    for layer in (layers.Conv2DTranspose(2, 3, strides=2), layers.Cropping2D(1),
                  layers.ZeroPadding1D(2), layers.UpSampling1D(2)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


@pytest.mark.parametrize("k,s,expected", [(2, 3, 15), (3, 2, 11), (1, 2, 10), (3, 3, 15)])
def test_conv2d_transpose_valid_output_size_is_keras(k, s, expected):
    # Keras 3.15: Conv2DTranspose(1, k, strides=s, padding="valid") on 5x5 gives n*s + max(k-s, 0)
    layer = layers.Conv2DTranspose(2, k, strides=s, padding="valid")
    x = np.random.RandomState(0).rand(2, 5, 5, 3).astype("float32")
    out = run_layer(layer, x)
    assert out.shape == (2, expected, expected, 2)
    assert layer.compute_output_shape((None, 5, 5, 3)) == (None, expected, expected, 2)
    if k < s:  # rows past the last kernel tap get only the bias
        bias = backend.get_session().run(layer.bias)
        np.testing.assert_allclose(out[:, -1, -1], np.broadcast_to(bias, (2, 2)), atol=1e-6)
