"""Image resampling kernels (Keras's ImageDataGenerator augmentations).

affine_resample: out[c, i, j] = image[c, M @ (i, j) + offset], with scipy.ndimage's order 0/1
interpolation and boundary modes; affine_resample_reference is
its numpy reference.
"""
import math

import numpy as np

from tfgraph.kernels.jit import njit

MODES = {"constant": 0, "nearest": 1, "reflect": 2, "wrap": 3}


@njit
def _map_coord(c, n, mode):
    # the continuous coordinate as scipy.ndimage maps it before interpolating
    if mode == 1:
        return min(max(c, 0.0), n - 1.0)
    if mode == 3 and n > 1:  # scipy's 'wrap' repeats with period n - 1
        sz = n - 1.0
        if c < 0:
            c = c + sz * (math.trunc(-c / sz) + 1)
        if c > sz:
            c = c - sz * math.trunc(c / sz)
    return c


@njit
def _map_index(i, n, mode):
    if mode == 2:  # half-sample symmetric
        i = i % (2 * n)
        return 2 * n - 1 - i if i >= n else i
    return min(max(i, 0), n - 1)


@njit
def _affine_resample(images, m00, m01, m10, m11, off0, off1, mode, cval, order, out):
    channels, h, w = images.shape
    for i in range(h):
        for j in range(w):
            r = m00 * i + m01 * j + off0
            c = m10 * i + m11 * j + off1
            r = _map_coord(r, h, mode)
            c = _map_coord(c, w, mode)
            if mode == 0 and (r < 0 or r > h - 1 or c < 0 or c > w - 1):
                for k in range(channels):
                    out[k, i, j] = cval
                continue
            if order == 0:
                ri = _map_index(math.floor(r + 0.5), h, mode)
                ci = _map_index(math.floor(c + 0.5), w, mode)
                for k in range(channels):
                    out[k, i, j] = images[k, ri, ci]
                continue
            r0, c0 = math.floor(r), math.floor(c)
            fr, fc = r - r0, c - c0
            ri0, ri1 = _map_index(r0, h, mode), _map_index(r0 + 1, h, mode)
            ci0, ci1 = _map_index(c0, w, mode), _map_index(c0 + 1, w, mode)
            for k in range(channels):
                out[k, i, j] = ((1 - fr) * (1 - fc) * images[k, ri0, ci0]
                                + (1 - fr) * fc * images[k, ri0, ci1]
                                + fr * (1 - fc) * images[k, ri1, ci0]
                                + fr * fc * images[k, ri1, ci1])


def affine_resample(images, matrix, offset, mode, cval, order):
    """images (C, H, W) float32/float64 resampled at matrix @ (row, col) + offset."""
    images = np.ascontiguousarray(images)
    out = np.empty_like(images)
    _affine_resample(images, float(matrix[0, 0]), float(matrix[0, 1]), float(matrix[1, 0]),
                     float(matrix[1, 1]), float(offset[0]), float(offset[1]), MODES[mode],
                     float(cval), int(order), out)
    return out


# -- numpy reference -----------------------------------------------------------------------------
def _index_reference(i, n, mode):
    """Integer sample indices mapped into [0, n) by the boundary mode."""
    if mode == "reflect":  # half-sample symmetric: d c b a | a b c d | d c b a
        i = np.mod(i, 2 * n)
        return np.where(i >= n, 2 * n - 1 - i, i)
    return np.clip(i, 0, n - 1)


def _coords_reference(c, n, mode):
    """Coordinates mapped as scipy.ndimage maps them before interpolating, and (constant mode)
    the mask of the ones inside the image; the others take cval."""
    if mode == "nearest":
        return np.clip(c, 0, n - 1), None
    if mode == "wrap" and n > 1:  # scipy's 'wrap' repeats with period n - 1
        sz = n - 1
        c = np.where(c < 0, c + sz * (np.trunc(-c / sz) + 1), c)
        return np.where(c > sz, c - sz * np.trunc(c / sz), c), None
    if mode == "constant":
        return c, (c >= 0) & (c <= n - 1)
    return c, None


def affine_resample_reference(images, matrix, offset, mode, cval, order):
    """The numpy reference of the affine kernel: linear (order 1) or nearest-sample (order 0)
    interpolation with scipy.ndimage's boundary modes."""
    _, h, w = images.shape
    rr, cc = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64),
                         indexing="ij")
    r, in_r = _coords_reference(matrix[0, 0] * rr + matrix[0, 1] * cc + offset[0], h, mode)
    c, in_c = _coords_reference(matrix[1, 0] * rr + matrix[1, 1] * cc + offset[1], w, mode)
    if order == 0:
        out = images[:, _index_reference(np.floor(r + 0.5).astype(np.int64), h, mode),
                     _index_reference(np.floor(c + 0.5).astype(np.int64), w, mode)]
    else:
        r0, c0 = np.floor(r), np.floor(c)
        fr, fc = r - r0, c - c0
        r0, c0 = r0.astype(np.int64), c0.astype(np.int64)
        ri0, ri1 = _index_reference(r0, h, mode), _index_reference(r0 + 1, h, mode)
        ci0, ci1 = _index_reference(c0, w, mode), _index_reference(c0 + 1, w, mode)
        out = ((1 - fr) * (1 - fc) * images[:, ri0, ci0] + (1 - fr) * fc * images[:, ri0, ci1]
               + fr * (1 - fc) * images[:, ri1, ci0] + fr * fc * images[:, ri1, ci1])
    if in_r is not None:
        out = np.where(in_r & in_c, out, cval)
    return out.astype(images.dtype)
