"""What is known at graph-construction time of shape arguments (perm, multiples, paddings,
begin/size, axis): the helpers every array-op family uses to keep static shapes exact.

Shape arguments are graph inputs as in TF; their values are folded at graph-construction time
where known (`_partial_value`), including unknown batch dims read from tf.shape(x)[i].
Index/shape tensors are int32 by default, int64 accepted.
"""
import builtins

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import constant_value, convert_to_tensor, require
from tfgraph.framework.tensor import Tensor

_pyrange, _pyslice = builtins.range, builtins.slice  # tf.range / tf.slice shadow the builtins


# -- build-time values of shape arguments ---------------------------------------------------------
class _Dim:
    """Unknown dimension `index` of `tensor`, met as tf.shape(tensor)[index] in a shape argument."""

    __slots__ = ("tensor", "index")

    def __init__(self, tensor, index):
        self.tensor, self.index = tensor, index


def _partial_value(t):
    """What is known at graph-construction time of a small int tensor (a shape, axis or perm).

    An int (scalar) or a list of ints/None (vector); None when nothing is known. Like TF's
    constant_value_as_shape it sees through Shape (partially known), Pack, ConcatV2, StridedSlice
    and GatherV2 of such vectors.
    """
    v = _partial(t)
    if isinstance(v, list):
        return [d if isinstance(d, int) else None for d in v]
    return v if isinstance(v, int) else None


def _partial(t):
    """_partial_value, with unknown dims read from tf.shape(x) kept as _Dim(x, i), so that
    `reshape(x, [tf.shape(x)[0], -1])` can cancel the batch dim and keep a static (?, 12)."""
    if not isinstance(t, Tensor):
        return None
    v = constant_value(t)
    if v is not None:
        v = np.asarray(v)
        return int(v) if v.ndim == 0 else [int(d) for d in v] if v.ndim == 1 else None
    op = t.op
    out = None
    if op.type == "Shape":
        dims = op.inputs[0].shape.as_tuple()
        out = None if dims is None else [_Dim(op.inputs[0], i) if d is None else d
                                         for i, d in enumerate(dims)]
    elif op.type in ("Identity", "Cast"):
        out = _partial(op.inputs[0])
    elif op.type == "Pack" and t.shape.ndims == 1:
        out = [v if isinstance(v, (int, _Dim)) else None for v in map(_partial, op.inputs)]
    elif op.type == "ConcatV2":
        parts = [_partial(x) for x in op.inputs[:-1]]
        if all(isinstance(p, list) for p in parts):
            out = [d for p in parts for d in p]
    elif op.type in ("StridedSlice", "GatherV2"):
        base = _partial(op.inputs[0])
        consts = [constant_value(x) for x in op.inputs[1:]]
        if isinstance(base, list) and all(c is not None for c in consts):
            arr = np.array(base + [0], dtype=object)[:-1]  # keeps a 1-D object array
            try:
                if op.type == "StridedSlice":
                    out = arr[strided_slice_index(*consts, **op.attrs)]
                elif int(consts[1]) == 0:
                    out = arr[np.asarray(consts[0])]
            except IndexError:
                out = None
            if isinstance(out, np.ndarray):
                out = list(out) if out.ndim == 1 else None
    if isinstance(out, (list, tuple)):
        return [d if d is None or isinstance(d, _Dim) else int(d) for d in out]
    if out is not None:
        return out if isinstance(out, _Dim) else int(out)
    dims = t.shape.as_tuple()
    return [None] * dims[0] if dims is not None and len(dims) == 1 and dims[0] is not None else None


def _plain(target):
    return [None if isinstance(d, _Dim) else d for d in target]


def _consts(op, first=1):
    """Build-time values of op's inputs from `first` on (shape arguments), or None if any is not
    constant. make_kernel uses them to bind shape arguments once, at plan time."""
    values = [constant_value(t) for t in op.inputs[first:]]
    return None if any(v is None for v in values) else values


def _shape_arg(t):
    """A TensorShape from a 1-D shape tensor: known entries where foldable, else unknown."""
    v = _partial_value(t)
    if isinstance(v, list):
        return tensor_shape.TensorShape([None if d is None or d < 0 else d for d in v])
    return tensor_shape.unknown_shape()


def _norm_axis(axis, ndims, what="axis"):
    """`axis` in [0, ndims) (negative counts from the end); ValueError naming the valid range."""
    require(-ndims <= axis < ndims, "Expected %s in the range [%d, %d), but got %d"
            % (what, -ndims, ndims, axis))
    return axis % ndims if ndims else axis


def _dims(x):
    return x.shape.as_tuple()


def _check_index_dtype(t, what):
    if t.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: int32, int64" % (what, t.dtype.name))


def _with_shape(t, shape):
    """Sets the static shape of a gradient whose ops could not fold it (dynamic shape arguments)."""
    if t.shape.is_compatible_with(shape):
        t.set_shape(shape)
    return t


def _int_arg(value):
    """Python/numpy ints (or lists of them) become int32 constants; tensors pass through."""
    if isinstance(value, Tensor) or hasattr(value, "_to_tensor"):
        return convert_to_tensor(value)
    return convert_to_tensor(value, dtypes.int32)


def _shape_str(shape):
    if shape.ndims is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"


# -- strided-slice index specs (StridedSlice itself lives in indexing_ops) ---------------------
def strided_slice_index(begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0,
                        new_axis_mask=0, shrink_axis_mask=0):
    """The numpy index tuple a StridedSlice spec stands for."""
    index = []
    for i in _pyrange(len(begin)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(np.newaxis)
        elif shrink_axis_mask & bit:
            index.append(int(begin[i]))
        else:
            index.append(_pyslice(None if begin_mask & bit else int(begin[i]),
                                  None if end_mask & bit else int(end[i]), int(strides[i])))
    return tuple(index)
