"""TensorBoard interop (optional extra `tensorboard`): GraphDef protobufs and event files.

    gd = graph_def_proto(graph)          # name scopes, op types, devices, attrs, _output_shapes
    w = event_writer(logdir)             # tensorboard's own EventFileWriter
    w.add_event(Event(graph_def=gd.SerializeToString()))
"""
import socket
import time

import numpy as np

from tfgraph.framework import dtypes, tensor_shape

DEFAULT_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_MAX_CONST_BYTES = 1024  # larger Const values: dtype/shape text only (TensorBoard drops them)


def _tb():
    try:
        from tensorboard.compat.proto import (
            attr_value_pb2,
            event_pb2,
            graph_pb2,
            node_def_pb2,
            summary_pb2,
            tensor_pb2,
            tensor_shape_pb2,
        )
    except ImportError:
        raise ImportError("TensorBoard support needs the `tensorboard` package: pip install "
                          "tensorboard (or tfgraph[viz]).") from None
    return dict(attr=attr_value_pb2, event=event_pb2, graph=graph_pb2, node=node_def_pb2,
                summary=summary_pb2, tensor=tensor_pb2, shape=tensor_shape_pb2)


def _shape_proto(pb, shape):
    shape = tensor_shape.as_shape(shape)
    if shape.ndims is None:
        return pb["shape"].TensorShapeProto(unknown_rank=True)
    dims = [pb["shape"].TensorShapeProto.Dim(size=-1 if d is None else d) for d in shape.as_tuple()]
    return pb["shape"].TensorShapeProto(dim=dims)


def _tensor_proto(pb, arr):
    arr = np.asarray(arr)
    t = pb["tensor"].TensorProto(tensor_shape=_shape_proto(pb, arr.shape))
    if arr.dtype.kind in "USO":
        t.dtype = dtypes.string.as_datatype_enum
        t.string_val.extend(x if isinstance(x, bytes) else str(x).encode() for x in arr.ravel())
    else:
        t.dtype = dtypes.as_dtype(arr.dtype).as_datatype_enum
        t.tensor_content = np.ascontiguousarray(arr).tobytes()
    return t


def _attr_value(pb, v):
    AV = pb["attr"].AttrValue
    if isinstance(v, (bool, np.bool_)):
        return AV(b=bool(v))
    if isinstance(v, (int, np.integer)):
        return AV(i=int(v))
    if isinstance(v, (float, np.floating)):
        return AV(f=float(v))
    if isinstance(v, str):
        return AV(s=v.encode("utf-8"))
    if isinstance(v, dtypes.DType):
        return AV(type=v.as_datatype_enum)
    if isinstance(v, tensor_shape.TensorShape):
        return AV(shape=_shape_proto(pb, v))
    if isinstance(v, np.ndarray):
        if v.nbytes > _MAX_CONST_BYTES:
            return AV(s=("<%s %s>" % (v.dtype, list(v.shape))).encode())
        return AV(tensor=_tensor_proto(pb, v))
    if isinstance(v, (list, tuple)):
        lst = AV.ListValue()
        if all(isinstance(x, (bool, np.bool_)) for x in v):
            lst.b.extend(bool(x) for x in v)
        elif all(isinstance(x, (int, np.integer)) for x in v):
            lst.i.extend(int(x) for x in v)
        elif all(isinstance(x, (int, float, np.number)) for x in v):
            lst.f.extend(float(x) for x in v)
        else:
            lst.s.extend(str(x).encode() for x in v)
        return AV(list=lst)
    if v is None:
        return None
    return AV(s=repr(v).encode("utf-8"))


def graph_def_proto(graph):
    """A tensorboard GraphDef protobuf of `graph`, with `_output_shapes` and a device per node."""
    pb = _tb()
    nodes = []
    for op in graph.get_operations():
        n = pb["node"].NodeDef(name=op.name, op=op.type, device=op.device or DEFAULT_DEVICE)
        n.input.extend([t.op.name if t.value_index == 0 else t.name for t in op.inputs]
                       + ["^" + c.name for c in op.control_inputs])
        for k, v in op.attrs.items():
            av = _attr_value(pb, v)
            if av is not None:
                n.attr[k].CopyFrom(av)
        if op.outputs:
            dts = [t.dtype for t in op.outputs]
            if "T" not in n.attr and "dtype" not in n.attr:
                n.attr["T"].type = dts[0].as_datatype_enum
            n.attr["_output_shapes"].list.shape.extend([_shape_proto(pb, t.shape)
                                                       for t in op.outputs])
        nodes.append(n)
    gd = pb["graph"].GraphDef(node=nodes)
    gd.versions.producer = 27
    return gd


def event_writer(logdir, max_queue=10, flush_secs=120, filename_suffix=""):
    """tensorboard's EventFileWriter (writes the 'brain.Event:2' file_version record itself)."""
    _tb()
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    return EventFileWriter(logdir, max_queue_size=max_queue, flush_secs=flush_secs,
                           filename_suffix=filename_suffix or "")


def graph_event(graph, step=0):
    pb = _tb()
    return pb["event"].Event(wall_time=time.time(), step=step,
                             graph_def=graph_def_proto(graph).SerializeToString())


def summary_event(summary_bytes, step=None):
    pb = _tb()
    ev = pb["event"].Event(wall_time=time.time(),
                           summary=pb["summary"].Summary.FromString(bytes(summary_bytes)))
    if step is not None:
        ev.step = int(step)
    return ev


def hostname():
    return socket.gethostname()
