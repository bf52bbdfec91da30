"""tf.data.Dataset (TF1's DatasetV1): input pipelines an iterator runs inside the session.

A Dataset is a description: sources (arrays, captured graph tensors, Python generators) and the
transformations on them. Nothing runs until an iterator is initialized in a session; the iterator's
initializer evaluates the captured tensors (placeholders fed then, variables read then) and makes a
chain of Python generators over elements, each element a flat tuple of numpy arrays.

Functions given to `map`, `filter` and `flat_map` are traced once into graph ops on symbolic element
tensors (TF1 semantics): their ops live in the user's graph under a `Dataset_<kind>` name scope,
fed by placeholders standing for the element, and run per element by an execution plan compiled
once per session. They may read variables (live values) and capture placeholders (by value, at
initialization, as TensorFlow does). Plain Python code goes through `tf.py_func`.

Batches of slices are gathered, not stacked: when every element is a row of the same arrays
(from_tensor_slices, then shuffle/repeat/take/skip/shard and maps made only of elementwise ops on
same-shaped components and scalars), a batch is one gather per component and each such map runs
once on the whole batch; otherwise elements are made one by one and stacked.

Shuffling draws from numpy generators seeded from (graph seed, op seed): orders are reproducible
with a seed, but are not TensorFlow's orders.

This module holds the API (DatasetV1) and the helpers; the kinds of dataset are in sources.py,
transformations.py and functions.py.
"""

import numpy as np

from tfgraph.data import iterator_ops
from tfgraph.data import structure as nest
from tfgraph.data.capture import Context, Failed
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import _to_array, constant_value, convert_to_tensor, is_tensor_like
from tfgraph.framework.tensor import Tensor

AUTOTUNE = -1

# The dataset kinds (sources.py, transformations.py, functions.py) subclass DatasetV1 and register
# here, under the method that makes them, when tfgraph.data imports them; so this module, which
# they import, never imports them.
_KINDS = {}


def dataset_kind(name):
    """Class decorator: the DatasetV1 method `name` makes instances of the class."""
    def register(cls):
        _KINDS[name] = cls
        return cls
    return register


class DatasetV1:
    """tf.compat.v1.data.Dataset: a sequence of elements (nested tuples/dicts of tensors)."""

    _children = ()

    def __init__(self, spec, graph=None):
        self._spec = spec
        self._graph = graph if graph is not None else get_default_graph()

    # -- what a node provides ------------------------------------------------------------------
    def _own_captures(self):
        return []

    def _functions(self):
        return []

    def _iter(self, ctx):
        """A generator of this dataset's elements (flat tuples of arrays) for `ctx`."""
        raise NotImplementedError

    def _rows(self, ctx):
        """(arrays, iterator of row numbers, post) when every element is one row of the same
        arrays (slices, reordered, repeated, or through an elementwise map: `post`, run on a whole
        batch of rows, or None), so a batch is one gather; else None."""
        return None

    def _all_captures(self):
        """Every graph tensor the pipeline needs at initialization, each once, in a fixed order."""
        seen, out = set(), []
        stack = [self]
        while stack:
            node = stack.pop()
            caps = list(node._own_captures())
            for fn in node._functions():
                caps.extend(fn.captures)
            for t in caps:
                if t not in seen:
                    seen.add(t)
                    out.append(t)
            stack.extend(reversed(node._children))
        return out

    # -- element structure ----------------------------------------------------------------------
    @property
    def element_spec(self):
        return self._spec

    @property
    def output_types(self):
        return nest.types_of(self._spec)

    @property
    def output_shapes(self):
        return nest.shapes_of(self._spec)

    @property
    def output_classes(self):
        return nest.classes_of(self._spec)

    def __repr__(self):
        return "<%s element_spec=%s>" % (type(self).__name__, self._spec)

    def __iter__(self):
        raise RuntimeError("`tf.data.Dataset` only supports Python-style iteration in eager mode "
                           "or within tf.function; in a TF1 graph make an iterator "
                           "(tf.compat.v1.data.make_one_shot_iterator) or use "
                           "`as_numpy_iterator()`.")

    def as_numpy_iterator(self, session=None, _state=None):
        """The elements as numpy values, run in `session` (default: the default session of the
        dataset's graph, else a private one). `_state` (a dict kept by the caller) carries the
        shuffle generators and caches from one pass to the next, as a TF2 dataset iterated again
        does (Keras's epochs); without it each pass starts afresh, as a TF1 iterator does."""
        from tfgraph.runtime.plan import ExecutionPlan
        from tfgraph.runtime.session import Session, get_default_session
        sess = session or get_default_session()
        if sess is None or sess.graph is not self._graph:
            sess = Session(graph=self._graph)
        rt = sess._state
        caps = self._all_captures()
        values = ExecutionPlan(rt, [], caps, [])([]) if caps else ()
        ctx = Context(rt, dict(zip(caps, values)))
        if _state is not None:
            ctx.state = _state
        spec = self._spec
        for flat in self._iter(ctx):  # scalars as numpy scalars, as sess.run returns them
            if type(flat) is Failed:
                raise flat.error
            yield nest.pack_as(spec, [a[()] if a.ndim == 0 else a for a in flat])

    # -- sources ---------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """The slices of `tensors` along their first dimension, one element each."""
        return _KINDS["from_tensor_slices"](tensors)

    @staticmethod
    def from_tensors(tensors):
        """One element: `tensors`."""
        return _KINDS["from_tensors"](tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64):
        """range(stop), range(start, stop[, step]): int64 scalars as Python's range."""
        return _KINDS["range"](args, output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None):
        """Elements produced by `generator(*args)`, converted to `output_types`."""
        return _KINDS["from_generator"](generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(datasets):
        """Elements of several datasets side by side (a nested structure of datasets)."""
        return _KINDS["zip"](datasets)

    # -- transformations ------------------------------------------------------------------------
    def concatenate(self, dataset):
        return _KINDS["concatenate"](self, dataset)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (traced once into graph ops)."""
        return _KINDS["map"](self, map_func)

    def filter(self, predicate, name=None):
        """The elements for which `predicate` (traced once) is True."""
        return _KINDS["filter"](self, predicate)

    def flat_map(self, map_func, name=None):
        """`map_func` maps each element to a Dataset; their elements, one after the other."""
        return _KINDS["flat_map"](self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """flat_map cycling over `cycle_length` inner datasets, `block_length` elements each."""
        return _KINDS["interleave"](self, map_func, cycle_length, block_length)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Random order from a buffer of `buffer_size` elements (not TensorFlow's order)."""
        return _KINDS["shuffle"](self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements (the last batch may be smaller)."""
        return _KINDS["batch"](self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each component to `padded_shapes`."""
        return _KINDS["padded_batch"](self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self, name=None):
        """Splits each element along its first dimension (the inverse of batch)."""
        return _KINDS["unbatch"](self)

    def repeat(self, count=None, name=None):
        """The dataset `count` times (None or -1: forever)."""
        return _KINDS["repeat"](self, count)

    def take(self, count, name=None):
        """At most `count` elements (-1: all)."""
        return _KINDS["take"](self, count)

    def skip(self, count, name=None):
        """All but the first `count` elements (-1: none)."""
        return _KINDS["skip"](self, count)

    def prefetch(self, buffer_size, name=None):
        """Accepted for compatibility: elements are produced on demand in the session."""
        return _KINDS["prefetch"](self, "prefetch")

    def cache(self, filename="", name=None):
        """Keeps the elements of the first full pass in memory and replays them afterwards
        (a `filename` is accepted; the cache stays in memory)."""
        return _KINDS["cache"](self)

    def enumerate(self, start=0, name=None):
        """(index, element) pairs, the index an int64 counting from `start`."""
        return DatasetV1.zip((DatasetV1.range(start, np.iinfo(np.int64).max), self))

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element, from the `index`-th on."""
        return _KINDS["shard"](self, num_shards, index)

    def apply(self, transformation_func):
        return transformation_func(self)

    def with_options(self, options, name=None):
        return self

    # -- iterators -------------------------------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator that initializes itself on first use (the dataset may not capture
        placeholders)."""
        return iterator_ops.make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator with an `initializer` op to run (again) before iterating."""
        return iterator_ops.make_initializable_iterator(self, shared_name)


Dataset = DatasetV1
DatasetV2 = DatasetV1


# -- helpers --------------------------------------------------------------------------------------
def _as_component(value, what):
    """A Tensor (captured) or a private numpy array for one component of a source."""
    if is_tensor_like(value):
        return convert_to_tensor(value)
    try:
        arr = _to_array(value, None)
    except (TypeError, ValueError) as e:
        raise TypeError("%s: cannot convert %r to a tensor: %s" % (what, value, e)) from None
    return np.array(arr, copy=True)


def _component_spec(c):
    if isinstance(c, Tensor):
        return TensorSpec(c.shape, c.dtype)
    return TensorSpec(c.shape, dtypes.dtype_of_value(c) if c.dtype.kind not in "SUO"
                      else dtypes.string)


def _value(ctx, c):
    return ctx.values[c] if isinstance(c, Tensor) else c


def _count(value, what):
    """An int, or (when only known at run time) a scalar graph tensor captured by the dataset."""
    if is_tensor_like(value):
        t = convert_to_tensor(value)
        v = constant_value(t)
        if v is None:
            if not t.dtype.is_integer or t.shape.ndims not in (0, None):
                raise TypeError("tf.data: `%s` must be a scalar integer tensor, got %s"
                                % (what, t))
            return t
        value = v
    return int(value)


def _int(ctx, value):
    return value if type(value) is int else int(ctx.values[value])


def _shape_dims(shape):
    dims = shape.as_tuple()
    return "<unknown>" if dims is None else "[" + ",".join(
        "?" if d is None else str(d) for d in dims) + "]"
