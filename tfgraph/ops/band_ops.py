"""tf.matrix_band_part / tf.linalg.band_part: keeps a band of each innermost matrix, zeroes the
rest (num_lower sub-diagonals and num_upper super-diagonals; a negative count keeps the whole
triangle)."""
import numpy as np

from tfgraph.framework import tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, require
from tfgraph.ops.shape_args import _check_index_dtype, _int_arg, _partial_value


def _band_mask(rows, cols, lower, upper):
    m = np.arange(rows)[:, None]
    n = np.arange(cols)[None, :]
    return ((lower < 0) | (m - n <= lower)) & ((upper < 0) | (n - m <= upper))


class MatrixBandPart(OpDef):
    """out[..., m, n] = in_band(m, n) * input[..., m, n]."""
    type = "MatrixBandPart"

    def infer(self, x, num_lower, num_upper):
        _check_index_dtype(num_lower, "num_lower")
        _check_index_dtype(num_upper, "num_upper")
        for t, what in ((num_lower, "num_lower"), (num_upper, "num_upper")):
            require(t.shape.ndims in (None, 0), "Shape must be rank 0 but is rank %d for "
                    "'MatrixBandPart' (%s)" % (t.shape.ndims or 0, what))
        dims = x.shape.as_tuple()
        if dims is not None:
            require(len(dims) >= 2, "Shape must be at least rank 2 but is rank %d for "
                    "'MatrixBandPart' (input)" % len(dims))
            for t, d, what in ((num_lower, dims[-2], "rows"), (num_upper, dims[-1], "columns")):
                v = _partial_value(t)
                if isinstance(v, int) and d is not None:
                    require(v <= d, "MatrixBandPart: %s must be negative or less or equal to "
                            "number of %s (%d) got: %d"
                            % ("num_lower" if what == "rows" else "num_upper", what, d, v))
        return [TensorSpec(x.shape if dims is not None else tensor_shape.unknown_shape(),
                           x.dtype)]

    def compute(self, x, num_lower, num_upper):
        rows, cols = x.shape[-2:]
        lower, upper = int(num_lower), int(num_upper)
        if lower > rows:
            raise ValueError("num_lower must be negative or less or equal to number of rows (%d) "
                             "got: %d" % (rows, lower))
        if upper > cols:
            raise ValueError("num_upper must be negative or less or equal to number of columns "
                             "(%d) got: %d" % (cols, upper))
        return np.where(_band_mask(rows, cols, lower, upper), x, np.zeros((), x.dtype))

    def grad(self, op, dy):
        return [MatrixBandPart.apply(dy, op.inputs[1], op.inputs[2]), None, None]


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """tf.matrix_band_part / tf.linalg.band_part: the central band of each innermost matrix;
    band_part(x, 0, -1) is the upper triangle, (-1, 0) the lower, (0, 0) the diagonal."""
    return MatrixBandPart.apply(input, _int_arg(num_lower), _int_arg(num_upper), name=name)


band_part = matrix_band_part

__all__ = ["matrix_band_part"]
