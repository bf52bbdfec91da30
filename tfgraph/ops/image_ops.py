"""Image resizing: ResizeBilinear / ResizeNearestNeighbor and their gradient ops, with TF1's
`align_corners` and `half_pixel_centers` coordinate rules, and tf.image.resize_images over them.

Source coordinates as TensorFlow's CPU kernels compute them, in float32: scale = in / out, or
(in - 1) / (out - 1) with align_corners; the legacy rule maps output index i to i * scale, the
half-pixel rule to (i + 0.5) * scale - 0.5 (bilinear) or (i + 0.5) * scale (nearest).
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor, require
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_ops
from tfgraph.ops.shape_args import _partial_value


def _scale(in_size, out_size, align_corners):
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def bilinear_weights(in_size, out_size, align_corners, half_pixel_centers):
    """(lower, upper, lerp) per output index, as TF's compute_interpolation_weights."""
    scale = _scale(in_size, out_size, align_corners)
    i = np.arange(out_size, dtype=np.float32)
    src = (i + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel_centers else i * scale
    src = src.astype(np.float32)
    floor = np.floor(src)
    lower = np.maximum(floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
    return lower, upper, (src - floor).astype(np.float32)


def nearest_indices(in_size, out_size, align_corners, half_pixel_centers):
    scale = _scale(in_size, out_size, align_corners)
    i = np.arange(out_size, dtype=np.float32)
    src = ((i + np.float32(0.5)) * scale if half_pixel_centers else i * scale).astype(np.float32)
    # roundf rounds halves away from zero (numpy's round goes to even)
    idx = np.floor(src + np.float32(0.5)) if align_corners else np.floor(src)
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    return np.maximum(idx, 0) if half_pixel_centers else idx


def _check_flags(align_corners, half_pixel_centers, op_type):
    if align_corners and half_pixel_centers:
        raise ValueError("If half_pixel_centers is True, align_corners must be False.")


def resize_bilinear_reference(images, size, align_corners, half_pixel_centers):
    _check_flags(align_corners, half_pixel_centers, "ResizeBilinear")
    oh, ow = (int(d) for d in size)
    if oh <= 0 or ow <= 0:
        raise ValueError("output dimensions must be positive")
    _, h, w, _ = images.shape
    x = images.astype(np.float32)
    ylo, yhi, ly = bilinear_weights(h, oh, align_corners, half_pixel_centers)
    xlo, xhi, lx = bilinear_weights(w, ow, align_corners, half_pixel_centers)
    lx = lx[None, None, :, None]
    top_l, top_r = x[:, ylo][:, :, xlo], x[:, ylo][:, :, xhi]
    bot_l, bot_r = x[:, yhi][:, :, xlo], x[:, yhi][:, :, xhi]
    top = top_l + (top_r - top_l) * lx
    bottom = bot_l + (bot_r - bot_l) * lx
    return (top + (bottom - top) * ly[None, :, None, None]).astype(np.float32)


def _weight_matrix(in_size, out_size, align_corners, half_pixel_centers):
    lower, upper, lerp = bilinear_weights(in_size, out_size, align_corners, half_pixel_centers)
    m = np.zeros((out_size, in_size), dtype=np.float32)
    np.add.at(m, (np.arange(out_size), lower), 1 - lerp)
    np.add.at(m, (np.arange(out_size), upper), lerp)
    return m


def resize_bilinear_grad_reference(grads, original, align_corners, half_pixel_centers):
    _, h, w, _ = original.shape
    _, oh, ow, _ = grads.shape
    my = _weight_matrix(h, oh, align_corners, half_pixel_centers)
    mx = _weight_matrix(w, ow, align_corners, half_pixel_centers)
    out = np.einsum("yh,nyxc,xw->nhwc", my, grads.astype(np.float32), mx, optimize=True)
    return out.astype(original.dtype)


def resize_nearest_reference(images, size, align_corners, half_pixel_centers):
    _check_flags(align_corners, half_pixel_centers, "ResizeNearestNeighbor")
    oh, ow = (int(d) for d in size)
    if oh <= 0 or ow <= 0:
        raise ValueError("output dimensions must be positive")
    _, h, w, _ = images.shape
    iy = nearest_indices(h, oh, align_corners, half_pixel_centers)
    ix = nearest_indices(w, ow, align_corners, half_pixel_centers)
    return images[:, iy][:, :, ix]


def resize_nearest_grad_reference(grads, size, align_corners, half_pixel_centers):
    h, w = (int(d) for d in size)
    n, oh, ow, c = grads.shape
    iy = nearest_indices(h, oh, align_corners, half_pixel_centers)
    ix = nearest_indices(w, ow, align_corners, half_pixel_centers)
    out = np.zeros((n, h, w, c), dtype=grads.dtype)
    np.add.at(out, (slice(None), iy[:, None], ix[None, :]), grads)
    return out


def _image_dims(images, op_type):
    require(images.shape.ndims in (None, 4), "Shape must be rank 4 but is rank %d for '%s' "
            "(images)" % (images.shape.ndims or 0, op_type))
    return images.shape.as_tuple() or (None,) * 4


def _size_dims(size, op_type):
    require(size.shape.ndims in (None, 1), "Shape must be rank 1 but is rank %d for '%s' (size)"
            % (size.shape.ndims or 0, op_type))
    require(size.shape.ndims is None or size.shape.as_tuple()[0] in (None, 2),
            "Dimension must be 2 but is %s for '%s' (size)" % (size.shape.as_tuple()[0], op_type))
    v = _partial_value(size)
    if isinstance(v, list) and len(v) == 2:
        return [d if isinstance(d, int) and d >= 0 else None for d in v]
    return [None, None]


class _Resize(OpDef):
    attrs = {"align_corners": False, "half_pixel_centers": False}
    input_dtypes = {1: dtypes.int32}

    def infer(self, images, size, *, align_corners, half_pixel_centers):
        # align_corners with half_pixel_centers fails when run, as in TF (the kernel checks)
        require(images.dtype.is_numeric, "%s does not support dtype %s"
                % (self.type, images.dtype.name))
        n, _, _, c = _image_dims(images, self.type)
        oh, ow = _size_dims(size, self.type)
        return [TensorSpec([n, oh, ow, c], self.out_dtype(images.dtype))]


class ResizeBilinear(_Resize):
    """Bilinear resize of NHWC images to `size` (float32 output, as TensorFlow)."""
    type = "ResizeBilinear"

    @staticmethod
    def out_dtype(dtype):
        return dtypes.float32

    def compute(self, images, size, *, align_corners, half_pixel_centers):
        return resize_bilinear_reference(images, size, align_corners, half_pixel_centers)

    def grad(self, op, dy):
        x = op.inputs[0]
        if not x.dtype.is_floating:
            return [None, None]
        return [ResizeBilinearGrad.apply(dy, x, **op.attrs), None]


class ResizeBilinearGrad(OpDef):
    """Gradient of ResizeBilinear: each output gradient spread over its four source pixels."""
    type = "ResizeBilinearGrad"
    attrs = {"align_corners": False, "half_pixel_centers": False}

    def infer(self, grads, original, *, align_corners, half_pixel_centers):
        require(grads.dtype is dtypes.float32, "ResizeBilinearGrad: grads must be float32")
        require(original.dtype.is_floating, "ResizeBilinearGrad: original_image must be float")
        return [TensorSpec(original.shape, original.dtype)]

    def compute(self, grads, original, *, align_corners, half_pixel_centers):
        return resize_bilinear_grad_reference(grads, original, align_corners, half_pixel_centers)

    def grad(self, op, g):
        # linear in grads: its gradient is the forward resize of g
        size = array_ops.shape(op.inputs[0])[1:3]
        return [ResizeBilinear.apply(g, size, **op.attrs), None]


class ResizeNearestNeighbor(_Resize):
    """Nearest-neighbour resize of NHWC images to `size` (the input's dtype)."""
    type = "ResizeNearestNeighbor"

    @staticmethod
    def out_dtype(dtype):
        return dtype

    def compute(self, images, size, *, align_corners, half_pixel_centers):
        return resize_nearest_reference(images, size, align_corners, half_pixel_centers)

    def grad(self, op, dy):
        x = op.inputs[0]
        if not x.dtype.is_floating:
            return [None, None]
        return [ResizeNearestNeighborGrad.apply(dy, array_ops.shape(x)[1:3], **op.attrs), None]


class ResizeNearestNeighborGrad(OpDef):
    """Gradient of ResizeNearestNeighbor: output gradients summed into their source pixels."""
    type = "ResizeNearestNeighborGrad"
    attrs = {"align_corners": False, "half_pixel_centers": False}
    input_dtypes = {1: dtypes.int32}

    def infer(self, grads, size, *, align_corners, half_pixel_centers):
        n, _, _, c = _image_dims(grads, self.type)
        h, w = _size_dims(size, self.type)
        return [TensorSpec([n, h, w, c], grads.dtype)]

    def compute(self, grads, size, *, align_corners, half_pixel_centers):
        return resize_nearest_grad_reference(grads, size, align_corners, half_pixel_centers)

    def grad(self, op, g):
        size = array_ops.shape(op.inputs[0])[1:3]
        return [ResizeNearestNeighbor.apply(g, size, **op.attrs), None]


def _size_arg(size):
    return size if isinstance(size, Tensor) else convert_to_tensor(size, dtypes.int32,
                                                                   name="size")


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """tf.image.resize_bilinear: NHWC images to `size` = [new_height, new_width], float32."""
    return ResizeBilinear.apply(images, _size_arg(size), align_corners=bool(align_corners),
                                half_pixel_centers=bool(half_pixel_centers), name=name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None,
                            half_pixel_centers=False):
    """tf.image.resize_nearest_neighbor: NHWC images to `size`, keeping their dtype."""
    return ResizeNearestNeighbor.apply(images, _size_arg(size), align_corners=bool(align_corners),
                                       half_pixel_centers=bool(half_pixel_centers), name=name)


class ResizeMethod:
    """tf.image.ResizeMethod (TF1's integer values)."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """tf.image.resize_images (TF1): a 4-D batch [N, H, W, C] or one 3-D image [H, W, C] to
    `size` = [new_height, new_width]. Bilinear gives float32; nearest keeps the dtype; an image
    already of that (static) size comes back as it is."""
    with name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = images.shape.ndims == 4
        if images.shape.ndims == 3:
            images = array_ops.expand_dims(images, 0)
        elif images.shape.ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.shape.as_list()
        size = convert_to_tensor(size, dtypes.int32, name="size") \
            if not isinstance(size, Tensor) else size
        if not size.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if not size.dtype.is_integer:
            raise TypeError("'size' must be a 1-D int32 Tensor")
        known = _partial_value(size)
        new_h, new_w = known if isinstance(known, list) and len(known) == 2 else (None, None)
        if preserve_aspect_ratio:
            if None in (new_h, new_w, height, width):
                raise ValueError("resize_images: preserve_aspect_ratio needs static sizes")
            factor = min(new_h / float(height), new_w / float(width))
            new_h = int(round(factor * height))
            new_w = int(round(factor * width))
            size = convert_to_tensor([new_h, new_w], dtypes.int32, name="size")
        if new_h is not None and new_h == height and new_w == width:
            return images if is_batch else array_ops.squeeze(images, axis=[0])
        if method == ResizeMethod.BILINEAR:
            out = resize_bilinear(images, size, align_corners=align_corners)
        elif method == ResizeMethod.NEAREST_NEIGHBOR:
            out = resize_nearest_neighbor(images, size, align_corners=align_corners)
        elif method in (ResizeMethod.BICUBIC, ResizeMethod.AREA):
            raise NotImplementedError("resize_images: method %s (bicubic / area) is not "
                                      "supported by tfgraph; use BILINEAR or NEAREST_NEIGHBOR"
                                      % method)
        else:
            raise ValueError("Resize method is not implemented: %s" % (method,))
        out.set_shape([None, new_h, new_w, None])
        return out if is_batch else array_ops.squeeze(out, axis=[0])


resize = resize_images  # tf.compat.v1.image.resize is resize_images

__all__ = ["ResizeMethod", "resize", "resize_bilinear", "resize_images", "resize_nearest_neighbor"]
