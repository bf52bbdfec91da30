"""Hand-written protobuf wire encoding of TensorBoard `Summary` messages (no protobuf dependency).

Summary ops build these bytes at run time; serialized Summaries concatenate into one Summary (the
repeated `value` field), which is all MergeSummary does. Field numbers are those of
tensorflow/core/framework/summary.proto: Summary.value=1; Value.tag=1, simple_value=2, image=4,
histo=5, tensor=8, metadata=9.
"""
import struct
import zlib

import numpy as np

from tfgraph.kernels import histogram as histogram_kernel


def _varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _len_field(num, payload):
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _int_field(num, n):
    return _varint(num << 3) + _varint(int(n))


def _str(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def _value(tag, body):
    return _len_field(1, _len_field(1, _str(tag)) + body)


def scalar(tag, x):
    """Summary bytes with one simple_value (what TF1's ScalarSummary writes)."""
    return _value(tag, _varint(2 << 3 | 5) + struct.pack("<f", float(x)))


def _double_nz(num, x):
    """A double field as proto3 writes it: left out when it is +0.0."""
    b = struct.pack("<d", float(x))
    return b"" if b == b"\0" * 8 else _varint(num << 3 | 1) + b


def histogram(tag, values):
    """Summary bytes with a HistogramProto over TF1's exponential bucket limits, byte for byte
    what TensorFlow's HistogramSummary op writes (runs of empty buckets collapsed into one)."""
    lo, hi, num, total, squares, limits, counts = histogram_kernel.histogram_stats(values)
    body = b"".join([_double_nz(1, lo), _double_nz(2, hi), _double_nz(3, num),
                     _double_nz(4, total), _double_nz(5, squares),
                     _len_field(6, limits.astype("<f8").tobytes()),
                     _len_field(7, counts.astype("<f8").tobytes())])
    return _value(tag, _len_field(5, body))


def png(image):
    """PNG bytes of an HxWxC uint8 array (C = 1 grey, 3 RGB, 4 RGBA)."""
    h, w, c = image.shape
    color = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def to_uint8(images):
    """TF1's image summary scaling: floats >= 0 scale so the max is 255, else shift by the min."""
    x = np.asarray(images)
    if x.dtype == np.uint8:
        return x
    x = x.astype(np.float64)
    lo, hi = x.min(), x.max()
    if lo >= 0:
        x = x * (255.0 / hi if hi > 1 else 255.0) if hi > 0 else x
    else:
        x = (x - lo) * (255.0 / (hi - lo) if hi > lo else 1.0)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def image(tag, images, max_outputs=3):
    """Summary bytes with one PNG per image of a [batch, h, w, c] array (tags 'tag/image/i')."""
    imgs = to_uint8(images)[:max_outputs]
    out = b""
    for i, img in enumerate(imgs):
        h, w, c = img.shape
        body = _int_field(1, h) + _int_field(2, w) + _int_field(3, c) + _len_field(4, png(img))
        name = "%s/image" % tag if len(imgs) == 1 else "%s/image/%d" % (tag, i)
        out += _value(name, _len_field(4, body))
    return out


def _metadata(plugin, content=b"", data_class=None):
    body = _len_field(1, _len_field(1, _str(plugin)) + (_len_field(2, content) if content else b""))
    return body + (_int_field(4, data_class) if data_class else b"")


def _shape(dims):
    return b"".join(_len_field(2, _int_field(1, d)) for d in dims)


def text(tag, strings):
    """Summary bytes with a DT_STRING tensor under the 'text' plugin."""
    arr = np.asarray(strings, dtype=object)
    vals = b"".join(_len_field(8, _str(s)) for s in arr.ravel())
    tensor = _int_field(1, 7) + _len_field(2, _shape(arr.shape)) + vals
    return _value(tag, _len_field(9, _metadata("text")) + _len_field(8, tensor))


def tensor_scalar(tag, x):
    """Summary bytes with a rank-0 DT_FLOAT tensor under the 'scalars' plugin (TF2/Keras style)."""
    tensor = _int_field(1, 1) + _len_field(2, b"") + _len_field(5, struct.pack("<f", float(x)))
    return _value(tag, _len_field(9, _metadata("scalars", data_class=1)) + _len_field(8, tensor))


def keras_model(tag, model_json):
    """Summary with the model's JSON config as TensorBoard's conceptual graph (plugin
    graph_keras_model, content b"1", BLOB_SEQUENCE), as Keras's TensorBoard callback writes it."""
    tensor = _int_field(1, 7) + _len_field(2, _shape([1])) + _len_field(8, _str(model_json))
    return _value(tag, _len_field(9, _metadata("graph_keras_model", b"1", data_class=3))
                  + _len_field(8, tensor))
