"""TF1's older spellings of existing ops, with their own signatures: tf.arg_max / tf.arg_min
(the raw ArgMax/ArgMin ops: `dimension` is required)."""
from tfgraph.framework import dtypes
from tfgraph.ops.indexing_ops import ArgMax, ArgMin
from tfgraph.ops.shape_args import _int_arg


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """tf.arg_max: the index of the largest value along `dimension` (int64 by default)."""
    return ArgMax.apply(input, _int_arg(dimension), output_type=dtypes.as_dtype(output_type),
                        name=name)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """tf.arg_min: the index of the smallest value along `dimension` (int64 by default)."""
    return ArgMin.apply(input, _int_arg(dimension), output_type=dtypes.as_dtype(output_type),
                        name=name)


__all__ = ["arg_max", "arg_min"]
