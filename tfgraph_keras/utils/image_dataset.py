"""keras.utils.image_dataset_from_directory: a Dataset of (images, labels) batches decoded with
Pillow (the `image` extra) and resized as Keras does (tf.image.resize: half-pixel bilinear,
float32; nearest keeps uint8)."""

import tfgraph as tf
from tfgraph.ops import io_ops
from tfgraph.ops.image_ops import resize_bilinear, resize_nearest_neighbor
from tfgraph_keras.utils.dataset_utils import datasets_from_directory

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
                   "mitchellcubic")


def _resize(img, size, interpolation):
    batch = tf.expand_dims(img, 0)
    if interpolation == "nearest":
        out = resize_nearest_neighbor(batch, size, half_pixel_centers=True)
    else:
        out = resize_bilinear(tf.cast(batch, tf.float32), size, half_pixel_centers=True)
    return tf.squeeze(out, [0])


def _center_crop_to_aspect(img, size):
    """Keras's smart_resize crop: the largest centred box with the target's aspect ratio."""
    shape = tf.shape(img)
    height, width = shape[0], shape[1]
    crop_h = tf.minimum(height, tf.cast(tf.cast(width * size[0], tf.float32) / size[1],
                                        tf.int32))
    crop_w = tf.minimum(width, tf.cast(tf.cast(height * size[1], tf.float32) / size[0],
                                       tf.int32))
    top = tf.cast(tf.cast(height - crop_h, tf.float32) / 2, tf.int32)
    left = tf.cast(tf.cast(width - crop_w, tf.float32) / 2, tf.int32)
    return tf.slice(img, tf.stack([top, left, 0]), tf.stack([crop_h, crop_w, -1]))


def _resize_with_pad(img, size, interpolation):
    """tf.image.resize_with_pad: resized to fit inside `size` keeping its aspect ratio, then
    zero-padded (centred) to `size`."""
    shape = tf.cast(tf.shape(img), tf.float32)
    h, w = shape[0], shape[1]
    ratio = tf.maximum(w / size[1], h / size[0])
    rh, rw = h / ratio, w / ratio
    resized = _resize(img, tf.stack([tf.cast(tf.floor(rh), tf.int32),
                                     tf.cast(tf.floor(rw), tf.int32)]), interpolation)
    top = tf.maximum(0, tf.cast(tf.floor((size[0] - rh) / 2), tf.int32))
    left = tf.maximum(0, tf.cast(tf.floor((size[1] - rw) / 2), tf.int32))
    new = tf.shape(resized)
    paddings = tf.stack([tf.stack([top, size[0] - new[0] - top]),
                         tf.stack([left, size[1] - new[1] - left]), tf.stack([0, 0])])
    return tf.pad(resized, paddings)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """Images of `directory`'s class subdirectories as (batch, height, width, channels) float32
    batches with labels (see keras.utils.image_dataset_from_directory); `.class_names` and
    `.file_paths` are set. subset="both" returns (training, validation)."""
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError("`color_mode` must be one of {\"rgb\", \"rgba\", \"grayscale\"}. "
                         "Received: color_mode=%s" % (color_mode,))
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         "Received: image_size=%s" % (image_size,))
    image_size = tuple(int(s) for s in image_size)
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError("Argument `interpolation` should be one of %s. Received: "
                         "interpolation=%s" % (_INTERPOLATIONS, interpolation))
    if interpolation not in ("bilinear", "nearest"):
        raise ValueError("image_dataset_from_directory: tfgraph resizes with 'bilinear' or "
                         "'nearest' only. Received: interpolation=%s" % (interpolation,))
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set "
                         "to `True`.")
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         "'channels_last'}. Received: data_format=%s" % (data_format,))
    if format != "tf":
        raise ValueError("`format` should be either \"tf\" or \"grain\". Received: format=%s; "
                         "tfgraph supports \"tf\" only." % (format,))

    def load(path):
        img = io_ops.decode_image(io_ops.read_file(path), channels=channels)
        if crop_to_aspect_ratio:
            img = _resize(_center_crop_to_aspect(img, image_size), image_size, interpolation)
        elif pad_to_aspect_ratio:
            img = _resize_with_pad(img, image_size, interpolation)
        else:
            img = _resize(img, image_size, interpolation)
        img.set_shape(image_size + (channels,))
        if data_format == "channels_first":
            img = tf.transpose(img, (2, 0, 1))
        return img
    return datasets_from_directory(directory, labels, label_mode, class_names, batch_size,
                                   shuffle, seed, validation_split, subset, follow_links,
                                   verbose, ALLOWLIST_FORMATS, load, "image")


__all__ = ["image_dataset_from_directory"]
