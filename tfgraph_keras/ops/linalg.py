"""keras.ops, products and norms: matmul, dot, tensordot, einsum, outer, trace, norm (numpy's
semantics; einsum composed from reductions, transposes and batched matmuls)."""
import string

import numpy as np

import tfgraph as tf
from tfgraph_keras.ops._helpers import (
    _axes,
    _dims,
    _floating,
    _offset_from_diagonal,
    _prod,
    _promoted,
    _static,
)
from tfgraph_keras.ops.core import floatx, keras_op, result_type, tensor
from tfgraph_keras.ops.numpy import multiply


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
    mask = tf.equal(_offset_from_diagonal(x), offset)
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


__all__ = ["dot", "einsum", "matmul", "norm", "outer", "tensordot", "trace"]
