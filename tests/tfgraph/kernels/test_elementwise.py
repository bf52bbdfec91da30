"""The Numba kernels of Relu, ReluGrad, BiasAdd, BiasAddGrad and DropoutMask against their ops'
numpy references (`compute`), including NaN, -0.0, empty, strided and float64 inputs."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework.op_def import get_op_def

SHAPES = [(7,), (0, 3), (4, 5), (3, 300), (2, 9, 9, 32), (600, 600)]
DTYPES = [np.float32, np.float64]


def _kernel(op_type, *placeholders, **attrs):
    """The kernel the plan would run for one op on placeholders of the given (dtype, shape)."""
    with tf.Graph().as_default():
        phs = [tf.placeholder(dt, [None] * len(s)) for dt, s in placeholders]
        op = get_op_def(op_type).create_op(phs, **attrs)
        return op.op_def.make_kernel(op, None), op.op_def


def _same(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)          # NaN where NaN
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def _special(x):
    flat = x.reshape(-1)
    flat[: min(4, flat.size)] = np.array([np.nan, -0.0, np.inf, -np.inf])[: min(4, flat.size)]
    return x


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_and_relu_grad_kernels_match_reference(shape, dtype):
    rng = np.random.RandomState(0)
    x = _special(rng.randn(*shape).astype(dtype))
    dy = _special(rng.randn(*shape).astype(dtype))
    kernel, op = _kernel("Relu", (dtype, shape))
    y = kernel(x)
    _same(y, op.compute(x))
    kernel, op = _kernel("ReluGrad", (dtype, shape), (dtype, shape))
    _same(kernel(dy, y), op.compute(dy, y))
    if len(shape) == 2 and shape[1] > 2:                 # strided views are read correctly
        _same(kernel(dy[:, ::2], y[:, ::2]), op.compute(dy[:, ::2], y[:, ::2]))


@pytest.mark.parametrize("shape", [s for s in SHAPES if len(s) > 1])
@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_add_and_grad_kernels_match_reference(shape, dtype):
    rng = np.random.RandomState(1)
    x = _special(rng.randn(*shape).astype(dtype))
    b = rng.randn(shape[-1]).astype(dtype)
    kernel, op = _kernel("BiasAdd", (dtype, shape), (dtype, (shape[-1],)), data_format="NHWC")
    _same(kernel(x, b), op.compute(x, b, data_format="NHWC"))
    kernel, op = _kernel("BiasAddGrad", (dtype, shape), data_format="NHWC")
    dy = rng.randn(*shape).astype(dtype)
    got, want = kernel(dy), op.compute(dy, data_format="NHWC")
    assert got.dtype == dtype and got.shape == want.shape
    exact = dy.reshape(-1, shape[-1]).astype(np.float64).sum(axis=0)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, exact, rtol=tol, atol=tol * np.sqrt(dy.size))
    assert np.isnan(kernel(_special(dy))[0]) or shape[0] == 0


def test_bias_add_grad_is_more_accurate_than_row_by_row_float32():
    # 2^20 rows of 0.1f: numpy's row-by-row float32 sum drifts; the blocked sum stays close.
    dy = np.full((1 << 20, 2), 0.1, np.float32)
    kernel, op = _kernel("BiasAddGrad", (np.float32, dy.shape), data_format="NHWC")
    exact = (1 << 20) * np.float64(np.float32(0.1))
    assert abs(kernel(dy)[0] - exact) <= abs(op.compute(dy, data_format="NHWC")[0] - exact)
    assert abs(kernel(dy)[0] - exact) / exact < 1e-5


def test_kernels_fall_back_to_reference_for_other_dtypes_and_layouts():
    kernel, op = _kernel("Relu", (np.int32, (3,)))
    assert kernel(np.array([-1, 0, 2], np.int32)).tolist() == [0, 0, 2]
    kernel, op = _kernel("Relu", (np.float16, (3,)))
    assert kernel(np.array([-1, 0, 2], np.float16)).dtype == np.float16
    x = np.random.RandomState(2).randn(2, 3, 4, 4).astype(np.float32)
    b = np.arange(3, dtype=np.float32)
    kernel, op = _kernel("BiasAdd", (np.float32, x.shape), (np.float32, (3,)), data_format="NCHW")
    np.testing.assert_array_equal(kernel(x, b), x + b[:, None, None])
    kernel, op = _kernel("BiasAddGrad", (np.float32, x.shape), data_format="NCHW")
    np.testing.assert_allclose(kernel(x), x.sum(axis=(0, 2, 3)), rtol=1e-5)
    kernel, op = _kernel("BiasAdd", (np.float32, (2, 4)), (np.float32, (4,)))
    with pytest.raises(ValueError):
        kernel(np.ones((2, 4), np.float32), np.ones(3, np.float32))   # the reference's error


@pytest.mark.parametrize("dtype", DTYPES + [np.float16])
@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.999])
def test_dropout_mask_kernel_matches_reference(dtype, rate):
    noise = np.random.RandomState(3).rand(5, 77).astype(dtype)
    noise[0, :3] = [rate, 0, np.nextafter(dtype(rate), dtype(0))]
    kernel, op = _kernel("DropoutMask", (dtype, noise.shape), (dtype, ()))
    got, want = kernel(noise, dtype(rate)), op.compute(noise, dtype(rate))
    _same(got, want)
    scale = dtype(1 / (1 - np.float64(dtype(rate))))
    assert set(np.unique(got)) <= {0, scale} and got[0, 0] == scale
    assert got[0, 2] == (scale if rate == 0 else 0)
    np.testing.assert_array_equal(got != 0, noise >= dtype(rate))
