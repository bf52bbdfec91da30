"""Evenly spaced values and coordinate grids, composed of existing ops (their gradients follow):
tf.linspace / tf.lin_space and tf.meshgrid, built as tf.compat.v1 of TensorFlow 2 builds them."""
from tfgraph.framework import dtypes
from tfgraph.framework.op_def import constant_value, convert_to_tensor
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_core_ops, elementwise_ops, shape_ops, slicing_ops
from tfgraph.ops.shape_args import _norm_axis


def linspace(start, stop, num, name=None, axis=0):
    """tf.linspace / tf.lin_space: `num` values from `start` to `stop` (both included) along a new
    `axis`; `start`/`stop` may be tensors of one shape (integers give float64). The last value is
    `stop` exactly."""
    with name_scope(name, "linspace", [start, stop]):
        start = convert_to_tensor(start, name="start")
        stop = convert_to_tensor(stop, name="stop", dtype=start.dtype)
        if start.dtype.is_integer:     # as TF 2's linspace: integer ends give float64 values
            start = elementwise_ops.cast(start, dtypes.float64)
            stop = elementwise_ops.cast(stop, dtypes.float64)
        if not start.dtype.is_floating:
            raise TypeError("linspace: start and stop must be float32 or float64, got %s"
                            % start.dtype.name)
        num_int = convert_to_tensor(num, name="num")
        if not num_int.dtype.is_integer:
            raise TypeError("linspace: num must be an integer, got %s" % num_int.dtype.name)
        known = constant_value(num_int)
        rank = start.shape.ndims
        if rank is None:
            raise ValueError("linspace: start needs a known rank")
        axis = _norm_axis(axis, rank + 1, "axis")
        first = shape_ops.expand_dims(start, axis)
        last = shape_ops.expand_dims(stop, axis)
        num_int = elementwise_ops.cast(num_int, dtypes.int64)
        one = convert_to_tensor(1, dtypes.int64)
        n_steps = elementwise_ops.maximum(num_int - one, one)
        delta = (last - first) / elementwise_ops.cast(n_steps, start.dtype)
        steps = elementwise_ops.cast(array_core_ops.range(one, n_steps, dtype=dtypes.int64),
                                     start.dtype)
        steps = shape_ops.reshape(steps, [1] * axis + [-1] + [1] * (rank - axis))
        middle = first + steps * delta
        values = array_core_ops.concat([first, middle, last], axis)
        # num == 1 gives [start], num == 0 an empty axis: the leading `num` of the concatenation
        count = elementwise_ops.maximum(num_int, convert_to_tensor(0, dtypes.int64))
        count = elementwise_ops.cast(count, dtypes.int32) if known is None else max(int(known), 0)
        size = [-1] * axis + [count] + [-1] * (rank - axis)
        out = slicing_ops.slice(values, [0] * (rank + 1),
                                size if known is not None else shape_ops.stack(size))
        if known is not None:
            dims = start.shape.as_list()
            out.set_shape(dims[:axis] + [max(int(known), 0)] + dims[axis:])
        return out


lin_space = linspace


def meshgrid(*args, **kwargs):
    """tf.meshgrid(*args, indexing='xy', name='meshgrid'): N-D coordinate arrays from 1-D ones;
    'xy' (Cartesian) swaps the first two output axes, 'ij' (matrix) keeps the argument order."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        key = list(kwargs)[0]
        raise TypeError("'{}' is an invalid keyword argument for this function".format(key))
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got %r"
                         % (indexing,))
    with name_scope(name, "meshgrid", list(args)):
        ndim = len(args)
        if not ndim:
            return []
        ones_shape = [1] * ndim
        outputs = []
        for i, x in enumerate(args):
            x = x if isinstance(x, Tensor) else convert_to_tensor(x)
            outputs.append(shape_ops.reshape(x,
                                             ones_shape[:i] + [-1] + ones_shape[i + 1:]))
        sizes = [shape_ops.size(x) for x in args]
        dtype = outputs[0].dtype
        if indexing == "xy" and ndim > 1:
            outputs[0] = shape_ops.reshape(outputs[0], [1, -1] + [1] * (ndim - 2))
            outputs[1] = shape_ops.reshape(outputs[1], [-1, 1] + [1] * (ndim - 2))
            sizes[0], sizes[1] = sizes[1], sizes[0]
        fill = array_core_ops.ones(shape_ops.stack(sizes), dtype)
        return [x * fill for x in outputs]


__all__ = ["linspace", "lin_space", "meshgrid"]
