"""TF's array_ops, re-exported under one name: constant, shape ops (shape_ops.py), the other array
ops (array_core_ops.py) and indexing: slicing, gather and the rest (indexing_ops.py).

The families import each other bottom-up (shape_args < shape_ops < math < array_core_ops <
gather_ops < slicing_ops < indexing_ops); only modules above them import this one.
"""
from tfgraph.framework.op_def import Const, constant  # noqa: F401 - tf.constant
from tfgraph.ops.array_core_ops import *  # noqa: F401,F403
from tfgraph.ops.indexing_ops import *  # noqa: F401,F403
from tfgraph.ops.indexing_ops import _slice_helper, strided_slice_grad, where_indices  # noqa: F401
from tfgraph.ops.shape_ops import *  # noqa: F401,F403

__all__ = [
    "constant",
    "placeholder",
    "placeholder_with_default",
    "identity",
    "stop_gradient",
    "stack",
    "unstack",
    "shape",
    "size",
    "rank",
    "strided_slice",
    "slice",
    "fill",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "reshape",
    "expand_dims",
    "squeeze",
    "transpose",
    "matrix_transpose",
    "invert_permutation",
    "concat",
    "split",
    "gather",
    "gather_nd",
    "scatter_nd",
    "unsorted_segment_sum",
    "one_hot",
    "tile",
    "pad",
    "reverse",
    "reverse_v2",
    "reverse_sequence",
    "range",
    "boolean_mask",
    "sequence_mask",
    "argmax",
    "argmin",
    "broadcast_dynamic_shape",
    "broadcast_static_shape",
    "newaxis",
    "where",
]
