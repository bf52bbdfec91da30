"""Nested structures as tf.nest sees them: lists, tuples, namedtuples and dicts (in sorted-key
order) nest; anything else (Tensors, strings, numbers, None) is a leaf."""
import collections.abc


def is_nested(x):
    return isinstance(x, (list, tuple, collections.abc.Mapping))


def _children(x):
    if isinstance(x, collections.abc.Mapping):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure):
    """The leaves of `structure`, depth first (dict values by sorted key)."""
    if not is_nested(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template, children):
    if isinstance(template, collections.abc.Mapping):
        by_key = dict(zip(sorted(template), children, strict=True))
        return type(template)((k, by_key[k]) for k in template)
    if isinstance(template, tuple) and hasattr(template, "_fields"):   # namedtuple
        return type(template)(*children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` in the nesting of `structure` (the inverse of `flatten`)."""
    flat = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError("The structure has %d leaves but flat_sequence has %d elements: %r"
                         % (n, len(flat), structure))
    it = iter(flat)

    def build(s):
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])
    return build(structure)


def map_structure(fn, *structures):
    """fn applied leaf by leaf to structures of the same nesting, in that nesting."""
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*xs) for xs in zip(*flats)])


def assert_same_structure(a, b):
    if is_nested(a) != is_nested(b) or (is_nested(a) and len(_children(a)) != len(_children(b))):
        raise ValueError("The two structures don't have the same nested structure: %r and %r"
                         % (a, b))
    if is_nested(a):
        for x, y in zip(_children(a), _children(b)):
            assert_same_structure(x, y)
