"""tf.io.read_file and the image decoder (tf.io.decode_image with Pillow, an optional extra)."""
import io

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, require
from tfgraph.framework import errors


def _name(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


class ReadFile(OpDef):
    """The bytes of the file `filename` (a string scalar)."""
    type = "ReadFile"
    stateful = True     # the file may change between runs

    def infer(self, filename):
        require(filename.dtype is dtypes.string, "ReadFile: filename must be a string, got %s"
                % filename.dtype.name)
        require(filename.shape.ndims in (None, 0), "ReadFile: filename must be a scalar, got "
                "shape %s" % (filename.shape,))
        return [TensorSpec([], dtypes.string)]

    def compute(self, filename):
        name = _name(np.asarray(filename, dtype=object).item())
        try:
            with open(name, "rb") as f:
                data = f.read()
        except OSError as e:
            raise errors.NotFoundError(None, None, "%s; %s" % (name, e.strerror)) from None
        return np.array(data, dtype=object)


class DecodeImage(OpDef):
    """Decodes PNG/JPEG/GIF/BMP bytes to uint8 [height, width, channels] (channels 0: as the
    file has them, 1 grayscale, 3 RGB, 4 RGBA); GIFs give their first frame. Needs Pillow."""
    type = "DecodeImage"
    attrs = {"channels": 0}

    def infer(self, contents, *, channels):
        require(contents.dtype is dtypes.string, "DecodeImage: contents must be a string")
        require(channels in (0, 1, 3, 4), "DecodeImage: channels must be 0, 1, 3 or 4, got %s"
                % (channels,))
        return [TensorSpec(tensor_shape.TensorShape([None, None, channels or None]),
                           dtypes.uint8)]

    def compute(self, contents, *, channels):
        try:
            from PIL import Image
        except ImportError:
            raise ImportError("Decoding images needs Pillow: pip install tfgraph[image]") from None
        data = np.asarray(contents, dtype=object).item()
        try:
            img = Image.open(io.BytesIO(data))
            img.load()
        except Exception as e:  # noqa: BLE001 (Pillow raises many kinds)
            raise errors.InvalidArgumentError(None, None, "Unknown image file format. One of "
                                              "JPEG, PNG, GIF, BMP required. (%s)" % e) from None
        if channels == 1 and img.format == "PNG" and img.mode not in ("L", "LA", "I", "I;16"):
            # libpng's RGB -> gray, as TF decodes: 15-bit fixed-point 0.299 / 0.587 weights
            rgb = np.asarray(img.convert("RGB"), dtype=np.int64)
            gray = (9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15
            return gray.astype(np.uint8)[:, :, None]
        mode = {1: "L", 3: "RGB", 4: "RGBA"}.get(channels)
        if mode is None:
            mode = {"L": "L", "LA": "RGBA", "RGBA": "RGBA", "P": "RGBA" if
                    "transparency" in img.info else "RGB"}.get(img.mode, "RGB")
        arr = np.asarray(img.convert(mode), dtype=np.uint8)
        return arr[:, :, None] if arr.ndim == 2 else arr


def read_file(filename, name=None):
    """tf.io.read_file: the file's content as a string scalar."""
    return ReadFile.apply(filename, name=name)


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None,
                 expand_animations=False):
    """tf.io.decode_image (uint8 output; a GIF gives its first frame, rank 3)."""
    if dtypes.as_dtype(dtype) is not dtypes.uint8:
        raise ValueError("decode_image: tfgraph decodes to uint8 only, got dtype=%s"
                         % dtypes.as_dtype(dtype).name)
    return DecodeImage.apply(contents, channels=int(channels or 0), name=name)


__all__ = ["decode_image", "read_file"]
