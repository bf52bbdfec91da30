"""tf.math's ops (TF's math_ops): broadcasting and Sum (broadcast_ops.py), elementwise ops
(elementwise_ops.py), reductions (reduction_ops.py) and matrix products (linalg_ops.py),
re-exported under one name.

`where` comes from indexing_ops (with one argument it returns indices); `select` is its
elementwise form, which the families below indexing use.
"""
from tfgraph.ops import broadcast_ops, elementwise_ops, linalg_ops, reduction_ops
from tfgraph.ops.broadcast_ops import *  # noqa: F401,F403
from tfgraph.ops.elementwise_ops import *  # noqa: F401,F403
from tfgraph.ops.broadcast_ops import (_check_kind, _expand_reduced, _norm_axes,  # noqa: F401
                                       sum_to_shape, unbroadcast)
from tfgraph.ops.elementwise_ops import (OnesLike, ZerosLike, _Binary, _Unary,  # noqa: F401
                                         ones_like_ops, select, zeros_like_ops)
from tfgraph.ops.linalg_ops import *  # noqa: F401,F403
from tfgraph.ops.reduction_ops import *  # noqa: F401,F403
from tfgraph.ops.reduction_ops import Mean, reduction_count  # noqa: F401
from tfgraph.ops.indexing_ops import where  # noqa: F401 - tf.where, also math_ops.where in TF

__all__ = (broadcast_ops.__all__ + elementwise_ops.__all__ + reduction_ops.__all__
           + linalg_ops.__all__ + ["where"])
