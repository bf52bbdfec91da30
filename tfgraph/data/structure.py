"""Nested element structures of tf.data: tuples (and namedtuples) and dicts of components.

As in tf.data, a list is one component (it converts to a tensor), not a structure; dict entries are
ordered by sorted key when flattened. At run time an element is a flat tuple of numpy arrays.
"""
from tfgraph.framework import dtypes, tensor_shape


class TensorSpec:
    """tf.TensorSpec: the shape and dtype of one element component."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = tensor_shape.as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    def is_compatible_with(self, other):
        return self._dtype == other.dtype and self._shape.is_compatible_with(other.shape)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self._dtype == other._dtype
                and self._shape.as_tuple() == other._shape.as_tuple() and self._name == other._name)

    def __hash__(self):
        return hash((self._dtype, self._shape.as_tuple()))

    def __repr__(self):
        dims = self._shape.as_tuple()
        shape = "<unknown>" if dims is None else "(%s)" % "".join("%s, " % d for d in dims)[:-2] \
            if len(dims) != 1 else "(%s,)" % dims[0]
        return "TensorSpec(shape=%s, dtype=tf.%s, name=%r)" % (shape, self._dtype.name,
                                                               self._name)


def is_nested(value):
    return isinstance(value, (tuple, dict))


def flatten(value):
    """The components of `value` in tf.data order (dict entries by sorted key)."""
    if isinstance(value, tuple):
        out = []
        for v in value:
            out.extend(flatten(v))
        return out
    if isinstance(value, dict):
        out = []
        for k in sorted(value):
            out.extend(flatten(value[k]))
        return out
    return [value]


def pack_as(structure, flat):
    """`flat` (a sequence) rebuilt in the shape of `structure`."""
    it = iter(flat)
    result = _pack(structure, it)
    return result


def _pack(structure, it):
    if isinstance(structure, tuple):
        items = [_pack(s, it) for s in structure]
        if hasattr(structure, "_fields"):  # namedtuple
            return type(structure)(*items)
        return tuple(items)
    if isinstance(structure, dict):
        packed = {k: _pack(structure[k], it) for k in sorted(structure)}
        return {k: packed[k] for k in structure}
    return next(it)


def map_structure(fn, structure):
    return pack_as(structure, [fn(v) for v in flatten(structure)])


def assert_same_structure(a, b, what):
    """Raises TypeError when `a` and `b` nest differently."""
    if _skeleton(a) != _skeleton(b):
        raise TypeError("%s: the two structures don't have the same nested structure.\n\n"
                        "First structure: %s\n\nSecond structure: %s" % (what, a, b))


def _skeleton(value):
    if isinstance(value, tuple):
        return ("t", tuple(_skeleton(v) for v in value))
    if isinstance(value, dict):
        return ("d", tuple((k, _skeleton(value[k])) for k in sorted(value)))
    return "."


def lists_to_tuples(value):
    """A function's result with lists read as tuples, as tf.data does for map functions."""
    if isinstance(value, list):
        return tuple(lists_to_tuples(v) for v in value)
    if isinstance(value, tuple):
        return pack_as(value, [lists_to_tuples(v) for v in value]) if hasattr(value, "_fields") \
            else tuple(lists_to_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: lists_to_tuples(v) for k, v in value.items()}
    return value


def types_of(spec):
    return map_structure(lambda s: s.dtype, spec)


def shapes_of(spec):
    return map_structure(lambda s: s.shape, spec)


def classes_of(spec):
    from tfgraph.framework.tensor import Tensor
    return map_structure(lambda s: Tensor, spec)


def spec_from(types, shapes=None):
    """An element spec from output_types and (optional) output_shapes structures."""
    if shapes is None:
        return map_structure(lambda t: TensorSpec(tensor_shape.unknown_shape(), t), types)
    flat_types = flatten(types)
    flat_shapes = flatten_up_to(types, shapes)
    return pack_as(types, [TensorSpec(s, t) for t, s in zip(flat_types, flat_shapes)])


def flatten_up_to(structure, values, leaf=tensor_shape.as_shape):
    """`values` flattened only as deep as `structure` (a leaf may be a list, [None, 2]); each leaf
    through `leaf`."""
    if isinstance(structure, tuple):
        if not isinstance(values, (tuple, list)) or len(values) != len(structure):
            raise ValueError("The two structures don't have the same sequence length. Input "
                             "structure has length %s, while shallow structure has length %s."
                             % (_len(values), len(structure)))
        out = []
        for s, v in zip(structure, values):
            out.extend(flatten_up_to(s, v, leaf))
        return out
    if isinstance(structure, dict):
        if not isinstance(values, dict) or set(values) != set(structure):
            raise ValueError("The two structures don't have the same keys: %s and %s"
                             % (sorted(structure), values))
        out = []
        for k in sorted(structure):
            out.extend(flatten_up_to(structure[k], values[k], leaf))
        return out
    return [leaf(values)]


def _len(v):
    return len(v) if hasattr(v, "__len__") else 1
