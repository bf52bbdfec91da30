"""keras.ops, numpy-like set: Keras 3 names, arguments and dtype rules on tfgraph graph ops.

Dtypes follow Keras 3 on its TensorFlow backend (recorded in tests/data/keras_ops_cases.json):
binary ops promote with `core.result_type` (Python scalars are weak), float-valued ops turn
integers into floatx, sums of bool/int8/int16 are int32, index results are int32.
"""
import builtins
import string

import numpy as np

import tfgraph as tf
from tfgraph.framework.op_def import constant_value
from tfgraph_keras.ops.core import (
    dtype_of,
    floatx,
    is_tensor,
    keras_op,
    result_type,
    standardize_dtype,
    tensor,
)


# -- helpers ----------------------------------------------------------------------------------------
def _promoted(*xs, extra=()):
    dtype = result_type(*[dtype_of(x) for x in xs], *extra)
    return [tensor(x, dtype) for x in xs]


def _floating(x):
    """x converted, then cast to floatx when it is integer or bool (Keras's float-valued ops)."""
    x = tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, floatx())


def _static(t):
    dims = t.shape.as_tuple()
    if dims is None:
        raise ValueError("keras.ops: %s needs a known rank" % t.name)
    return dims


def _dims(t):
    """Each dimension of t: an int where static, else a scalar int32 Tensor."""
    dims = _static(t)
    if builtins.all(d is not None for d in dims):
        return list(dims)
    dyn = tf.shape(t)
    return [d if d is not None else dyn[i] for i, d in enumerate(dims)]


def _prod(dims):
    if builtins.all(isinstance(d, int) for d in dims):
        return int(np.prod(dims, dtype=np.int64))
    return tf.reduce_prod(tf.stack([tensor(d, "int32") for d in dims]))


def _axes(axis, ndim):
    if axis is None:
        return None
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    return [a % ndim if ndim else a for a in axes]


def _binary(fn, x1, x2, extra=()):
    a, b = _promoted(x1, x2, extra=extra)
    return fn(a, b)


# -- elementwise arithmetic ----------------------------------------------------------------------
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


# -- float-valued unary ops (integers compute in floatx) ---------------------------------------
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


# -- comparisons and logic ----------------------------------------------------------------------
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


# -- reductions ---------------------------------------------------------------------------------
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
    n = _static(x)[axis]
    if n is None:
        raise ValueError("keras.ops.cumprod needs a static size along axis %d" % axis)
    # (..., n_out, n_in, ...): entry j of row i is x[j] where j <= i, else 1
    lower = np.tril(np.ones((n, n), bool)).reshape((n, n) + (1,) * (nd - axis - 1))
    expanded = tf.expand_dims(x, axis)
    picked = tf.where(tf.constant(lower), expanded, tf.ones_like(expanded))
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


def _move_last(x, axis):
    nd = len(_static(x))
    axis %= nd
    if axis == nd - 1:
        return x, None
    perm = [i for i in range(nd) if i != axis] + [axis]
    return tf.transpose(x, perm), list(np.argsort(perm))


def _gather_last(x, idx):
    """out[..., j] = x[..., idx[..., j]] for x (..., n), idx (..., k) with equal leading dims."""
    dims, kdims = _dims(x), _dims(idx)
    rows, n, k = _prod(dims[:-1]), dims[-1], kdims[-1]
    offsets = tf.reshape(tf.range(0, rows, dtype=idx.dtype) * tf.cast(n, idx.dtype), [-1, 1])
    flat = tf.reshape(tf.reshape(idx, [rows, k]) + offsets, [-1])
    return tf.reshape(tf.gather(tf.reshape(x, [-1]), flat), dims[:-1] + [k])


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


# -- linear algebra -----------------------------------------------------------------------------
@keras_op
def matmul(x1, x2):
    """keras.ops.matmul: numpy matmul (1-D operands promoted and squeezed; batch broadcast)."""
    a, b = tensor(x1), tensor(x2)
    out = result_type(a.dtype.name, b.dtype.name)
    work = result_type(a.dtype.name, b.dtype.name, float)
    a, b = tf.cast(a, work), tf.cast(b, work)
    a1, b1 = len(_static(a)) == 1, len(_static(b)) == 1
    if a1:
        a = tf.expand_dims(a, 0)
    if b1:
        b = tf.expand_dims(b, -1)
    y = tf.matmul(a, b)
    if a1:
        y = tf.squeeze(y, [-2])
    if b1:
        y = tf.squeeze(y, [-1])
    return tf.cast(y, out)


@keras_op
def dot(x1, x2):
    """keras.ops.dot: numpy dot."""
    a, b = tensor(x1), tensor(x2)
    na, nb = len(_static(a)), len(_static(b))
    if na == 0 or nb == 0:
        return multiply(a, b)
    if nb == 1 or nb == 2:
        return matmul(a, b) if na <= 2 or nb == 1 else tensordot(a, b, [[na - 1], [0]])
    return tensordot(a, b, [[na - 1], [nb - 2]])


@keras_op
def tensordot(x1, x2, axes=2):
    """keras.ops.tensordot: contracts `axes` (an int: the last n of x1 with the first n of x2)."""
    a, b = tensor(x1), tensor(x2)
    na, nb = len(_static(a)), len(_static(b))
    if isinstance(axes, int):
        axes = [list(range(na - axes, na)), list(range(axes))]
    ax_a, ax_b = ([x] if isinstance(x, int) else list(x) for x in axes)
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j % nb] = sa[i % na]
    contracted = {sa[i % na] for i in ax_a}
    out = [c for c in sa if c not in contracted] + [c for c in sb if c not in contracted]
    return einsum("%s,%s->%s" % ("".join(sa), "".join(sb), "".join(out)), a, b)


@keras_op
def outer(x1, x2):
    a, b = _promoted(x1, x2)
    return tf.reshape(a, [-1, 1]) * tf.reshape(b, [1, -1])


@keras_op
def einsum(subscripts, *operands):
    """keras.ops.einsum for one or more operands without ellipses or repeated indices, composed
    from reductions, transposes and batched matmuls (so gradients come from those ops)."""
    subscripts = subscripts.replace(" ", "")
    if "." in subscripts:
        raise ValueError("keras.ops.einsum: ellipses are not supported (got %r)" % subscripts)
    ins, _, out = subscripts.partition("->")
    terms = ins.split(",")
    if len(terms) != len(operands):
        raise ValueError("keras.ops.einsum: %r names %d operands, %d given"
                         % (subscripts, len(terms), len(operands)))
    if not _:
        counts = {c: ins.count(c) for c in set(ins) - {","}}
        out = "".join(sorted(c for c, n in counts.items() if n == 1))
    tensors = list(_promoted(*operands)) if len(operands) > 1 else [tensor(operands[0])]
    dtype = tensors[0].dtype
    if dtype.is_integer or dtype.is_bool:
        tensors = [tf.cast(t, floatx()) for t in tensors]
    for term in terms:
        if len(set(term)) != len(term):
            raise ValueError("keras.ops.einsum: repeated index in %r is not supported" % term)
    acc, acc_term = tensors[0], terms[0]
    for i in range(1, len(tensors)):
        later = "".join(terms[i + 1:]) + out
        acc, acc_term = _einsum_pair(acc, acc_term, tensors[i], terms[i], later)
    acc, acc_term = _sum_out(acc, acc_term, out)
    result = tf.transpose(acc, [acc_term.index(c) for c in out]) if acc_term != out else acc
    return tf.cast(result, dtype) if result.dtype != dtype else result


def _sum_out(t, term, keep):
    drop = [i for i, c in enumerate(term) if c not in keep]
    if not drop:
        return t, term
    return tf.reduce_sum(t, axis=drop), "".join(c for c in term if c in keep)


def _einsum_pair(a, ta, b, tb, later):
    a, ta = _sum_out(a, ta, tb + later)
    b, tb = _sum_out(b, tb, ta + later)
    batch = [c for c in ta if c in tb and c in later]
    contract = [c for c in ta if c in tb and c not in later]
    left = [c for c in ta if c not in tb]
    right = [c for c in tb if c not in ta]
    da = dict(zip(ta, _dims(a)))
    db = dict(zip(tb, _dims(b)))
    a = tf.transpose(a, [ta.index(c) for c in batch + left + contract])
    b = tf.transpose(b, [tb.index(c) for c in batch + contract + right])
    bdims = [da[c] for c in batch]
    a = tf.reshape(a, [_prod(bdims), _prod([da[c] for c in left]),
                       _prod([da[c] for c in contract])])
    b = tf.reshape(b, [_prod(bdims), _prod([db[c] for c in contract]),
                       _prod([db[c] for c in right])])
    y = tf.matmul(a, b)
    y = tf.reshape(y, bdims + [da[c] for c in left] + [db[c] for c in right])
    return y, "".join(batch + left + right)


@keras_op
def trace(x, offset=0, axis1=0, axis2=1):
    x = tensor(x)
    nd = len(_static(x))
    axis1, axis2 = axis1 % nd, axis2 % nd
    rest = [i for i in range(nd) if i not in (axis1, axis2)]
    x = tf.transpose(x, rest + [axis1, axis2])
    n, m = _static(x)[-2:]
    mask = tf.constant(np.eye(n, m, k=offset, dtype=bool))
    if x.dtype.is_bool or x.dtype.name in ("int8", "int16", "uint8"):
        x = tf.cast(x, "int32")
    return tf.reduce_sum(tf.where(mask, x, tf.zeros_like(x)), axis=[-2, -1])


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):
    """keras.ops.norm: vector norms over one axis, matrix norms (None/'fro', 'nuc' excluded,
    +-1, +-inf) over two."""
    x = _floating(x)
    nd = len(_static(x))
    if axis is None:
        axis = tuple(range(nd)) if ord is None or nd == 1 else (0, 1) if nd == 2 else None
        if axis is None:
            raise ValueError("keras.ops.norm: give `axis` for a rank-%d input" % nd)
        if ord is None and nd != 1:
            return tf.sqrt(tf.reduce_sum(tf.square(x), axis=list(axis), keepdims=keepdims))
    axes = _axes(axis, nd)
    if len(axes) == 1:
        a = axes[0]
        if ord is None or ord == 2:
            return tf.sqrt(tf.reduce_sum(tf.square(x), axis=a, keepdims=keepdims))
        if ord == np.inf:
            return tf.reduce_max(tf.abs(x), axis=a, keepdims=keepdims)
        if ord == -np.inf:
            return tf.reduce_min(tf.abs(x), axis=a, keepdims=keepdims)
        if ord == 0:
            return tf.reduce_sum(tf.cast(tf.not_equal(x, 0), x.dtype), axis=a, keepdims=keepdims)
        p = tf.constant(float(ord), x.dtype)
        return tf.pow(tf.reduce_sum(tf.pow(tf.abs(x), p), axis=a, keepdims=keepdims), 1 / p)
    if len(axes) != 2:
        raise ValueError("keras.ops.norm: `axis` must name one or two axes, got %r" % (axis,))
    r, c = axes
    if ord in (None, "fro"):
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axes, keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        inner, outer_ = (r, c) if ord in (1, -1) else (c, r)
        sums = tf.reduce_sum(tf.abs(x), axis=inner, keepdims=True)
        pick = tf.reduce_max if ord in (1, np.inf) else tf.reduce_min
        out = pick(sums, axis=outer_, keepdims=True)
        return out if keepdims else tf.squeeze(out, axes)
    raise ValueError("keras.ops.norm: ord=%r is not supported for matrix norms" % (ord,))


# -- shape manipulation -------------------------------------------------------------------------
@keras_op
def reshape(x, newshape):
    return tf.reshape(tensor(x), [newshape] if isinstance(newshape, int) else list(newshape))


@keras_op
def transpose(x, axes=None):
    return tf.transpose(tensor(x), None if axes is None else list(axes))


@keras_op
def expand_dims(x, axis):
    x = tensor(x)
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    out_nd = len(_static(x)) + len(axes)
    for a in sorted(a % out_nd for a in axes):
        x = tf.expand_dims(x, a)
    return x


@keras_op
def squeeze(x, axis=None):
    x = tensor(x)
    if axis is None:
        return tf.squeeze(x)
    return tf.squeeze(x, list(axis) if isinstance(axis, (list, tuple)) else [axis])


@keras_op
def broadcast_to(x, shape):
    return tf.broadcast_to(tensor(x), list(shape))


@keras_op
def concatenate(xs, axis=0):
    if axis is None:
        raise ValueError("keras.ops.concatenate: axis=None is not supported (the TensorFlow "
                         "backend refuses it too); flatten the inputs first")
    return tf.concat(_promoted(*xs), axis=axis)


@keras_op
def stack(x, axis=0):
    return tf.stack(_promoted(*x), axis=axis)


@keras_op
def split(x, indices_or_sections, axis=0):
    """keras.ops.split: `sections` equal parts, or cut before each of `indices` (numpy's rule)."""
    x = tensor(x)
    if isinstance(indices_or_sections, int):
        return tf.split(x, indices_or_sections, axis=axis)
    n = _static(x)[axis]
    if n is None:
        raise ValueError("keras.ops.split by indices needs a static size along axis %d" % axis)
    cuts = [0] + [builtins.min(builtins.max(int(i), 0), n) for i in indices_or_sections] + [n]
    sizes = [builtins.max(b - a, 0) for a, b in zip(cuts[:-1], cuts[1:])]
    return tf.split(x, sizes, axis=axis)


@keras_op
def tile(x, repeats):
    x = tensor(x)
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    nd = len(_static(x))
    if len(reps) > nd:
        x = tf.reshape(x, [1] * (len(reps) - nd) + _dims(x))
    reps = [1] * (builtins.max(nd, len(reps)) - len(reps)) + reps
    return tf.tile(x, reps)


@keras_op
def repeat(x, repeats, axis=None):
    x = tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    nd = len(_static(x))
    axis %= nd
    if isinstance(repeats, int):
        dims = _dims(x)
        reps = [1] * (axis + 1) + [repeats] + [1] * (nd - axis - 1)
        y = tf.tile(tf.expand_dims(x, axis + 1), reps)
        return tf.reshape(y, dims[:axis] + [dims[axis] * repeats] + dims[axis + 1:])
    index = np.repeat(np.arange(len(repeats)), np.asarray(repeats)).astype(np.int32)
    return tf.gather(x, index, axis=axis)


def _fix_negative(indices, size):
    return tf.where(indices < 0, indices + tf.cast(size, indices.dtype), indices)


@keras_op
def take(x, indices, axis=None):
    x = tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    indices = tensor(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, "int32")
    return tf.gather(x, _fix_negative(indices, _dims(x)[axis]), axis=axis)


@keras_op
def take_along_axis(x, indices, axis=None):
    """keras.ops.take_along_axis (static leading shapes)."""
    x = tensor(x)
    indices = tensor(indices)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    nd = len(_static(x))
    axis %= nd
    xm, back = _move_last(x, axis)
    im, _ = _move_last(indices, axis)
    xs, is_ = _static(xm), _static(im)
    lead = tuple(np.broadcast_shapes(tuple(xs[:-1]), tuple(is_[:-1])))
    xm = tf.broadcast_to(xm, list(lead) + [xs[-1]])
    im = tf.broadcast_to(_fix_negative(im, xs[-1]), list(lead) + [is_[-1]])
    out = _gather_last(xm, im)
    return tf.transpose(out, back) if back is not None else out


@keras_op
def flip(x, axis=None):
    x = tensor(x)
    nd = len(_static(x))
    axes = list(range(nd)) if axis is None else _axes(axis, nd)
    return tf.reverse(x, axes)


@keras_op
def roll(x, shift, axis=None):
    x = tensor(x)
    if axis is None:
        return tf.reshape(roll(tf.reshape(x, [-1]), shift, 0), _dims(x))
    shifts = shift if isinstance(shift, (list, tuple)) else [shift]
    axes = _axes(axis, len(_static(x)))
    for s, a in zip(shifts * len(axes) if len(shifts) == 1 else shifts, axes):
        n = _static(x)[a]
        if n is None:
            raise ValueError("keras.ops.roll needs a static size along axis %d" % a)
        x = tf.gather(x, ((np.arange(n) - s) % n).astype(np.int32), axis=a)
    return x


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    x = tensor(x)
    nd = len(_static(x))
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (nd, 2)).tolist()
    if constant_values is not None and mode != "constant":
        raise ValueError("Argument `constant_values` can only be provided when "
                         "`mode == 'constant'`. Received: mode=%s" % mode)
    if mode == "constant":
        return tf.pad(x, widths, constant_values=0 if constant_values is None else
                      tensor(constant_values, x.dtype.name))
    if mode in ("reflect", "symmetric"):
        return tf.pad(x, widths, mode=mode.upper())
    raise ValueError("keras.ops.pad: mode %r is not supported (constant, reflect, symmetric)"
                     % (mode,))


def _band(x, k, upper):
    x = tensor(x)
    n, m = _static(x)[-2:]
    keep = np.triu(np.ones((n, m), bool), k) if upper else np.tril(np.ones((n, m), bool), k)
    return tf.where(tf.constant(keep), x, tf.zeros_like(x))


@keras_op
def triu(x, k=0):
    return _band(x, k, True)


@keras_op
def tril(x, k=0):
    return _band(x, k, False)


@keras_op
def diag(x, k=0):
    """keras.ops.diag: a 1-D input builds a matrix; a 2-D input gives its k-th diagonal."""
    x = tensor(x)
    dims = _static(x)
    if len(dims) == 1:
        n = dims[0] + builtins.abs(k)
        rows = np.arange(dims[0]) + builtins.max(-k, 0)
        idx = np.stack([rows, rows + k], 1).astype(np.int32)
        return tf.scatter_nd(idx, x, [n, n])
    if len(dims) == 2:
        n, m = dims
        rows = np.arange(builtins.max(-k, 0), builtins.min(n, m - k))
        idx = np.stack([rows, rows + k], 1).astype(np.int32).reshape(-1, 2)
        return tf.gather_nd(x, idx)
    raise ValueError("keras.ops.diag: input must be 1-D or 2-D, got shape %s" % (dims,))


@keras_op
def meshgrid(*x, indexing="xy"):
    xs = [tf.reshape(tensor(v), [-1]) for v in x]
    n = len(xs)
    shape = [_dims(v)[0] for v in xs]
    if indexing == "xy" and n > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, v in enumerate(xs):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        view = [1] * n
        view[pos] = -1
        out.append(tf.broadcast_to(tf.reshape(v, view), shape))
    return out


# -- creation -----------------------------------------------------------------------------------
@keras_op
def arange(start, stop=None, step=None, dtype=None):
    if dtype is None:
        dtype = result_type(*[dtype_of(v) for v in (start, stop, step) if v is not None])
    dtype = standardize_dtype(dtype)
    return tf.range(start, stop, 1 if step is None else step, dtype=dtype)


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if num < 0:
        raise ValueError("`num` must be a non-negative integer. Received: num=%s" % num)
    work = result_type(dtype_of(start), dtype_of(stop), float)
    dtype = standardize_dtype(dtype) if dtype is not None else work
    if "int" in work:
        work = floatx()
    start, stop = tensor(start, work), tensor(stop, work)
    div = (num - 1) if endpoint else num
    step = (stop - start) / tf.constant(float(builtins.max(div, 1)), work)
    ramp = tf.range(0, num, dtype=work)
    shape = [-1] + [1] * len(_static(start))
    values = tf.expand_dims(start, 0) + tf.reshape(ramp, shape) * tf.expand_dims(step, 0)
    if endpoint and num > 1:  # the last point is exactly `stop`, as numpy makes it
        values = tf.concat([values[:-1], tf.expand_dims(stop, 0)], 0)
    if axis != 0:
        values = tf.transpose(values, _axis_to(len(_static(values)), axis))
    if "int" in dtype:
        values = tf.floor(values)
    values = tf.cast(values, dtype)
    return (values, step) if retstep else values


def _axis_to(nd, axis):
    perm = list(range(1, nd))
    perm.insert(axis % nd, 0)
    return perm


def _shape_list(shape):
    return [shape] if isinstance(shape, int) else list(shape)


@keras_op
def zeros(shape, dtype=None):
    return tf.zeros(_shape_list(shape), standardize_dtype(dtype))


@keras_op
def ones(shape, dtype=None):
    return tf.ones(_shape_list(shape), standardize_dtype(dtype))


@keras_op
def full(shape, fill_value, dtype=None):
    return tf.fill(_shape_list(shape), tensor(fill_value, standardize_dtype(dtype)))


@keras_op
def zeros_like(x, dtype=None):
    x = tensor(x)
    return tf.zeros_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


@keras_op
def ones_like(x, dtype=None):
    x = tensor(x)
    return tf.ones_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


@keras_op
def full_like(x, fill_value, dtype=None):
    x = tensor(x)
    dtype = standardize_dtype(dtype) if dtype else x.dtype.name
    return tf.fill(tf.shape(x), tensor(fill_value, dtype))


@keras_op
def eye(N, M=None, k=0, dtype=None):
    return tf.constant(np.eye(N, M, k=k, dtype=standardize_dtype(dtype)))


@keras_op
def identity(n, dtype=None):
    return eye(n, dtype=dtype)


# -- indices --------------------------------------------------------------------------------------
@keras_op
def nonzero(x):
    """keras.ops.nonzero: a tuple of int32 index vectors (their length is known only when run)."""
    x = tensor(x)
    idx = tf.cast(tf.where(tf.not_equal(x, tf.zeros_like(x))), "int32")
    return tuple(idx[:, i] for i in range(len(_static(x))))


def unique(x, sorted=True, return_inverse=False, return_counts=False, axis=None,
           size=None, fill_value=None):
    """keras.ops.unique where the input's value is known when the graph is built (a numpy array
    or a constant): computed with numpy.unique, as a constant. A data-dependent input is refused
    (its output shape would be unknown)."""
    value = constant_value(x) if is_tensor(x) else np.asarray(x)
    if value is None:
        raise ValueError("keras.ops.unique needs a value known when the graph is built; %s is "
                         "computed at run time" % getattr(x, "name", x))
    out = np.unique(value, return_inverse=return_inverse, return_counts=return_counts, axis=axis)
    if isinstance(out, tuple):
        out = tuple(o.astype(np.int32) if i else o for i, o in enumerate(out))
    return tf.constant(out) if is_tensor(x) and not isinstance(out, tuple) else out


__all__ = [
    "abs",
    "absolute",
    "add",
    "all",
    "amax",
    "amin",
    "any",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argsort",
    "broadcast_to",
    "ceil",
    "clip",
    "concatenate",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "diag",
    "divide",
    "dot",
    "einsum",
    "equal",
    "exp",
    "exp2",
    "expand_dims",
    "expm1",
    "eye",
    "flip",
    "floor",
    "floor_divide",
    "full",
    "full_like",
    "greater",
    "greater_equal",
    "identity",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log1p",
    "log2",
    "log10",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "max",
    "maximum",
    "mean",
    "meshgrid",
    "min",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "nonzero",
    "norm",
    "not_equal",
    "ones",
    "ones_like",
    "outer",
    "pad",
    "power",
    "prod",
    "reciprocal",
    "repeat",
    "reshape",
    "roll",
    "round",
    "sign",
    "sin",
    "sinh",
    "sort",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "trace",
    "transpose",
    "tril",
    "triu",
    "true_divide",
    "unique",
    "var",
    "where",
    "zeros",
    "zeros_like",
]
