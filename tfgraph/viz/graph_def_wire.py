"""A graph as TensorFlow's GraphDef protobuf bytes, encoded by hand (no protobuf, no tensorboard).

The same message that `tensorboard.graph_def_proto(graph).SerializeToString()` builds with
tensorboard's protobuf classes (name scopes, op types, devices, attrs, `_output_shapes`), so that
`FileWriter(logdir, sess.graph)` needs no optional package. Field numbers are those of
tensorflow/core/framework/{graph,node_def,attr_value,tensor,tensor_shape,versions}.proto.
"""
import struct

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.viz.summary_proto import _len_field, _str, _varint

DEFAULT_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
MAX_CONST_BYTES = 1024  # larger Const values: dtype/shape text only (TensorBoard drops them)
PRODUCER = 27


def _int(num, n):
    return _varint(num << 3) + _varint(int(n))


def _packed_varints(num, values):
    return _len_field(num, b"".join(_varint(int(v)) for v in values)) if values else b""


def shape_bytes(shape):
    """TensorShapeProto: dim=2 (Dim.size=1; -1 for an unknown size), unknown_rank=3."""
    shape = tensor_shape.as_shape(shape)
    if shape.ndims is None:
        return _int(3, 1)
    return b"".join(_len_field(2, _int(1, -1 if d is None else d) if d != 0 else b"")
                    for d in shape.as_tuple())


def tensor_bytes(arr):
    """TensorProto: dtype=1, tensor_shape=2, tensor_content=4 (string_val=8 for strings)."""
    arr = np.asarray(arr)
    if arr.dtype.kind in "USO":
        body = _int(1, dtypes.string.as_datatype_enum) + _len_field(2, shape_bytes(arr.shape))
        return body + b"".join(_len_field(8, x if isinstance(x, bytes) else str(x).encode())
                               for x in arr.ravel())
    body = _int(1, dtypes.as_dtype(arr.dtype).as_datatype_enum)
    body += _len_field(2, shape_bytes(arr.shape))
    content = np.ascontiguousarray(arr).tobytes()
    return body + (_len_field(4, content) if content else b"")


def attr_bytes(v):
    """AttrValue bytes (oneof: list=1, s=2, i=3, f=4, b=5, type=6, shape=7, tensor=8), or None
    for an attr TensorBoard does not get (None values)."""
    if isinstance(v, (bool, np.bool_)):
        return _int(5, bool(v))
    if isinstance(v, (int, np.integer)):
        return _int(3, v)
    if isinstance(v, (float, np.floating)):
        return _varint(4 << 3 | 5) + struct.pack("<f", float(v))
    if isinstance(v, str):
        return _len_field(2, v.encode("utf-8"))
    if isinstance(v, dtypes.DType):
        return _int(6, v.as_datatype_enum)
    if isinstance(v, tensor_shape.TensorShape):
        return _len_field(7, shape_bytes(v))
    if isinstance(v, np.ndarray):
        if v.nbytes > MAX_CONST_BYTES:
            return _len_field(2, ("<%s %s>" % (v.dtype, list(v.shape))).encode())
        return _len_field(8, tensor_bytes(v))
    if isinstance(v, (list, tuple)):
        if all(isinstance(x, (bool, np.bool_)) for x in v):
            body = _packed_varints(5, [bool(x) for x in v])
        elif all(isinstance(x, (int, np.integer)) for x in v):
            body = _packed_varints(3, v)
        elif all(isinstance(x, (int, float, np.number)) for x in v):
            body = _len_field(4, struct.pack("<%df" % len(v), *v)) if v else b""
        else:
            body = b"".join(_len_field(2, str(x).encode()) for x in v)
        return _len_field(1, body)
    if v is None:
        return None
    return _len_field(2, repr(v).encode("utf-8"))


def node_bytes(op):
    """NodeDef: name=1, op=2, input=3, device=4, attr=5 (map entries key=1, value=2)."""
    out = _len_field(1, _str(op.name)) + _len_field(2, _str(op.type))
    for name in ([t.op.name if t.value_index == 0 else t.name for t in op.inputs]
                 + ["^" + c.name for c in op.control_inputs]):
        out += _len_field(3, _str(name))
    out += _len_field(4, _str(op.device or DEFAULT_DEVICE))
    attrs = {}
    for k, v in op.attrs.items():
        av = attr_bytes(v)
        if av is not None:
            attrs[k] = av
    if op.outputs:
        if "T" not in attrs and "dtype" not in attrs:
            attrs["T"] = _int(6, op.outputs[0].dtype.as_datatype_enum)
        shapes = b"".join(_len_field(7, shape_bytes(t.shape)) for t in op.outputs)
        attrs["_output_shapes"] = _len_field(1, shapes)
    for k, av in attrs.items():
        out += _len_field(5, _len_field(1, _str(k)) + _len_field(2, av))
    return out


def graph_def_bytes(graph):
    """GraphDef: node=1, versions=4 (producer=1)."""
    return (b"".join(_len_field(1, node_bytes(op)) for op in graph.get_operations())
            + _len_field(4, _int(1, PRODUCER)))
