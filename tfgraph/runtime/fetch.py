"""Fetch structures: flatten any nesting of fetches to unique graph elements, rebuild the nesting.

As TF1's session fetch mappers do: lists, tuples, namedtuples and dicts nest freely; leaves are
Tensors, Operations, Variables or names ('x:0', 'train_op').
"""
import collections

from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.framework.operation import Operation
from tfgraph.framework.tensor import Tensor


IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue", ["values", "indices",
                                                                   "dense_shape"])


class FetchStructure:
    """`elements` are the unique Tensors/Operations to run; `rebuild(values)` restores the nesting."""

    def __init__(self, graph, fetches):
        self.elements = []
        self._index = {}
        self._builder = self._build(graph, fetches)

    def _leaf_index(self, element):
        key = id(element)
        if key not in self._index:
            self._index[key] = len(self.elements)
            self.elements.append(element)
        return self._index[key]

    def _build(self, graph, fetch):
        if fetch is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        if isinstance(fetch, (list, tuple)) and not isinstance(fetch, str):
            builders = [self._build(graph, f) for f in fetch]
            if isinstance(fetch, tuple) and hasattr(fetch, "_fields"):
                kind = type(fetch)
                return lambda vals: kind(*[b(vals) for b in builders])
            kind = type(fetch)
            return lambda vals: kind(b(vals) for b in builders)
        if isinstance(fetch, dict):
            keys = list(fetch)
            builders = [self._build(graph, fetch[k]) for k in keys]
            kind = type(fetch)
            factory = getattr(fetch, "default_factory", None)

            def build_dict(vals):
                out = kind()  # as TF: an empty instance of the caller's mapping type, then filled
                if factory is not None:
                    out.default_factory = factory
                for k, b in zip(keys, builders):
                    out[k] = b(vals)
                return out
            return build_dict
        if isinstance(fetch, IndexedSlices):  # fetched as IndexedSlicesValue(values, indices, shape)
            parts = [fetch.values, fetch.indices, fetch.dense_shape]
            builders = [None if p is None else self._build(graph, p) for p in parts]
            return lambda vals: IndexedSlicesValue(*[None if b is None else b(vals)
                                                     for b in builders])
        try:
            element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError("Fetch argument %r has invalid type %r, must be a string or Tensor. (%s)"
                            % (fetch, type(fetch), e)) from None
        except ValueError as e:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                             % (fetch, e)) from None
        except KeyError as e:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                             % (fetch, e.args[0])) from None
        i = self._leaf_index(element)
        if isinstance(element, Operation):
            return lambda vals: None
        return lambda vals: vals[i]

    def rebuild(self, values):
        return self._builder(values)


def split_elements(elements):
    """(fetch tensors, target ops) from a list of unique elements."""
    tensors = [e for e in elements if isinstance(e, Tensor)]
    ops = [e for e in elements if isinstance(e, Operation)]
    return tensors, ops
