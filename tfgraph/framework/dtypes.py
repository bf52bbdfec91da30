"""DType objects (tf.float32, tf.int64, ...) and their numpy mapping.

tfgraph never mixes dtypes implicitly: binary ops require equal dtypes, as TF1 does.
"""
import numpy as np


class DType:
    """A TF1-style dtype: `tf.float32.name == "float32"`, `.as_numpy_dtype`, `.is_floating`."""

    __slots__ = ("name", "np", "_tf_enum")

    def __init__(self, name, np_dtype, tf_enum):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._tf_enum = tf_enum  # DataType enum value in TF's types.proto (used by exporters)

    @property
    def as_numpy_dtype(self):
        return self.np.type

    @property
    def base_dtype(self):
        return self

    @property
    def is_floating(self):
        return self.np.kind == "f"

    @property
    def is_integer(self):
        return self.np.kind in "iu"

    @property
    def is_unsigned(self):
        return self.np.kind == "u"

    @property
    def is_bool(self):
        return self.np.kind == "b"

    @property
    def is_numeric(self):
        return self.np.kind in "iuf"

    @property
    def is_complex(self):
        return False  # tfgraph has no complex dtypes

    @property
    def is_quantized(self):
        return False

    @property
    def real_dtype(self):
        return self

    @property
    def limits(self):
        return (self.min, self.max)

    @property
    def as_datatype_enum(self):
        return self._tf_enum

    @property
    def size(self):
        return self.np.itemsize

    @property
    def min(self):
        return np.finfo(self.np).min if self.is_floating else np.iinfo(self.np).min

    @property
    def max(self):
        return np.finfo(self.np).max if self.is_floating else np.iinfo(self.np).max

    def is_compatible_with(self, other):
        return self is as_dtype(other)

    def __repr__(self):
        return "tf." + self.name

    def __str__(self):
        return "<dtype: %r>" % self.name

    def __eq__(self, other):
        if other is None:
            return False
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16, 19)
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
bool = DType("bool", np.bool_, 10)  # noqa: A001 - TF's public name
string = DType("string", np.object_, 7)
# A host object flowing between ops (TensorArray values in control flow); never fed or exported.
variant = DType("variant", np.object_, 21)
half = float16
double = float64
# Handles to session resources (iterators) and opaque values: Python objects at run time.
resource = DType("resource", np.object_, 20)
variant = DType("variant", np.object_, 21)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, bool, string]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, double=float64, float=float32, resource=resource, variant=variant)
_BY_NP = {d.np: d for d in _ALL}
_BY_NAME["variant"] = variant


def as_dtype(type_value):
    """Converts a DType, numpy dtype, python type or name to a DType (tf.as_dtype)."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    try:
        npd = np.dtype(type_value)
    except TypeError:
        raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,)) from None
    if npd.kind in "US":
        return string
    if npd in _BY_NP:
        return _BY_NP[npd]
    raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))


def dtype_of_value(value):
    """The dtype TF1 gives a python/numpy value in tf.constant: python floats are float32, ints int32."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        if value.dtype.kind in "USO":
            return string
        return as_dtype(value.dtype)
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        return float32
    if arr.dtype.kind in "iu":
        if arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < np.iinfo(np.int32).min):
            return int64
        return int32
    if arr.dtype.kind == "b":
        return bool
    if arr.dtype.kind in "USO":
        return string
    raise TypeError("Cannot convert %r to a tensor." % (value,))
