"""tf.einsum composed of existing ops: each operand's private labels are summed away, then operands
are contracted pairwise with one batched matmul (batch labels, free labels, summed labels), and the
result is transposed to the output's order. Gradients follow from those ops."""
import string

from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.scopes import name_scope
from tfgraph.ops import (array_core_ops, elementwise_ops, linalg_ops, reduction_ops,
                         shape_ops)


def _parse(equation, ranks):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
        if "->" in rhs:
            raise ValueError("einsum: equation %r has more than one '->'" % equation)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise ValueError('Got %d inputs for equation "%s", expecting %d'
                         % (len(ranks), equation, len(terms)))
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for term, rank in zip(terms, ranks):
        if "..." in term:
            if rank is None:
                raise ValueError("einsum: an operand with '...' needs a known rank")
            n_ell = max(n_ell, rank - (len(term) - 3))
    ell = "".join(spare[:n_ell])
    out_terms = []
    for term, rank in zip(terms, ranks):
        if "..." in term:
            k = rank - (len(term) - 3)
            term = term.replace("...", ell[n_ell - k:])
        for c in term:
            if not c.isalpha():
                raise ValueError("einsum: invalid character %r in equation %r" % (c, equation))
        if rank is not None and len(term) != rank:
            raise ValueError("Shape must be rank %d but is rank %d\n\t for %dth input and "
                             "equation: %s" % (len(term), rank, len(out_terms), equation))
        out_terms.append(term)
    if rhs is None:
        counts = {}
        for term in out_terms:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    for c in rhs:
        if not any(c in t for t in out_terms):
            raise ValueError("Output subscripts contain the label %s not present in the input "
                             "subscripts." % c)
    return out_terms, rhs


def _check_dims(terms, tensors):
    """A label's known sizes must agree across the inputs (TF's shape function)."""
    seen = {}
    for term, t in zip(terms, tensors):
        for c, d in zip(term, t.shape.as_list() if t.shape.ndims is not None else []):
            if d is None:
                continue
            if c in seen and seen[c] != d:
                raise ValueError("Dimensions must be equal, but are %d and %d for einsum label %s "
                                 "with input shapes: %s." % (seen[c], d, c, ", ".join(
                                     str(x.shape) for x in tensors)))
            seen.setdefault(c, d)


def _dim(t, i):
    d = t.shape.as_list()[i] if t.shape.ndims is not None else None
    return d if d is not None else shape_ops.shape(t)[i]


def _prod(t, axes):
    dims = [_dim(t, i) for i in axes]
    if all(isinstance(d, int) for d in dims):
        out = 1
        for d in dims:
            out *= d
        return out
    out = 1
    for d in dims:
        out = d * out
    return out


def _take_diagonals(t, term):
    """A label repeated within one operand ('ii->i', 'ii->') keeps that operand's diagonal: the
    product with an identity mask, summed over the repeat."""
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        a = term.index(c)
        b = term.index(c, a + 1)
        n = _dim(t, a)
        idx = array_core_ops.range(0, n)
        eye = elementwise_ops.cast(elementwise_ops.equal(shape_ops.expand_dims(idx, 1),
                                                         shape_ops.expand_dims(idx, 0)), t.dtype)
        rank = len(term)
        eye = shape_ops.reshape(eye, [n if k == a else -1 if k == b else 1 for k in range(rank)])
        t = reduction_ops.reduce_sum(t * eye, [b])
        term = term[:b] + term[b + 1:]
    return t, term


def _sum_private(t, term, keep):
    axes = [i for i, c in enumerate(term) if c not in keep]
    if not axes:
        return t, term
    return (reduction_ops.reduce_sum(t, axes),
            "".join(c for c in term if c in keep))


def _contract(a, ta, b, tb, keep):
    batch = [c for c in ta if c in tb and c in keep]
    summed = [c for c in ta if c in tb and c not in keep]
    free_a = [c for c in ta if c not in tb]
    free_b = [c for c in tb if c not in ta]
    a = array_core_ops.transpose(a, [ta.index(c) for c in batch + free_a + summed])
    b = array_core_ops.transpose(b, [tb.index(c) for c in batch + summed + free_b])
    nb, nfa, ns = len(batch), len(free_a), len(summed)
    batch_dims = [_dim(a, i) for i in range(nb)]
    fa_dims = [_dim(a, nb + i) for i in range(nfa)]
    fb_dims = [_dim(b, nb + ns + i) for i in range(len(free_b))]
    a3 = shape_ops.reshape(a, batch_dims + [_prod(a, range(nb, nb + nfa)),
                                            _prod(a, range(nb + nfa, nb + nfa + ns))])
    b3 = shape_ops.reshape(b, batch_dims + [_prod(b, range(nb, nb + ns)),
                                            _prod(b, range(nb + ns, b.shape.ndims))])
    out = linalg_ops.matmul(a3, b3)
    out = shape_ops.reshape(out, batch_dims + fa_dims + fb_dims)
    return out, "".join(batch + free_a + free_b)


def einsum(equation, *inputs, **kwargs):
    """tf.einsum(equation, *inputs, name=None): Einstein summation, with '...' for broadcast
    dimensions, repeated labels for diagonals ('ii->i', 'ii->' the trace) and the implicit output
    (labels seen once, sorted) when '->' is left out."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError("Invalid keyword arguments for this function: " + ", ".join(sorted(kwargs)))
    with name_scope(name, "einsum", list(inputs)):
        tensors = [convert_to_tensor(x) for x in inputs]
        if not tensors:
            raise ValueError("einsum: at least one input is required")
        terms, rhs = _parse(equation, [t.shape.ndims for t in tensors])
        for t in tensors[1:]:
            if t.dtype is not tensors[0].dtype:
                raise TypeError("einsum: inputs must share one dtype, got %s and %s"
                                % (tensors[0].dtype.name, t.dtype.name))
        _check_dims(terms, tensors)
        pairs = [_take_diagonals(t, term) for t, term in zip(tensors, terms)]
        tensors, terms = [p[0] for p in pairs], [p[1] for p in pairs]
        keep = set(rhs)
        for term in terms[1:]:
            keep |= set(term)
        acc, term = _sum_private(tensors[0], terms[0], keep)
        for i in range(1, len(tensors)):
            keep = set(rhs).union(*[set(t) for t in terms[i + 1:]])
            other, oterm = _sum_private(tensors[i], terms[i], keep | set(term))
            acc, term = _sum_private(acc, term, keep | set(oterm))
            acc, term = _contract(acc, term, other, oterm, keep)
        acc, term = _sum_private(acc, term, set(rhs))
        if term != rhs:
            acc = array_core_ops.transpose(acc, [term.index(c) for c in rhs])
        return acc


__all__ = ["einsum"]
