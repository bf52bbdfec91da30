"""tfgraph/kernels/image.py: the affine resampling kernel against its numpy reference, every
boundary mode and order."""
import numpy as np
import pytest

from tfgraph.kernels import image as image_kernels


@pytest.mark.parametrize("mode", ["constant", "nearest", "reflect", "wrap"])
@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_kernel_matches_numpy_reference(mode, order, dtype):
    rng = np.random.RandomState(hash((mode, order)) % 1000)
    for trial in range(40):
        h, w = rng.randint(1, 9), rng.randint(1, 9)
        images = rng.rand(rng.randint(1, 4), h, w).astype(dtype)
        theta, z = rng.uniform(-3.2, 3.2), rng.uniform(0.5, 1.8, 2)
        matrix = np.array([[np.cos(theta) * z[0], -np.sin(theta) * z[1]],
                           [np.sin(theta) * z[0], np.cos(theta) * z[1]]])
        offset = rng.uniform(-6, 6, 2)
        if trial % 4 == 0:  # integer shifts land exactly on the borders
            matrix, offset = np.eye(2), np.round(offset)
        got = image_kernels.affine_resample(images, matrix, offset, mode, 0.25, order)
        want = image_kernels.affine_resample_reference(images, matrix, offset, mode, 0.25, order)
        assert got.dtype == images.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-12,
                                   atol=1e-6 if dtype == np.float32 else 1e-12)
