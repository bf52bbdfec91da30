"""keras.preprocessing.image: ImageDataGenerator (augmentation, flow, flow_from_directory),
load_img / img_to_array / array_to_img / save_img (Keras 2).

The affine augmentations resample with scipy.ndimage's interpolation and boundary modes
(constant, nearest, reflect, wrap) in a Numba kernel (tfgraph/kernels/image.py), so results
equal Keras's (which calls scipy) without scipy.
Reading and writing image files needs Pillow (the `image` extra: pip install tfgraph[image]).
"""
import io
import os
import pathlib
import threading
import warnings

import numpy as np

from tfgraph.kernels import image as image_kernels
from tfgraph_keras import backend
from tfgraph_keras.engine.data import Sequence

try:
    from PIL import Image as pil_image
    from PIL import ImageEnhance
except ImportError:  # Pillow is the optional `image` extra
    pil_image = ImageEnhance = None

WHITE_LIST_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
_FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def _require_pil(what):
    if pil_image is None:
        raise ImportError("Could not import PIL.Image. The use of `%s` requires Pillow: "
                          "pip install tfgraph[image] (or pip install pillow)." % what)


def _pil_interpolations():
    _require_pil("load_img")
    r = pil_image.Resampling
    return {"nearest": r.NEAREST, "bilinear": r.BILINEAR, "bicubic": r.BICUBIC,
            "hamming": r.HAMMING, "box": r.BOX, "lanczos": r.LANCZOS}


# -- image files ----------------------------------------------------------------------------------
def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """A PIL image from `path` (path-like or io.BytesIO) in color_mode 'rgb', 'rgba' or
    'grayscale', resized to target_size=(height, width) when given."""
    if grayscale:
        warnings.warn("grayscale is deprecated. Please use color_mode = \"grayscale\"",
                      stacklevel=2)
        color_mode = "grayscale"
    _require_pil("load_img")
    if isinstance(path, io.BytesIO):
        img = pil_image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(str(pathlib.Path(os.fsdecode(path)).resolve()), "rb") as f:
            img = pil_image.open(io.BytesIO(f.read()))
    else:
        raise TypeError("path should be path-like or io.BytesIO, not %s" % type(path))
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            methods = _pil_interpolations()
            if interpolation not in methods:
                raise ValueError("Invalid interpolation method %s specified. Supported methods "
                                 "are %s" % (interpolation, ", ".join(methods)))
            if keep_aspect_ratio:  # centre crop to the target's aspect ratio first
                width, height = img.size
                crop_height = (width * target_size[0]) // target_size[1]
                crop_width = (height * target_size[1]) // target_size[0]
                crop_height, crop_width = min(height, crop_height), min(width, crop_width)
                top, left = (height - crop_height) // 2, (width - crop_width) // 2
                img = img.crop((left, top, left + crop_width, top + crop_height))
            img = img.resize(size, methods[interpolation])
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a 3D numpy array (H, W, C), or (C, H, W) for channels_first."""
    data_format = data_format or backend.image_data_format()
    x = np.asarray(img, dtype=dtype or backend.floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    else:
        raise ValueError("Unsupported image shape: %s" % (x.shape,))
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3D array as a PIL image (1 channel: 'L', or 'I' above 255; 3: 'RGB'; 4: 'RGBA');
    scale=True stretches the values to [0, 255]."""
    _require_pil("array_to_img")
    data_format = data_format or backend.image_data_format()
    x = np.asarray(x, dtype=dtype or backend.floatx())
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with "
                         "shape: %s" % (x.shape,))
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x = x / x_max
        x = x * 255
    if x.shape[2] == 4:
        return pil_image.fromarray(x.astype("uint8"), "RGBA")
    if x.shape[2] == 3:
        return pil_image.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        if np.max(x) > 255:
            return pil_image.fromarray(x[:, :, 0].astype("int32"), "I")
        return pil_image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError("Unsupported channel number: %s" % (x.shape[2],))


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


# -- transforms -----------------------------------------------------------------------------------
def _affine_channels(images, matrix, offset, mode, cval, order):
    """out[:, o] = images[:, matrix @ o + offset] for images (C, H, W): the Numba kernel for
    float images, its numpy reference for other dtypes."""
    if images.dtype in (np.float32, np.float64):
        return image_kernels.affine_resample(images, matrix, offset, mode, cval, order)
    return image_kernels.affine_resample_reference(images, matrix, offset, mode, cval, order)


def transform_matrix_offset_center(matrix, x, y):
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1, col_axis=2,
                           channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Rotates (theta degrees), shifts (tx rows, ty columns), shears (degrees) and zooms one 3D
    image about its centre, as Keras (scipy.ndimage.affine_transform per channel)."""
    if len({row_axis, col_axis, channel_axis}) != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError("Invalid axis' indices: %s"
                         % ({row_axis, col_axis, channel_axis} - {0, 1, 2}))
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images.")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed and the first and last dimensions.")
    if fill_mode not in _FILL_MODES:
        raise ValueError("fill_mode must be one of %s; received %r" % (_FILL_MODES, fill_mode))
    if order not in (0, 1):
        raise ValueError("apply_affine_transform: tfgraph_keras supports interpolation order 0 "
                         "and 1; received order=%r" % (order,))
    m = None
    if theta != 0:
        t = np.deg2rad(theta)
        m = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    for present, step in ((tx != 0 or ty != 0, lambda: np.array([[1, 0, tx], [0, 1, ty],
                                                                 [0, 0, 1]])),
                          (shear != 0, lambda: np.array(
                              [[1, -np.sin(np.deg2rad(shear)), 0],
                               [0, np.cos(np.deg2rad(shear)), 0], [0, 0, 1]])),
                          (zx != 1 or zy != 1, lambda: np.array([[zx, 0, 0], [0, zy, 0],
                                                                 [0, 0, 1]]))):
        if present:
            m = step() if m is None else m @ step()
    if m is None:
        return x
    m = transform_matrix_offset_center(m, x.shape[row_axis], x.shape[col_axis])
    channels = x if channel_axis == 0 else x.transpose(2, 0, 1)
    if col_axis > row_axis:  # the matrix is in (x, y) order, arrays index (row, col)
        m[:, [0, 1]] = m[:, [1, 0]]
        m[[0, 1]] = m[[1, 0]]
    out = _affine_channels(channels, m[:2, :2], m[:2, 2], fill_mode, cval, order)
    return out if channel_axis == 0 else out.transpose(1, 2, 0)


def flip_axis(x, axis):
    return np.flip(np.asarray(x), axis)


def apply_channel_shift(x, intensity, channel_axis=0):
    x = np.rollaxis(x, channel_axis, 0)
    lo, hi = np.min(x), np.max(x)
    x = np.stack([np.clip(ch + intensity, lo, hi) for ch in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def apply_brightness_shift(x, brightness, scale=True):
    _require_pil("apply_brightness_shift")
    x_min, x_max = np.min(x), np.max(x)
    local_scale = (x_min < 0) or (x_max > 255)
    x = array_to_img(x, scale=local_scale or scale)
    x = img_to_array(ImageEnhance.Brightness(x).enhance(brightness))
    if not scale and local_scale:
        x = x / 255 * (x_max - x_min) + x_min
    return x


def _affine_kwargs(row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order):
    return {"row_axis": row_axis, "col_axis": col_axis, "channel_axis": channel_axis,
            "fill_mode": fill_mode, "cval": cval, "order": interpolation_order}


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotates one image by a uniform random angle in [-rg, rg] degrees."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, **_affine_kwargs(
        row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order))


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts one image by uniform random fractions of its height (hrg) and width (wrg)."""
    tx = np.random.uniform(-hrg, hrg) * x.shape[row_axis]
    ty = np.random.uniform(-wrg, wrg) * x.shape[col_axis]
    return apply_affine_transform(x, tx=tx, ty=ty, **_affine_kwargs(
        row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order))


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shears one image by a uniform random angle in [-intensity, intensity] degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, **_affine_kwargs(
        row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order))


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    """Zooms rows and columns of one image by independent uniform factors in zoom_range."""
    if len(zoom_range) != 2:
        raise ValueError("`zoom_range` should be a tuple or list of two floats. Received: %s"
                         % (zoom_range,))
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, **_affine_kwargs(
        row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order))


def random_channel_shift(x, intensity_range, channel_axis=0):
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    if len(brightness_range) != 2:
        raise ValueError("`brightness_range should be tuple or list of two floats. Received: %s"
                         % (brightness_range,))
    return apply_brightness_shift(x, np.random.uniform(brightness_range[0],
                                                       brightness_range[1]), scale)


# -- ImageDataGenerator ---------------------------------------------------------------------------
class ImageDataGenerator:
    """Real-time image augmentation (Keras 2): random rotation/shift/shear/zoom/flip/channel and
    brightness shifts, rescaling and normalization, fed batch by batch through `flow` (numpy
    arrays) or `flow_from_directory` (one subfolder per class). Random draws use np.random in
    Keras's order, so np.random.seed / seed= give Keras's batches."""

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        data_format = data_format or backend.image_data_format()
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.shear_range, self.channel_shift_range = shear_range, channel_shift_range
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.dtype = dtype or backend.floatx()
        self.interpolation_order = interpolation_order
        if fill_mode not in _FILL_MODES:
            raise ValueError("`fill_mode` should be one of %s. Received: %r"
                             % (_FILL_MODES, fill_mode))
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` should be `"channels_last"` (channel after row and '
                             'column) or `"channels_first"` (channel before row and column). '
                             'Received: %s' % data_format)
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if validation_split and not 0 < validation_split < 1:
            raise ValueError("`validation_split` must be strictly between 0 and 1.  Received: %s"
                             % validation_split)
        self._validation_split = validation_split
        self.mean = self.std = self.zca_whitening_matrix = None
        if isinstance(zoom_range, (float, int)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(isinstance(v, (float, int)) for v in zoom_range):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError("`zoom_range` should be a float or a tuple or list of two floats. "
                             "Received: %s" % (zoom_range,))
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which "
                              "overrides setting of `featurewise_center`.", stacklevel=2)
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which "
                              "overrides setting of`featurewise_std_normalization`.",
                              stacklevel=2)
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.", stacklevel=2)
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.", stacklevel=2)
        if brightness_range is not None and (
                not isinstance(brightness_range, (tuple, list, np.ndarray))
                or len(brightness_range) != 2):
            raise ValueError("`brightness_range should be tuple or list of two floats. "
                                 "Received: %s" % (brightness_range,))
        self.brightness_range = brightness_range

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """An iterator of augmented (x, y[, sample_weight]) batches from numpy arrays."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  ignore_class_split=ignore_class_split, subset=subset,
                                  dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            follow_links=False, subset=None, interpolation="nearest",
                            keep_aspect_ratio=False):
        """An iterator of augmented batches of the images in `directory`/<class>/..."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 keep_aspect_ratio=keep_aspect_ratio, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links,
                                 subset=subset, interpolation=interpolation, dtype=self.dtype)

    def standardize(self, x):
        """preprocessing_function, rescale, then sample- and feature-wise normalization (in
        place when x is a float array, as Keras)."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for flag, value, name in ((self.featurewise_center, self.mean, "featurewise_center"),
                                  (self.featurewise_std_normalization, self.std,
                                   "featurewise_std_normalization"),
                                  (self.zca_whitening, self.zca_whitening_matrix,
                                   "zca_whitening")):
            if not flag:
                continue
            if value is None:
                warnings.warn("This ImageDataGenerator specifies `%s`, but it hasn't been fit "
                              "on any training data. Fit it first by calling `.fit(numpy_data)`."
                              % name, stacklevel=2)
            elif name == "featurewise_center":
                x -= value
            elif name == "featurewise_std_normalization":
                x /= value + 1e-6
            else:
                flat = x.reshape(-1, int(np.prod(x.shape[-3:])))
                x = np.reshape(flat @ value, x.shape)
        return x

    def _shift(self, rng_range, size):
        # Keras tries np.random.choice first; for a float it raises before drawing anything
        if isinstance(rng_range, float):
            t = np.random.uniform(-rng_range, rng_range)
            return t * size if rng_range < 1 else t
        try:  # a list of allowed integer shifts, or an int (a shift drawn from range(n))
            t = np.random.choice(rng_range)
            t *= np.random.choice([-1, 1])
        except ValueError:  # a float range (numpy float types)
            t = np.random.uniform(-rng_range, rng_range)
        if np.max(rng_range) < 1:
            t *= size
        return t

    def get_random_transform(self, img_shape, seed=None):
        """The random parameters for one image (theta, tx, ty, shear, zx, zy, flips, channel
        shift, brightness), drawn from np.random in Keras's order."""
        row, col = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        tx = self._shift(self.height_shift_range, img_shape[row]) \
            if self.height_shift_range else 0
        ty = self._shift(self.width_shift_range, img_shape[col]) \
            if self.width_shift_range else 0
        shear = np.random.uniform(-self.shear_range, self.shear_range) \
            if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift = None
        if self.channel_shift_range != 0:
            channel_shift = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        """Applies get_random_transform's parameters to one image (no batch axis)."""
        row, col, ch = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        p = transform_parameters
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0),
                                   p.get("shear", 0), p.get("zx", 1), p.get("zy", 1),
                                   row_axis=row, col_axis=col, channel_axis=ch,
                                   fill_mode=self.fill_mode, cval=self.cval,
                                   order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], ch)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, col)
        if p.get("flip_vertical", False):
            x = flip_axis(x, row)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x, seed=None):
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the feature-wise mean/std (and ZCA matrix) of sample images x (rank 4)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError("Input to `.fit()` should have rank 4. Got array with shape: "
                             + str(x.shape))
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            ax = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    ax[i + r * x.shape[0]] = self.random_transform(x[i])
            x = ax
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            u, s, _ = np.linalg.svd(np.reshape(x, (n, -1)).T, full_matrices=False)
            self.zca_whitening_matrix = (u * (np.sqrt(n) / (s + self.zca_epsilon))) @ u.T


class Iterator(Sequence):
    """Batches over n samples: indexable (a keras.utils.Sequence) and a python iterator whose
    order reshuffles each pass; seed reseeds np.random per batch as Keras does."""

    white_list_formats = WHITE_LIST_FORMATS

    def __init__(self, n, batch_size, shuffle, seed):
        super().__init__()
        self.n, self.batch_size, self.seed, self.shuffle = n, batch_size, seed, shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError("Asked to retrieve element %d, but the Sequence has length %d"
                             % (idx, len(self)))
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _save_batch(self, batch_x, index_array, hash_high):
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            fname = "%s_%d_%d.%s" % (self.save_prefix, j, np.random.randint(hash_high),
                                     self.save_format)
            img.save(os.path.join(self.save_to_dir, fname))


class NumpyArrayIterator(Iterator):
    """ImageDataGenerator.flow's iterator over in-memory images x (rank 4) and labels y."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None):
        data_format = data_format or backend.image_data_format()
        self.dtype = dtype or backend.floatx()
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(x[1])] if not isinstance(x[1], list) else \
                [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError("All of the arrays in `x` should have the same length. "
                                     "Found a pair with: len(x[0]) = %s, len(x[?]) = %s"
                                     % (len(x), len(xx)))
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same length. "
                             "Found: x.shape = %s, y.shape = %s"
                             % (np.asarray(x).shape, np.asarray(y).shape))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same "
                             "length. Found: x.shape = %s, sample_weight.shape = %s"
                             % (np.asarray(x).shape, np.asarray(sample_weight).shape))
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError('Invalid subset name: %s; expected "training" or "validation".'
                                 % (subset,))
            split = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not ignore_class_split
                    and not np.array_equal(np.unique(y[:split]), np.unique(y[split:]))):
                raise ValueError("Training and validation subsets have different number of "
                                 "classes after the split. If your numpy arrays are sorted by "
                                 "the label, you might want to shuffle them.")
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x = x[part]
            x_misc = [np.asarray(xx[part]) for xx in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. You passed "
                             "an array with shape %s" % (self.x.shape,))
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn('NumpyArrayIterator is set to use the data format convention "%s" '
                          "(channels on axis %d), i.e. expected either 1, 3, or 4 channels on "
                          "axis %d. However, it was passed an array with shape %s (%d channels)."
                          % (data_format, channels_axis, channels_axis, self.x.shape,
                             self.x.shape[channels_axis]), stacklevel=3)
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, \
            save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        gen = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = gen.get_random_transform(x.shape)
            batch_x[i] = gen.standardize(gen.apply_transform(x.astype(self.dtype), params))
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, 1e4)
        miscs = [xx[index_array] for xx in self.x_misc]
        out = batch_x if not miscs else [batch_x] + miscs
        if self.y is None:
            return out
        if self.sample_weight is None:
            return out, self.y[index_array]
        return out, self.y[index_array], self.sample_weight[index_array]


class DirectoryIterator(Iterator):
    """flow_from_directory's iterator: one subfolder of `directory` per class (sorted names
    unless `classes` is given); images found recursively, in sorted order."""

    allowed_class_modes = ("categorical", "binary", "sparse", "input", None)

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode="rgb", classes=None, class_mode="categorical", batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", follow_links=False, subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype=None):
        _require_pil("flow_from_directory")
        self.data_format = data_format or backend.image_data_format()
        self.dtype = dtype or backend.floatx()
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        if color_mode not in ("rgb", "rgba", "grayscale"):
            raise ValueError('Invalid color mode: %s; expected "rgb", "rgba", or "grayscale".'
                             % (color_mode,))
        self.color_mode = color_mode
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, \
            save_format
        self.interpolation = interpolation
        if subset is None:
            split = None
        elif subset == "validation":
            split = (0, image_data_generator._validation_split)
        elif subset == "training":
            split = (image_data_generator._validation_split, 1)
        else:
            raise ValueError('Invalid subset name: %s;expected "training" or "validation"'
                             % (subset,))
        self.split, self.subset = split, subset
        if class_mode not in self.allowed_class_modes:
            raise ValueError("Invalid class_mode: %s; expected one of: %s"
                             % (class_mode, self.allowed_class_modes))
        self.class_mode = class_mode
        self.directory = directory
        if not classes:
            classes = [d for d in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, d))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames, labels = [], []
        for name in classes:
            files = self._valid_files(os.path.join(directory, name), follow_links)
            if split:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            for root, fname in files:
                rel = os.path.relpath(os.path.join(root, fname), os.path.join(directory, name))
                self.filenames.append(os.path.join(name, rel))
                labels.append(self.class_indices[name])
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32")
        print("Found %d images belonging to %d classes." % (self.samples, self.num_classes))
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _valid_files(self, directory, follow_links):
        out = []
        for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                     key=lambda t: t[0]):
            for fname in sorted(files):
                if fname.lower().endswith(self.white_list_formats):
                    out.append((root, fname))
        return out

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        gen = self.image_data_generator
        for i, j in enumerate(index_array):
            img = load_img(self._filepaths[j], color_mode=self.color_mode,
                           target_size=self.target_size, interpolation=self.interpolation,
                           keep_aspect_ratio=self.keep_aspect_ratio)
            x = img_to_array(img, data_format=self.data_format)
            img.close()
            if gen:
                x = gen.standardize(gen.apply_transform(x, gen.get_random_transform(x.shape)))
            batch_x[i] = x
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, 1e7)
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode in ("binary", "sparse"):
            return batch_x, self.classes[index_array].astype(self.dtype)
        if self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            batch_y[np.arange(len(index_array)), self.classes[index_array]] = 1.0
            return batch_x, batch_y
        return batch_x
