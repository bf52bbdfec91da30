"""ImageProjectiveTransformV3: TF's projective image warp (tf.raw_ops / keras.ops.image.
affine_transform), with TF's fill modes and nearest/bilinear sampling, in float32 as TF computes.

For output pixel (x, y) and transform [a0, a1, a2, b0, b1, b2, c0, c1] the input point is
((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with k = c0 x + c1 y + 1. Not differentiable
here (augmentation layers sit in front of the trainable ones).
"""
import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, constant_value, require

_F = np.float32


def _trunc(v):
    return np.trunc(v)   # C++'s static_cast<DenseIndex> of a float


def _map_reflect(c, n):
    if n <= 1:
        return np.zeros_like(c)
    sz2 = _F(2 * n)
    c = c.copy()
    low, high = c < 0, c > n - 1        # if / else if, as TF: judged on the unmapped value
    lc = c[low]
    lc = np.where(lc < sz2, sz2 * _trunc(-lc / sz2) + lc, lc)
    c[low] = np.where(lc < -n, lc + sz2, -lc - 1)
    hc = c[high]
    hc = hc - sz2 * _trunc(hc / sz2)
    c[high] = np.where(hc >= n, sz2 - hc - 1, hc)
    return np.clip(c, 0, n - 1)


def _map_wrap(c, n):
    if n <= 1:
        return np.zeros_like(c)
    sz = _F(n - 1)
    c = c.copy()
    low, high = c < 0, c > n - 1
    c[low] = c[low] + n * (_trunc(-c[low] / sz) + 1)
    c[high] = c[high] - n * _trunc(c[high] / sz)
    return np.clip(c, 0, n - 1)


_MAPS = {"REFLECT": _map_reflect, "WRAP": _map_wrap,
         "CONSTANT": lambda c, n: c, "NEAREST": lambda c, n: np.clip(c, 0, n - 1)}


def _read(img, y, x, fill):
    """img[y, x] per point ([points, C]), fill_value outside the image."""
    h, w = img.shape[:2]
    inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
    yi = np.clip(y, 0, h - 1).astype(np.intp)
    xi = np.clip(x, 0, w - 1).astype(np.intp)
    return np.where(inside[:, None], img[yi, xi], fill)


def projective_transform_reference(images, transforms, output_shape, fill_value, interpolation,
                                   fill_mode):
    """The numpy reference of ImageProjectiveTransformV3 (NHWC)."""
    b, h, w, c = images.shape
    oh, ow = int(output_shape[0]), int(output_shape[1])
    ys, xs = np.meshgrid(np.arange(oh, dtype=_F), np.arange(ow, dtype=_F), indexing="ij")
    xs, ys = xs.reshape(-1), ys.reshape(-1)
    fill = _F(fill_value)
    out = np.empty((b, oh * ow, c), dtype=_F)
    t = np.asarray(transforms, _F)
    for i in range(b):
        a0, a1, a2, b0, b1, b2, c0, c1 = t[0 if len(t) == 1 else i]
        k = c0 * xs + c1 * ys + _F(1)
        zero = k == 0
        k = np.where(zero, _F(1), k)
        in_x = (a0 * xs + a1 * ys + a2) / k
        in_y = (b0 * xs + b1 * ys + b2) / k
        x = _MAPS[fill_mode](in_x.astype(_F), w)
        y = _MAPS[fill_mode](in_y.astype(_F), h)
        img = images[i].astype(_F)
        if interpolation == "NEAREST":
            ry = np.sign(y) * np.floor(np.abs(y) + _F(0.5))   # std::round: half away from 0
            rx = np.sign(x) * np.floor(np.abs(x) + _F(0.5))
            v = _read(img, ry, rx, fill)
        else:
            y0, x0 = np.floor(y), np.floor(x)
            y1, x1 = y0 + 1, x0 + 1
            top = (x1 - x)[:, None] * _read(img, y0, x0, fill) + \
                (x - x0)[:, None] * _read(img, y0, x1, fill)
            bottom = (x1 - x)[:, None] * _read(img, y1, x0, fill) + \
                (x - x0)[:, None] * _read(img, y1, x1, fill)
            v = (y1 - y)[:, None] * top + (y - y0)[:, None] * bottom
        out[i] = np.where(zero[:, None], fill, v)
    out = out.reshape(b, oh, ow, c)
    if np.dtype(images.dtype).kind in "iu":
        return np.trunc(out).astype(images.dtype)
    return out.astype(images.dtype)


class ImageProjectiveTransformV3(OpDef):
    """Warps NHWC images by per-image (or one shared) 8-parameter projective transforms."""
    type = "ImageProjectiveTransformV3"
    attrs = {"interpolation": "BILINEAR", "fill_mode": "CONSTANT"}
    input_dtypes = {1: dtypes.float32, 2: dtypes.int32, 3: dtypes.float32}

    def infer(self, images, transforms, output_shape, fill_value, *, interpolation, fill_mode):
        require(images.shape.ndims in (None, 4), "ImageProjectiveTransformV3: images must be "
                "rank 4, got shape %s" % (images.shape,))
        require(transforms.shape.ndims in (None, 2), "ImageProjectiveTransformV3: transforms "
                "must be [batch, 8], got shape %s" % (transforms.shape,))
        require(interpolation in ("NEAREST", "BILINEAR"), "ImageProjectiveTransformV3: "
                "interpolation must be NEAREST or BILINEAR, got %r" % (interpolation,))
        require(fill_mode in _MAPS, "ImageProjectiveTransformV3: fill_mode must be one of %s, "
                "got %r" % (sorted(_MAPS), fill_mode))
        size = constant_value(output_shape)
        dims = images.shape.as_list() if images.shape.ndims == 4 else [None] * 4
        hw = [None, None] if size is None else [int(s) for s in size]
        return [TensorSpec(tensor_shape.TensorShape([dims[0]] + hw + [dims[3]]), images.dtype)]

    def compute(self, images, transforms, output_shape, fill_value, *, interpolation,
                fill_mode):
        return projective_transform_reference(images, transforms, output_shape, fill_value,
                                              interpolation, fill_mode)


def image_projective_transform_v3(images, transforms, output_shape, fill_value=0.0,
                                  interpolation="BILINEAR", fill_mode="CONSTANT", name=None):
    """tf.raw_ops.ImageProjectiveTransformV3."""
    return ImageProjectiveTransformV3.apply(
        images, transforms, output_shape, fill_value, interpolation=interpolation.upper(),
        fill_mode=fill_mode.upper(), name=name)


__all__ = ["image_projective_transform_v3"]
