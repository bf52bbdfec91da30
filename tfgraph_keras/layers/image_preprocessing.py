"""Keras 3 image preprocessing layers (channels_last): Resizing and CenterCrop, and the random
augmentations RandomFlip, RandomRotation, RandomZoom, RandomTranslation and RandomContrast,
which transform only in training (fit) and are the identity in inference (predict, evaluate).

The geometry is Keras's: tf.image.resize (half-pixel centres) and ImageProjectiveTransformV3
with Keras's affine matrices, fill modes and interpolation; the random draws are tfgraph's own
seeded streams (Keras's exact random numbers are not reproduced).
"""
import math

import numpy as np

import tfgraph as tf
from tfgraph.ops.image_ops import resize_bilinear, resize_nearest_neighbor
from tfgraph.ops.image_transform_ops import image_projective_transform_v3
from tfgraph_keras import backend
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _check_format(name, data_format):
    if data_format not in (None, "channels_last"):
        raise ValueError("%s: tfgraph supports data_format='channels_last' only, got %r"
                         % (name, data_format))


def _float(x, dtype):
    return x if x.dtype.is_floating else tf.cast(x, dtype)


def _batched(x, fn):
    """fn on a 4-D batch: a single 3-D image is given a batch axis and has it removed after."""
    if x.shape.ndims == 3:
        return tf.squeeze(fn(tf.expand_dims(x, 0)), [0])
    if x.shape.ndims != 4:
        raise ValueError("Expected the input image to be rank 3 or 4. Received "
                         "inputs.shape=%s" % (tuple(x.shape.as_list()),))
    return fn(x)


def _hw(x):
    """(height, width): Python ints where known, else scalar int32 tensors."""
    static = x.shape.as_list()[1:3]
    dynamic = tf.shape(x)
    return tuple(s if s is not None else dynamic[i + 1] for i, s in enumerate(static))


def _resize(x, size, interpolation):
    if interpolation == "nearest":
        return resize_nearest_neighbor(x, size, half_pixel_centers=True)
    return resize_bilinear(x, size, half_pixel_centers=True)


class Resizing(Layer):
    """Resizes images to (height, width), bilinear or nearest (tf.image.resize), optionally
    cropping the largest centred box of the target's aspect ratio first (crop_to_aspect_ratio)
    or padding with `fill_value` to that ratio (pad_to_aspect_ratio)."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_format("Resizing", data_format)
        if interpolation not in _INTERPOLATIONS:
            raise ValueError("Resizing: tfgraph supports interpolation 'bilinear' or 'nearest', "
                             "got %r" % (interpolation,))
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` or `crop_to_aspect_ratio` can "
                             "be `True`.")
        if fill_mode != "constant":
            raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is "
                             "supported. Received: fill_mode=%s" % (fill_mode,))
        if antialias:
            raise ValueError("Resizing: antialias=True is not supported by tfgraph")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio, self.fill_value = pad_to_aspect_ratio, fill_value

    def call(self, inputs):
        size = (self.height, self.width)

        def fn(x):
            if self.crop_to_aspect_ratio:
                x = _crop_to_aspect(x, size)
            elif self.pad_to_aspect_ratio:
                x = _pad_to_aspect(_float(x, self.dtype), size, self.fill_value)
            return _resize(_float(x, self.dtype), size, self.interpolation)
        return _batched(inputs, fn)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        return shape[:-3] + (self.height, self.width, shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": "constant",
                "fill_value": self.fill_value,
                "antialias": False, "data_format": "channels_last"}


def _crop_to_aspect(x, size):
    """Keras's smart_resize crop on a batch: the largest centred box of size's aspect ratio."""
    h, w = _hw(x)
    if isinstance(h, int) and isinstance(w, int):
        crop_h = max(min(h, int(float(w * size[0]) / size[1])), 1)
        crop_w = max(min(w, int(float(h * size[1]) / size[0])), 1)
        top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
        return x[:, top:top + crop_h, left:left + crop_w, :]
    h, w = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    crop_h = tf.maximum(tf.minimum(h, tf.floor(w * size[0] / size[1])), 1.0)
    crop_w = tf.maximum(tf.minimum(w, tf.floor(h * size[1] / size[0])), 1.0)
    begin = tf.cast(tf.stack([0.0, tf.floor((h - crop_h) / 2), tf.floor((w - crop_w) / 2), 0.0]),
                    tf.int32)
    extent = tf.cast(tf.stack([-1.0, crop_h, crop_w, -1.0]), tf.int32)
    return tf.slice(x, begin, extent)


def _pad_to_aspect(x, size, fill_value):
    """Keras's pad_to_aspect_ratio on a batch: the same number of fill rows (columns) above and
    below (left and right), int((padded - height) / 2) each, to reach size's aspect ratio."""
    h, w = _hw(x)
    if isinstance(h, int) and isinstance(w, int):
        top = int(float(max(h, int(float(w * size[0]) / size[1])) - h) / 2)
        left = int(float(max(w, int(float(h * size[1]) / size[0])) - w) / 2)
    else:
        hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
        top = tf.cast(tf.floor((tf.maximum(hf, tf.floor(wf * size[0] / size[1])) - hf) / 2),
                      tf.int32)
        left = tf.cast(tf.floor((tf.maximum(wf, tf.floor(hf * size[1] / size[0])) - wf) / 2),
                       tf.int32)
    paddings = tf.stack([tf.stack([0, 0]), tf.stack([top, top]), tf.stack([left, left]),
                         tf.stack([0, 0])])
    return tf.pad(x, paddings, constant_values=fill_value)


class CenterCrop(Layer):
    """The centred (height, width) window of each image; an image smaller than that is
    aspect-cropped and resized instead (Keras's smart_resize)."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_format("CenterCrop", data_format)
        self.height, self.width = int(height), int(width)

    def call(self, inputs):
        size = (self.height, self.width)

        def fn(x):
            x = _float(x, self.dtype)
            h, w = x.shape.as_list()[1:3]
            if h is None or w is None:
                raise ValueError("CenterCrop: tfgraph needs the image height and width known "
                                 "when the layer is built, got shape %s" % (x.shape,))
            if h >= self.height and w >= self.width:
                top, left = (h - self.height) // 2, (w - self.width) // 2
                return x[:, top:top + self.height, left:left + self.width, :]
            return _resize(_crop_to_aspect(x, size), size, "bilinear")
        return _batched(inputs, fn)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        return shape[:-3] + (self.height, self.width, shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": "channels_last"}


class _RandomLayer(Layer):
    """Base: `augment(x, seed)` on a float batch in training, the identity otherwise."""

    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_format(type(self).__name__, data_format)
        self.seed = seed
        self._draws = 0

    def _factor(self, factor, arg="factor"):
        lo, hi = self._FACTOR_BOUNDS
        message = ("The `%s` argument should be a number (or a list of two numbers) in the "
                   "range [%s, %s]. Received: %s=%s" % (arg, lo, hi, arg, factor))
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > hi or factor[1] < lo:
                raise ValueError(message)
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            if factor < lo or factor > hi:
                raise ValueError(message)
            return (max(-abs(factor), lo), abs(factor))
        raise ValueError(message)

    def _uniform(self, shape, low, high):
        """Uniform draws, seeded: each draw of the layer gets its own op seed."""
        self._draws += 1
        seed = None if self.seed is None else self.seed + 1000 * self._draws
        return tf.random_uniform(shape, low, high, dtype=tf.float32, seed=seed)

    def call(self, inputs, training=None):
        if training is None:
            training = backend.learning_phase()
        x = _float(inputs, self.dtype)
        if isinstance(training, (bool, int, np.bool_)) and not training:
            return x
        augmented = _batched(x, self.augment)
        return backend.in_train_phase(augmented, x, training=training)

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": "channels_last"}


def _transform(x, matrix, interpolation, fill_mode, fill_value):
    h, w = _hw(x)
    return image_projective_transform_v3(x, matrix, tf.stack([h, w]), fill_value,
                                         interpolation=interpolation, fill_mode=fill_mode)


class _AffineLayer(_RandomLayer):
    def __init__(self, fill_mode="reflect", interpolation="bilinear", fill_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError("Unknown `fill_mode` %s. Expected of one %s."
                                      % (fill_mode, _FILL_MODES))
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError("Unknown `interpolation` %s. Expected of one %s."
                                      % (interpolation, _INTERPOLATIONS))
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, \
            fill_value

    def _warp(self, x, matrix):
        return tf.cast(_transform(x, matrix, self.interpolation, self.fill_mode,
                                  self.fill_value), x.dtype)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomFlip(_RandomLayer):
    """Flips each image left-right and/or up-down with probability 1/2 (in training)."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError("RandomFlip layer %s received an unknown mode argument %s"
                             % (self.name, mode))
        self.mode = mode

    def augment(self, x):
        n = tf.shape(x)[0]
        for axis, wanted in ((2, "horizontal"), (1, "vertical")):
            if wanted in self.mode:
                flip = tf.less(self._uniform(tf.stack([n]), 0.0, 1.0), 0.5)
                flip = tf.reshape(flip, tf.stack([n, 1, 1, 1]))
                x = tf.where(tf.broadcast_to(flip, tf.shape(x)), tf.reverse(x, [axis]), x)
        return x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomRotation(_AffineLayer):
    """Rotates each image by a random angle in factor * [-360, 360] degrees about its centre."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.factor = self._factor(factor)

    def augment(self, x):
        h, w = (tf.cast(v, tf.float32) for v in _hw(x))
        n = tf.shape(x)[0]
        angle = self._uniform(tf.stack([n]), self.factor[0] * 360.0,
                              self.factor[1] * 360.0) * (math.pi / 180.0)
        cos, sin = tf.cos(angle), tf.sin(angle)
        cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
        zero = tf.zeros_like(angle)
        matrix = tf.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos,
                           cy - cx * sin - cy * cos, zero, zero], axis=1)
        return self._warp(x, matrix)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_AffineLayer):
    """Zooms each image by 1 + U(height_factor) vertically and 1 + U(width_factor)
    horizontally (the height draw for both when width_factor is None); factors > 0 zoom out."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.height_factor = self._factor(height_factor, "height_factor")
        self.width_factor = None if width_factor is None else \
            self._factor(width_factor, "width_factor")

    def augment(self, x):
        h, w = (tf.cast(v, tf.float32) for v in _hw(x))
        n = tf.stack([tf.shape(x)[0]])
        zy = self._uniform(n, 1.0 + self.height_factor[0], 1.0 + self.height_factor[1])
        zx = zy if self.width_factor is None else \
            self._uniform(n, 1.0 + self.width_factor[0], 1.0 + self.width_factor[1])
        zero = tf.zeros_like(zx)
        matrix = tf.stack([zx, zero, (w - 1.0) / 2.0 * (1.0 - zx), zero, zy,
                           (h - 1.0) / 2.0 * (1.0 - zy), zero, zero], axis=1)
        return self._warp(x, matrix)

    def get_config(self):
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": None if self.width_factor is None else list(self.width_factor)}


class RandomTranslation(_AffineLayer):
    """Shifts each image by U(height_factor) * height and U(width_factor) * width pixels."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.height_factor = self._factor(height_factor, "height_factor")
        self.width_factor = self._factor(width_factor, "width_factor")

    def augment(self, x):
        h, w = (tf.cast(v, tf.float32) for v in _hw(x))
        n = tf.stack([tf.shape(x)[0]])
        dy = self._uniform(n, *self.height_factor) * h
        dx = self._uniform(n, *self.width_factor) * w
        one, zero = tf.ones_like(dx), tf.zeros_like(dx)
        matrix = tf.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=1)
        return self._warp(x, matrix)

    def get_config(self):
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": list(self.width_factor)}


class RandomContrast(_RandomLayer):
    """Scales each image's deviation from its per-channel mean by U(1 - lower, 1 + upper), then
    clips to `value_range`. A number factor f gives [1, 1 + f] (Keras 3's bounds are [0, 1])."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = self._factor(factor)
        self.value_range = tuple(value_range)

    def augment(self, x):
        n = tf.shape(x)[0]
        k = self._uniform(tf.stack([n, 1, 1, 1]), 1.0 - self.factor[0], 1.0 + self.factor[1])
        mean = tf.reduce_mean(tf.reduce_mean(x, axis=1, keepdims=True), axis=2, keepdims=True)
        out = (x - mean) * tf.cast(k, x.dtype) + mean
        return tf.clip_by_value(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


__all__ = ["CenterCrop", "RandomContrast", "RandomFlip", "RandomRotation", "RandomTranslation",
           "RandomZoom", "Resizing"]
