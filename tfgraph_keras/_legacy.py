"""Keras 1/2 spellings old scripts use: each warns once (DeprecationWarning naming the modern
spelling) and maps onto the current API."""
import warnings

_WARNED = set()


def warn_once(old, new, stacklevel=3):
    """One DeprecationWarning per old spelling and process."""
    if old in _WARNED:
        return
    _WARNED.add(old)
    warnings.warn("`%s` is a Keras 1 spelling; use `%s` instead." % (old, new),
                  DeprecationWarning, stacklevel=stacklevel + 1)


def renamed_kwarg(kwargs, old, new, where):
    """Pops kwargs[old] (warning once) and returns it: the value of the modern argument `new`."""
    warn_once("%s(%s=...)" % (where, old), "%s(%s=...)" % (where, new), stacklevel=3)
    return kwargs.pop(old)
