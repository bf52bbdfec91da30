"""C-style integer division and remainder: tf.truncatediv / tf.truncatemod (rounding toward zero,
the remainder takes the sign of x), beside the Python-style floordiv / floormod."""
import numpy as np

from tfgraph.ops.elementwise_ops import _Binary


def _truncate_div(x, y):
    if np.issubdtype(np.asarray(x).dtype, np.floating):
        return np.trunc(np.true_divide(x, y)).astype(np.result_type(x, y))
    q = np.floor_divide(x, y)
    # floor and truncation differ where the signs differ and the division is not exact
    fix = (np.remainder(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0))
    return (q + fix).astype(q.dtype)


class TruncateDiv(_Binary):
    """x / y rounded toward zero. TensorFlow gives it a zero gradient (None for both inputs)."""
    type = "TruncateDiv"
    fn = staticmethod(_truncate_div)

    def grad(self, op, dy):
        return [None, None]


class TruncateMod(_Binary):
    """x - truncatediv(x, y) * y: the remainder with the sign of x (C's fmod). Not differentiable,
    as in TensorFlow (grad stays None, so tf.gradients raises LookupError)."""
    type = "TruncateMod"
    fn = staticmethod(np.fmod)


def truncatediv(x, y, name=None):
    """tf.truncatediv: x / y rounded toward zero (C semantics)."""
    return TruncateDiv.apply(x, y, name=name)


def truncatemod(x, y, name=None):
    """tf.truncatemod: the remainder of truncatediv, with the sign of x."""
    return TruncateMod.apply(x, y, name=name)


truncate_div = truncatediv
truncate_mod = truncatemod

__all__ = ["truncatediv", "truncatemod", "truncate_div", "truncate_mod"]
