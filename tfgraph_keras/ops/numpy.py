"""keras.ops, numpy-like set (elementwise, comparisons, reductions, sorting): Keras 3 names,
arguments and dtype rules on tfgraph graph ops. Shape manipulation, creation and indexing are in
ops/array.py, products and norms in ops/linalg.py.

Dtypes follow Keras 3 on its TensorFlow backend (recorded in tests/data/keras_ops_cases.json):
binary ops promote with `core.result_type` (Python scalars are weak), float-valued ops turn
integers into floatx, sums of bool/int8/int16 are int32, index results are int32.
"""

import numpy as np

import tfgraph as tf
from tfgraph_keras.ops._helpers import (
    _binary,
    _dims,
    _floating,
    _gather_last,
    _move_last,
    _promoted,
    _static,
)
from tfgraph_keras.ops.array import nonzero
from tfgraph_keras.ops.core import floatx, keras_op, result_type, tensor


# -- elementwise arithmetic ------------------------------------------------------------------------
@keras_op
def add(x1, x2):
    return _binary(tf.add, x1, x2)


@keras_op
def subtract(x1, x2):
    return _binary(tf.subtract, x1, x2)


@keras_op
def multiply(x1, x2):
    return _binary(tf.multiply, x1, x2)


@keras_op
def divide(x1, x2):
    """keras.ops.divide: true division; integers give floatx."""
    return _binary(tf.truediv, x1, x2, extra=(float,))


true_divide = divide


@keras_op
def floor_divide(x1, x2):
    return _binary(tf.floordiv, x1, x2)


@keras_op
def mod(x1, x2):
    a, b = tensor(x1), tensor(x2)
    dtype = result_type(a.dtype.name, b.dtype.name)
    dtype = "int32" if dtype == "bool" else dtype
    return tf.mod(tensor(a, dtype), tensor(b, dtype))


@keras_op
def power(x1, x2):
    return _binary(tf.pow, x1, x2)


@keras_op
def maximum(x1, x2):
    return _binary(tf.maximum, x1, x2)


@keras_op
def minimum(x1, x2):
    return _binary(tf.minimum, x1, x2)


@keras_op
def negative(x):
    return tf.negative(tensor(x))


@keras_op
def square(x):
    x = tensor(x)
    return tf.square(tf.cast(x, "int32") if x.dtype.is_bool else x)


@keras_op
def abs(x):
    return tf.abs(tensor(x))


absolute = abs


@keras_op
def sign(x):
    return tf.sign(tensor(x))


@keras_op
def floor(x):
    return tf.floor(_floating(x))


@keras_op
def ceil(x):
    return tf.ceil(_floating(x))


@keras_op
def round(x, decimals=0):
    """keras.ops.round: half to even, at `decimals` places."""
    x = tensor(x)
    if decimals == 0:
        return x if x.dtype.is_integer else tf.round(x)
    if x.dtype.is_integer and decimals > 0:
        return x
    work = x if x.dtype.is_floating else tf.cast(x, floatx())
    factor = tf.constant(10.0 ** decimals, work.dtype)
    return tf.cast(tf.truediv(tf.round(work * factor), factor), x.dtype)


@keras_op
def clip(x, x_min, x_max):
    x = tensor(x)
    if x.dtype.is_bool:
        x = tf.cast(x, "int32")
    return tf.minimum(tf.maximum(x, tensor(x_min, x.dtype.name)), tensor(x_max, x.dtype.name))


@keras_op
def where(condition, x1=None, x2=None):
    """keras.ops.where: elementwise choice; with only `condition`, the indices of its nonzeros."""
    condition = tensor(condition, "bool")
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` either both should be `None` or both should have "
                         "non-None value.")
    a, b = _promoted(x1, x2)
    return tf.where(condition, a, b)


# -- float-valued unary ops (integers compute in floatx) -------------------------------------------
def _unary_float(fn):
    def op(x):
        return fn(_floating(x))
    return op


sqrt = keras_op(_unary_float(tf.sqrt))
exp = keras_op(_unary_float(tf.exp))
log = keras_op(_unary_float(tf.log))
log1p = keras_op(_unary_float(tf.log1p))
expm1 = keras_op(_unary_float(tf.expm1))
sin = keras_op(_unary_float(tf.sin))
cos = keras_op(_unary_float(tf.cos))
tan = keras_op(_unary_float(tf.tan))
tanh = keras_op(_unary_float(tf.tanh))
sinh = keras_op(_unary_float(tf.sinh))
cosh = keras_op(_unary_float(tf.cosh))
arcsin = keras_op(_unary_float(tf.asin))
arccos = keras_op(_unary_float(tf.acos))
arctan = keras_op(_unary_float(tf.atan))
reciprocal = keras_op(_unary_float(tf.reciprocal))
for _f, _n in ((sqrt, "sqrt"), (exp, "exp"), (log, "log"), (log1p, "log1p"), (expm1, "expm1"),
               (sin, "sin"), (cos, "cos"), (tan, "tan"), (tanh, "tanh"), (sinh, "sinh"),
               (cosh, "cosh"), (arcsin, "arcsin"), (arccos, "arccos"), (arctan, "arctan"),
               (reciprocal, "reciprocal")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = "keras.ops.%s (integers compute in floatx)." % _n


@keras_op
def arcsinh(x):
    x = _floating(x)
    # asinh(x) = sign(x) log(|x| + sqrt(x^2 + 1)), odd form keeps precision for negative x
    ax = tf.abs(x)
    return tf.sign(x) * tf.log(ax + tf.sqrt(tf.square(ax) + 1))


@keras_op
def arccosh(x):
    x = _floating(x)
    return tf.log(x + tf.sqrt(tf.square(x) - 1))


@keras_op
def arctanh(x):
    x = _floating(x)
    return 0.5 * (tf.log1p(x) - tf.log1p(-x))


@keras_op
def arctan2(x1, x2):
    a, b = _promoted(x1, x2, extra=(float,))
    return tf.atan2(a, b)


@keras_op
def log2(x):
    x = _floating(x)
    return tf.log(x) / tf.constant(np.log(2.0), x.dtype)


@keras_op
def log10(x):
    x = _floating(x)
    return tf.log(x) / tf.constant(np.log(10.0), x.dtype)


@keras_op
def exp2(x):
    x = _floating(x)
    return tf.exp(x * tf.constant(np.log(2.0), x.dtype))


# -- comparisons and logic -------------------------------------------------------------------------
def _compare(fn):
    def op(x1, x2):
        return _binary(fn, x1, x2)
    return op


equal = keras_op(_compare(tf.equal))
not_equal = keras_op(_compare(tf.not_equal))
less = keras_op(_compare(tf.less))
less_equal = keras_op(_compare(tf.less_equal))
greater = keras_op(_compare(tf.greater))
greater_equal = keras_op(_compare(tf.greater_equal))
for _f, _n in ((equal, "equal"), (not_equal, "not_equal"), (less, "less"),
               (less_equal, "less_equal"), (greater, "greater"),
               (greater_equal, "greater_equal")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = "keras.ops.%s: elementwise, after Keras dtype promotion; bool result." % _n


@keras_op
def logical_and(x1, x2):
    return tf.logical_and(tensor(x1, "bool"), tensor(x2, "bool"))


@keras_op
def logical_or(x1, x2):
    return tf.logical_or(tensor(x1, "bool"), tensor(x2, "bool"))


@keras_op
def logical_xor(x1, x2):
    return tf.not_equal(tensor(x1, "bool"), tensor(x2, "bool"))


@keras_op
def logical_not(x):
    return tf.logical_not(tensor(x, "bool"))


@keras_op
def isnan(x):
    x = tensor(x)
    return tf.is_nan(x) if x.dtype.is_floating else tf.zeros_like(x, dtype=tf.bool)


@keras_op
def isinf(x):
    x = tensor(x)
    return tf.is_inf(x) if x.dtype.is_floating else tf.zeros_like(x, dtype=tf.bool)


@keras_op
def isfinite(x):
    x = tensor(x)
    return tf.is_finite(x) if x.dtype.is_floating else tf.ones_like(x, dtype=tf.bool)


# -- reductions ------------------------------------------------------------------------------------
def _sum_dtype(x):
    name = x.dtype.name
    return "int32" if name in ("bool", "int8", "int16", "uint8") else name


@keras_op
def sum(x, axis=None, keepdims=False):
    x = tensor(x)
    return tf.reduce_sum(tf.cast(x, _sum_dtype(x)), axis=axis, keepdims=keepdims)


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    x = tensor(x)
    return tf.reduce_prod(tf.cast(x, dtype or _sum_dtype(x)), axis=axis, keepdims=keepdims)


@keras_op
def mean(x, axis=None, keepdims=False):
    """keras.ops.mean: integers give floatx; float16 accumulates in float32."""
    x = tensor(x)
    out = result_type(x.dtype.name, float)
    work = result_type(out, "float32")
    return tf.cast(tf.reduce_mean(tf.cast(x, work), axis=axis, keepdims=keepdims), out)


@keras_op
def max(x, axis=None, keepdims=False, initial=None):
    x = tensor(x)
    if x.dtype.is_bool:
        return tf.reduce_any(x, axis=axis, keepdims=keepdims)
    out = tf.reduce_max(x, axis=axis, keepdims=keepdims)
    return out if initial is None else tf.maximum(out, tensor(initial, x.dtype.name))


@keras_op
def min(x, axis=None, keepdims=False, initial=None):
    x = tensor(x)
    if x.dtype.is_bool:
        return tf.reduce_all(x, axis=axis, keepdims=keepdims)
    out = tf.reduce_min(x, axis=axis, keepdims=keepdims)
    return out if initial is None else tf.minimum(out, tensor(initial, x.dtype.name))


amax, amin = max, min


@keras_op
def var(x, axis=None, keepdims=False):
    x = tensor(x)
    out = result_type(x.dtype.name, float)
    work = tf.cast(x, result_type(x.dtype.name, "float32"))
    centered = work - tf.reduce_mean(work, axis=axis, keepdims=True)
    return tf.cast(tf.reduce_mean(tf.square(centered), axis=axis, keepdims=keepdims), out)


@keras_op
def std(x, axis=None, keepdims=False):
    x = _floating(x)
    centered = x - tf.reduce_mean(x, axis=axis, keepdims=True)
    return tf.sqrt(tf.reduce_mean(tf.square(centered), axis=axis, keepdims=keepdims))


@keras_op
def any(x, axis=None, keepdims=False):
    return tf.reduce_any(tensor(x, "bool"), axis=axis, keepdims=keepdims)


@keras_op
def all(x, axis=None, keepdims=False):
    return tf.reduce_all(tensor(x, "bool"), axis=axis, keepdims=keepdims)


@keras_op
def cumsum(x, axis=None, dtype=None):
    x = tensor(x, dtype)
    if x.dtype.is_bool:
        x = tf.cast(x, "int32")
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.cumsum(x, axis=axis)


@keras_op
def cumprod(x, axis=None, dtype=None):
    """keras.ops.cumprod, composed: out[i] = prod_j x[j] over j <= i (exact, differentiable)."""
    x = tensor(x, dtype)
    if x.dtype.is_bool:
        x = tf.cast(x, "int32")
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    nd = len(_static(x))
    axis %= nd
    n = _dims(x)[axis]
    # (..., n_out, n_in, ...): entry j of row i is x[j] where j <= i, else 1
    index = tf.range(0, n, dtype=tf.int32)
    lower = tf.reshape(tf.less_equal(tf.reshape(index, [1, -1]), tf.reshape(index, [-1, 1])),
                       [n, n] + [1] * (nd - axis - 1))
    expanded = tf.expand_dims(x, axis)
    picked = tf.where(lower, expanded, tf.ones_like(expanded))
    return tf.reduce_prod(picked, axis=axis + 1)


@keras_op
def argmax(x, axis=None, keepdims=False):
    return _arg(tf.argmax, x, axis, keepdims)


@keras_op
def argmin(x, axis=None, keepdims=False):
    return _arg(tf.argmin, x, axis, keepdims)


def _arg(fn, x, axis, keepdims):
    x = tensor(x)
    nd = len(_static(x))
    if axis is None:
        out = fn(tf.reshape(x, [-1]), axis=0, output_type=tf.int32)
        return tf.reshape(out, [1] * nd) if keepdims else out
    out = fn(x, axis=axis, output_type=tf.int32)
    return tf.expand_dims(out, axis % nd) if keepdims else out


def _sorted_last(x, axis):
    """(ascending values, their indices) along axis, via top_k of the negated values."""
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    moved, back = _move_last(x, axis)
    n = _static(moved)[-1]
    k = n if n is not None else tf.shape(moved)[-1]
    key = tf.logical_not(moved) if moved.dtype.is_bool else tf.negative(moved)
    if moved.dtype.is_bool:
        key = tf.cast(key, "int32")
    _, idx = tf.nn.top_k(key, k)
    values = _gather_last(moved, idx)
    if back is not None:
        values, idx = tf.transpose(values, back), tf.transpose(idx, back)
    return values, idx


@keras_op
def sort(x, axis=-1):
    return _sorted_last(tensor(x), axis)[0]


@keras_op
def argsort(x, axis=-1):
    return _sorted_last(tensor(x), axis)[1]


@keras_op
def average(x, axis=None, weights=None):
    """keras.ops.average: the (weighted) mean along `axis`."""
    x = tensor(x)
    if weights is None:
        return tf.reduce_mean(tf.cast(x, result_type(x.dtype.name, float)), axis=axis)
    w = tensor(weights)
    dtype = result_type(x.dtype.name, w.dtype.name, float)
    x, w = tf.cast(x, dtype), tf.cast(w, dtype)
    if axis is not None and len(_static(w)) == 1 and len(_static(x)) > 1:
        shape = [1] * len(_static(x))
        shape[axis % len(shape)] = -1
        w = tf.reshape(w, shape)
        return tf.reduce_sum(x * w, axis=axis) / tf.reduce_sum(w)
    return tf.reduce_sum(x * w, axis=axis) / tf.reduce_sum(w, axis=axis)


@keras_op
def count_nonzero(x, axis=None):
    x = tensor(x)
    return tf.reduce_sum(tf.cast(tf.not_equal(x, tf.zeros_like(x)), "int32"), axis=axis)


@keras_op
def ptp(x, axis=None, keepdims=False):
    x = tensor(x)
    return tf.reduce_max(x, axis=axis, keepdims=keepdims) - \
        tf.reduce_min(x, axis=axis, keepdims=keepdims)


@keras_op
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = tensor(x1), tensor(x2)
    dtype = result_type(a.dtype.name, b.dtype.name)
    a, b = tensor(a, dtype), tensor(b, dtype)
    if "float" not in dtype:
        return tf.equal(a, b)
    close = tf.less_equal(tf.abs(a - b), atol + rtol * tf.abs(b))
    if equal_nan:
        close = tf.logical_or(close, tf.logical_and(tf.is_nan(a), tf.is_nan(b)))
    return close


@keras_op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = tensor(x)
    if not x.dtype.is_floating:
        return x
    info = np.finfo(x.dtype.np)
    x = tf.where(tf.is_nan(x), tf.fill(tf.shape(x), tensor(nan, x.dtype.name)), x)
    big = tensor(info.max if posinf is None else posinf, x.dtype.name)
    small = tensor(info.min if neginf is None else neginf, x.dtype.name)
    inf = tf.is_inf(x)
    x = tf.where(tf.logical_and(inf, x > 0), tf.fill(tf.shape(x), big), x)
    return tf.where(tf.logical_and(inf, x < 0), tf.fill(tf.shape(x), small), x)


@keras_op
def logaddexp(x1, x2):
    a, b = _promoted(x1, x2, extra=(float,))
    delta = a - b
    return tf.where(tf.is_nan(delta), a + b,
                    tf.maximum(a, b) + tf.log1p(tf.exp(-tf.abs(delta))))


__all__ = ["abs", "absolute", "add", "all", "amax", "amin", "any", "arccos", "arccosh", "arcsin",
           "arcsinh", "arctan", "arctan2", "arctanh", "argmax", "argmin", "argsort", "average",
           "ceil", "clip", "cos", "cosh", "count_nonzero", "cumprod", "cumsum", "divide", "equal",
           "exp", "exp2", "expm1", "floor", "floor_divide", "greater", "greater_equal", "isclose",
           "isfinite", "isinf", "isnan", "less", "less_equal", "log", "log10", "log1p", "log2",
           "logaddexp", "logical_and", "logical_not", "logical_or", "logical_xor", "max",
           "maximum", "mean", "min", "minimum", "mod", "multiply", "nan_to_num", "negative",
           "not_equal", "power", "prod", "ptp", "reciprocal", "round", "sign", "sin", "sinh",
           "sort", "sqrt", "square", "std", "subtract", "sum", "tan", "tanh", "true_divide",
           "var", "where"]
