"""Nested structures (tf.nest's subset used by control flow): lists, tuples, namedtuples, dicts.

Dicts flatten in sorted key order, as TensorFlow's nest does; None is a leaf.
"""


def _is_seq(x):
    return isinstance(x, (list, tuple, dict))


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure):
    """The leaves of `structure`, depth first."""
    if not _is_seq(structure):
        return [structure]
    out = []
    for c in _children(structure):
        out.extend(flatten(c))
    return out


def _rebuild(template, values):
    if isinstance(template, dict):
        keys = sorted(template)
        by_key = dict(zip(keys, values))
        return type(template)((k, by_key[k]) for k in template)
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*values)
    if isinstance(template, tuple):
        return tuple(values)
    return list(values)


def pack_sequence_as(structure, flat):
    """`flat` (a list of leaves) in the shape of `structure`."""
    flat = list(flat)
    pos = [0]

    def build(s):
        if not _is_seq(s):
            v = flat[pos[0]]
            pos[0] += 1
            return v
        return _rebuild(s, [build(c) for c in _children(s)])

    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError("Structure had %d elements, but flat_sequence had %d elements. Structure: "
                         "%s" % (n, len(flat), structure))
    return build(structure)


def assert_same_structure(a, b, check_types=True):
    """ValueError/TypeError when `a` and `b` nest differently."""
    def walk(x, y):
        if _is_seq(x) != _is_seq(y):
            raise ValueError("The two structures don't have the same nested structure.\n\nFirst "
                             "structure: %s\n\nSecond structure: %s" % (a, b))
        if not _is_seq(x):
            return
        if check_types and type(x) is not type(y) and not (
                isinstance(x, list) and isinstance(y, list)):
            raise TypeError("The two structures don't have the same sequence type. First "
                            "structure has type %s, while second structure has type %s."
                            % (type(x), type(y)))
        if isinstance(x, dict) and sorted(x) != sorted(y):
            raise ValueError("The two dictionaries don't have the same set of keys. First "
                             "structure has keys %s, while second structure has keys %s."
                             % (sorted(x), sorted(y)))
        cx, cy = _children(x), _children(y)
        if len(cx) != len(cy):
            raise ValueError("The two structures don't have the same number of elements.\n\n"
                             "First structure: %s\n\nSecond structure: %s" % (a, b))
        for u, v in zip(cx, cy):
            walk(u, v)
    walk(a, b)


def map_structure(fn, *structures):
    """`fn` applied leaf by leaf to equally nested `structures`."""
    for s in structures[1:]:
        assert_same_structure(structures[0], s, check_types=False)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*xs) for xs in zip(*flats)])


def is_sequence(x):
    return _is_seq(x)


is_nested = is_sequence  # tf.nest.is_nested, TF 2's name
