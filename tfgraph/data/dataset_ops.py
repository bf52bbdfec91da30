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
"""
import gzip
import itertools
import os
import zlib

import numpy as np

from tfgraph.data import iterator_ops
from tfgraph.data import structure as nest
from tfgraph.data.capture import Context, Failed, placeholders_upstream
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import _to_array, constant_value, convert_to_tensor, is_tensor_like
from tfgraph.framework.operation import user_location
from tfgraph.framework.tensor import Tensor

AUTOTUNE = -1


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
        return _TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors):
        """One element: `tensors`."""
        return _Tensors(tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64):
        """range(stop), range(start, stop[, step]): int64 scalars as Python's range."""
        return _Range(args, output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None):
        """Elements produced by `generator(*args)`, converted to `output_types`."""
        return _Generator(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(datasets):
        """Elements of several datasets side by side (a nested structure of datasets)."""
        return _Zip(datasets)

    # -- transformations ------------------------------------------------------------------------
    def concatenate(self, dataset):
        return _Concatenate(self, dataset)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (traced once into graph ops)."""
        return _Map(self, map_func)

    def filter(self, predicate, name=None):
        """The elements for which `predicate` (traced once) is True."""
        return _Filter(self, predicate)

    def flat_map(self, map_func, name=None):
        """`map_func` maps each element to a Dataset; their elements, one after the other."""
        return _FlatMap(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """flat_map cycling over `cycle_length` inner datasets, `block_length` elements each."""
        return _Interleave(self, map_func, cycle_length, block_length)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Random order from a buffer of `buffer_size` elements (not TensorFlow's order)."""
        return _Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements (the last batch may be smaller)."""
        return _Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each component to `padded_shapes`."""
        return _PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self, name=None):
        """Splits each element along its first dimension (the inverse of batch)."""
        return _Unbatch(self)

    def repeat(self, count=None, name=None):
        """The dataset `count` times (None or -1: forever)."""
        return _Repeat(self, count)

    def take(self, count, name=None):
        """At most `count` elements (-1: all)."""
        return _Take(self, count)

    def skip(self, count, name=None):
        """All but the first `count` elements (-1: none)."""
        return _Skip(self, count)

    def prefetch(self, buffer_size, name=None):
        """Accepted for compatibility: elements are produced on demand in the session."""
        return _Passthrough(self, "prefetch")

    def cache(self, filename="", name=None):
        """Keeps the elements of the first full pass in memory and replays them afterwards
        (a `filename` is accepted; the cache stays in memory)."""
        return _Cache(self)

    def enumerate(self, start=0, name=None):
        """(index, element) pairs, the index an int64 counting from `start`."""
        return DatasetV1.zip((DatasetV1.range(start, np.iinfo(np.int64).max), self))

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element, from the `index`-th on."""
        return _Shard(self, num_shards, index)

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


# -- sources --------------------------------------------------------------------------------------
class _TensorSlices(DatasetV1):
    def __init__(self, tensors):
        flat = [_as_component(v, "from_tensor_slices") for v in nest.flatten(tensors)]
        specs = []
        first = None
        for c in flat:
            spec = _component_spec(c)
            if spec.shape.ndims == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            dims = spec.shape.as_tuple()
            if dims is not None:
                n = dims[0]
                if first is not None and n is not None and first != n:
                    raise ValueError("Dimensions %d and %d are not compatible" % (first, n))
                first = first if n is None else n
                specs.append(TensorSpec(dims[1:], spec.dtype))
            else:
                specs.append(TensorSpec(tensor_shape.unknown_shape(), spec.dtype))
        graph = next((c.graph for c in flat if isinstance(c, Tensor)), None)
        super().__init__(nest.pack_as(tensors, specs), graph)
        self._flat = flat

    def _own_captures(self):
        return [c for c in self._flat if isinstance(c, Tensor)]

    def _iter(self, ctx):
        arrays, n = self._arrays(ctx)
        return self._slices(arrays, n)

    def _rows(self, ctx):
        arrays, n = self._arrays(ctx)
        return arrays, iter(range(n)), None

    def _arrays(self, ctx):
        arrays = [np.asarray(_value(ctx, c)) for c in self._flat]
        n = None
        for a in arrays:
            if a.ndim == 0:
                raise errors.InvalidArgumentError(
                    None, None, "Unbatching a tensor is only supported for rank >= 1")
            if n is not None and a.shape[0] != n:
                raise errors.InvalidArgumentError(
                    None, None, "Dimension 0 in both shapes must be equal: %d vs %d"
                    % (n, a.shape[0]))
            n = a.shape[0]
        return arrays, n

    @staticmethod
    def _slices(arrays, n):
        for i in range(n):
            yield tuple(a[i, ...] for a in arrays)


class TextLineDataset(DatasetV1):
    """tf.data.TextLineDataset: the lines of text files (without their "\\n" or "\\r\\n"), as
    tf.string scalars; `compression_type` "" (none), "GZIP" or "ZLIB"."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None,
                 name=None):
        self._files = _as_component(filenames, "TextLineDataset")
        spec = _component_spec(self._files)
        if spec.dtype is not dtypes.string or spec.shape.ndims not in (0, 1, None):
            raise TypeError("`filenames` must be a `tf.string` scalar or vector, got %s" % spec)
        self._compression = compression_type or ""
        if self._compression not in ("", "GZIP", "ZLIB"):
            raise errors.InvalidArgumentError(None, None, "Unsupported compression_type: %s."
                                              % self._compression)
        graph = self._files.graph if isinstance(self._files, Tensor) else None
        super().__init__(TensorSpec([], dtypes.string), graph)

    def _own_captures(self):
        return [self._files] if isinstance(self._files, Tensor) else []

    def _iter(self, ctx):
        files = np.asarray(_value(ctx, self._files), dtype=object).reshape(-1)
        for name in files:
            name = name.decode() if isinstance(name, bytes) else str(name)
            try:
                data = self._read(name)
            except OSError as e:
                yield Failed(errors.NotFoundError(None, None, "%s; No such file or directory"
                                                  % name if not os.path.exists(name) else str(e)))
                continue
            lines = data.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()  # the newline ending the last line starts no new one
            for line in lines:
                yield (np.array(line[:-1] if line.endswith(b"\r") else line, dtype=object),)

    def _read(self, name):
        with open(name, "rb") as f:
            data = f.read()
        if self._compression == "GZIP":
            return gzip.decompress(data)
        if self._compression == "ZLIB":
            return zlib.decompress(data)
        return data


class _Tensors(DatasetV1):
    def __init__(self, tensors):
        flat = [_as_component(v, "from_tensors") for v in nest.flatten(tensors)]
        graph = next((c.graph for c in flat if isinstance(c, Tensor)), None)
        super().__init__(nest.pack_as(tensors, [_component_spec(c) for c in flat]), graph)
        self._flat = flat

    def _own_captures(self):
        return [c for c in self._flat if isinstance(c, Tensor)]

    def _iter(self, ctx):
        yield tuple(np.asarray(_value(ctx, c)) for c in self._flat)


class _Range(DatasetV1):
    def __init__(self, args, output_type):
        if not 1 <= len(args) <= 3:
            raise ValueError("Invalid arguments to RangeDataset: %s" % (args,))
        args = [_count(a, "range argument") for a in args]
        self._args = (0, args[0], 1) if len(args) == 1 else (
            args[0], args[1], args[2] if len(args) == 3 else 1)
        self._dtype = dtypes.as_dtype(output_type)
        graph = next((a.graph for a in args if isinstance(a, Tensor)), None)
        super().__init__(TensorSpec([], self._dtype), graph)

    def _own_captures(self):
        return [a for a in self._args if isinstance(a, Tensor)]

    def _iter(self, ctx):
        start, stop, step = (int(_value(ctx, a)) for a in self._args)
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        np_dtype = self._dtype.np
        for i in range(start, stop, step):
            yield (np.array(i, dtype=np_dtype),)


class _Generator(DatasetV1):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            spec = output_signature
        else:
            if output_types is None:
                raise TypeError("The `output_types` argument can not be None.")
            types = nest.map_structure(dtypes.as_dtype, nest.lists_to_tuples(output_types))
            shapes = None if output_shapes is None else nest.lists_to_tuples(output_shapes) \
                if isinstance(output_shapes, tuple) else output_shapes
            spec = nest.spec_from(types, shapes)
        self._gen = generator
        self._args = [convert_to_tensor(a) for a in (args or ())]
        graph = self._args[0].graph if self._args else None
        super().__init__(spec, graph)

    def _own_captures(self):
        return list(self._args)

    def _iter(self, ctx):
        args = [ctx.values[a] for a in self._args]
        args = [a.item() if a.dtype.kind == "O" and a.ndim == 0 else a for a in args]
        specs = nest.flatten(self._spec)
        types = nest.types_of(self._spec)
        it = iter(self._gen(*args))
        while True:
            try:
                value = next(it)
            except StopIteration:
                return
            except Exception as e:  # the generator itself failed: it cannot go on
                yield Failed(errors.InvalidArgumentError(
                    None, None, "%s: %s (raised by the `generator` of from_generator)"
                    % (type(e).__name__, e)))
                return
            try:
                try:
                    flat = nest.flatten_up_to(types, value, lambda v: v)
                except (TypeError, ValueError) as e:
                    raise errors.InvalidArgumentError(
                        None, None, "`generator` yielded an element that did not match the "
                        "expected structure. The expected structure was %s, but the yielded "
                        "element was %s. (%s)" % (types, value, e)) from None
                element = tuple(self._convert(v, s) for v, s in zip(flat, specs))
            except errors.OpError as e:
                element = Failed(e)
            yield element

    @staticmethod
    def _convert(value, spec):
        try:
            arr = _to_array(value, spec.dtype)
        except (TypeError, ValueError):
            raise errors.InvalidArgumentError(
                None, None, "TypeError: `generator` yielded an element that could not be "
                "converted to the expected type. The expected type was %s, but the yielded "
                "element was %s." % (spec.dtype.name, value)) from None
        if not spec.shape.is_compatible_with(tensor_shape.TensorShape(arr.shape)):
            raise errors.InvalidArgumentError(
                None, None, "`generator` yielded an element of shape %s where an element of "
                "shape %s was expected." % (_shape_dims(tensor_shape.TensorShape(arr.shape)),
                                            _shape_dims(spec.shape)))
        return arr


class _Zip(DatasetV1):
    def __init__(self, datasets):
        datasets = nest.lists_to_tuples(datasets) if isinstance(datasets, tuple) else datasets
        flat = nest.flatten(datasets)
        for d in flat:
            if not isinstance(d, DatasetV1):
                raise TypeError("Invalid `datasets`. `datasets` is expected to be a (nested) "
                                "structure of `tf.data.Dataset` objects. Encountered object "
                                "with type %s." % type(d).__name__)
        super().__init__(nest.pack_as(datasets, [d._spec for d in flat]), flat[0]._graph)
        self._children = flat

    def _iter(self, ctx):
        for parts in zip(*[d._iter(ctx) for d in self._children]):
            failed = [p for p in parts if type(p) is Failed]
            yield failed[0] if failed else tuple(a for p in parts for a in p)


# -- transformations ------------------------------------------------------------------------------
class _Unary(DatasetV1):
    _params = ()  # scalar arguments: ints, or tensors captured by the dataset

    def __init__(self, input_ds, spec=None):
        super().__init__(input_ds._spec if spec is None else spec, input_ds._graph)
        self._input = input_ds
        self._children = (input_ds,)

    def _own_captures(self):
        return [p for p in self._params if isinstance(p, Tensor)]


class _Concatenate(DatasetV1):
    def __init__(self, a, b):
        ta, tb = a.output_types, b.output_types
        nest.assert_same_structure(ta, tb, "concatenate")
        if nest.flatten(ta) != nest.flatten(tb):
            raise TypeError("Incompatible dataset elements:\n%s vs. %s" % (a._spec, b._spec))
        specs = [TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
                 for x, y in zip(nest.flatten(a._spec), nest.flatten(b._spec))]
        super().__init__(nest.pack_as(a._spec, specs), a._graph)
        self._children = (a, b)

    def _iter(self, ctx):
        yield from self._children[0]._iter(ctx)
        yield from self._children[1]._iter(ctx)


class _Passthrough(_Unary):
    def __init__(self, input_ds, what):
        super().__init__(input_ds)

    def _iter(self, ctx):
        return self._input._iter(ctx)

    def _rows(self, ctx):
        return self._input._rows(ctx)


class _Repeat(_Unary):
    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = -1 if count is None else _count(count, "count")
        self._params = (self._count,)

    def _iter(self, ctx):
        return self._repeated(ctx, lambda: self._input._iter(ctx))

    def _rows(self, ctx):
        rows = self._input._rows(ctx)
        if rows is None:
            return None
        first = [rows[1]]
        return rows[0], self._repeated(ctx, lambda: first.pop() if first else
                                       self._input._rows(ctx)[1]), rows[2]

    def _repeated(self, ctx, make):
        k, count = 0, _int(ctx, self._count)
        while count < 0 or k < count:
            any_element = False
            for e in make():
                any_element = True
                yield e
            if not any_element:  # an empty input repeated forever is empty (as TensorFlow)
                return
            k += 1


class _Take(_Unary):
    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = _count(count, "count")
        self._params = (self._count,)

    def _iter(self, ctx):
        return self._taken(ctx, self._input._iter(ctx))

    def _rows(self, ctx):
        rows = self._input._rows(ctx)
        return None if rows is None else (rows[0], self._taken(ctx, rows[1]), rows[2])

    def _taken(self, ctx, it):
        count = _int(ctx, self._count)
        if count == 0:
            return
        i = 0
        for e in it:
            yield e
            if type(e) is not Failed:
                i += 1
                if i == count:
                    return


class _Skip(_Unary):
    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = _count(count, "count")
        self._params = (self._count,)

    def _iter(self, ctx):
        return self._skipped(ctx, self._input._iter(ctx))

    def _rows(self, ctx):
        rows = self._input._rows(ctx)
        return None if rows is None else (rows[0], self._skipped(ctx, rows[1]), rows[2])

    def _skipped(self, ctx, it):
        count = _int(ctx, self._count)
        if count < 0:
            return
        i = 0
        for e in it:
            if type(e) is Failed or i >= count:
                yield e
            else:
                i += 1


class _Shard(_Unary):
    def __init__(self, input_ds, num_shards, index):
        super().__init__(input_ds)
        self._num, self._index = _count(num_shards, "num_shards"), _count(index, "index")
        self._params = (self._num, self._index)
        if type(self._num) is int and self._num <= 0:
            raise errors.InvalidArgumentError(None, None, "Number of shards must be greater than "
                                              "zero (currently num_shards = %d)." % self._num)
        if type(self._num) is int and type(self._index) is int and \
                not 0 <= self._index < self._num:
            raise errors.InvalidArgumentError(None, None, "Index must be between 0 and %d "
                                              "(currently index = %d)." % (self._num - 1,
                                                                           self._index))

    def _iter(self, ctx):
        return self._sharded(ctx, self._input._iter(ctx))

    def _rows(self, ctx):
        rows = self._input._rows(ctx)
        return None if rows is None else (rows[0], self._sharded(ctx, rows[1]), rows[2])

    def _sharded(self, ctx, it):
        num, index = _int(ctx, self._num), _int(ctx, self._index)
        i = 0
        for e in it:
            if type(e) is Failed:
                yield e
                continue
            if i % num == index:
                yield e
            i += 1


class _IgnoreErrors(_Unary):
    def _iter(self, ctx):
        for e in self._input._iter(ctx):
            if type(e) is not Failed:
                yield e


class _Cache(_Unary):
    def _iter(self, ctx):
        cached = ctx.state.get(self)
        if cached is not None:
            yield from cached
            return
        elements = []
        for e in self._input._iter(ctx):
            if type(e) is not Failed:
                elements.append(e)
            yield e
        ctx.state[self] = elements  # only a complete pass is replayed


class _Shuffle(_Unary):
    def __init__(self, input_ds, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_ds)
        self._buffer = _count(buffer_size, "buffer_size")
        self._params = (self._buffer,)
        if type(self._buffer) is int and self._buffer <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        from tfgraph.ops.random_ops import get_seed
        self._seed = get_seed(seed)
        self._reshuffle = reshuffle_each_iteration is not False

    def _rng(self, ctx):
        state = ctx.state.get(self)
        if state is None:
            seed, seed2 = self._seed
            if seed is None:
                key = np.random.SeedSequence().generate_state(2)
            else:
                key = [seed, seed2]
            state = ctx.state[self] = [key, np.random.Generator(np.random.Philox(key=key))]
        if not self._reshuffle:  # every pass repeats the first pass's order
            return np.random.Generator(np.random.Philox(key=state[0]))
        return state[1]

    def _iter(self, ctx):
        return self._shuffled(ctx, self._input._iter(ctx))

    def _rows(self, ctx):
        rows = self._input._rows(ctx)
        return None if rows is None else (rows[0], self._shuffled(ctx, rows[1]), rows[2])

    def _shuffled(self, ctx, it):
        uniform = _uniforms(self._rng(ctx))
        size = _int(ctx, self._buffer)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        buf = []
        for e in it:
            if type(e) is Failed:  # errors come out at once, as TensorFlow's shuffle
                yield e
                continue
            buf.append(e)
            if len(buf) >= size:
                break
        for e in it:
            if type(e) is Failed:
                yield e
                continue
            i = int(next(uniform) * len(buf))
            yield buf[i]
            buf[i] = e
        while buf:
            i = int(next(uniform) * len(buf))
            buf[i], buf[-1] = buf[-1], buf[i]
            yield buf.pop()


def _uniforms(rng):
    """Uniform floats in [0, 1), drawn 1024 at a time (one numpy call per element is slow)."""
    while True:
        yield from rng.random(1024).tolist()


def _stack(elements, n_components):
    out = []
    for k in range(n_components):
        parts = [e[k] for e in elements]
        first = parts[0].shape
        for p in parts:
            if p.shape != first:
                raise errors.InvalidArgumentError(
                    None, None, "Cannot add tensor to the batch: number of elements does not "
                    "match. Shapes are: [tensor]: %s, [batch]: %s"
                    % (_shape_dims(tensor_shape.TensorShape(p.shape)),
                       _shape_dims(tensor_shape.TensorShape(first))))
        out.append(np.stack(parts))
    return tuple(out)


class _Batch(_Unary):
    def __init__(self, input_ds, batch_size, drop_remainder):
        self._n = _count(batch_size, "batch_size")
        self._params = (self._n,)
        if type(self._n) is int and self._n <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        self._drop = bool(drop_remainder)
        lead = tensor_shape.TensorShape([self._n if self._drop and type(self._n) is int
                                         else None])
        spec = nest.map_structure(lambda s: TensorSpec(lead.concatenate(s.shape), s.dtype),
                                  input_ds._spec)
        super().__init__(input_ds, spec)
        self._k = len(nest.flatten(spec))

    def _batches(self, ctx):
        n = _int(ctx, self._n)
        if n <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        batch = []
        for e in self._input._iter(ctx):
            if type(e) is Failed:  # the batch being built fails with it (as TensorFlow)
                batch = []
                yield e
                continue
            batch.append(e)
            if len(batch) == n:
                yield batch
                batch = []
        if batch and not self._drop:
            yield batch

    def _iter(self, ctx):
        rows = self._input._rows(ctx)
        if rows is not None:  # rows of the same arrays: one slice or gather per component
            yield from self._gathered(ctx, *rows)
            return
        for batch in self._batches(ctx):
            if type(batch) is Failed:
                yield batch
                continue
            try:
                yield _stack(batch, self._k)
            except errors.OpError as e:
                yield Failed(e)

    def _gathered(self, ctx, arrays, rows, post):
        n = _int(ctx, self._n)
        if n <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        while True:
            idx = list(itertools.islice(rows, n))
            if not idx or (len(idx) < n and self._drop):
                return
            first, last = idx[0], idx[-1]
            if last - first == len(idx) - 1 and idx == list(range(first, last + 1)):
                batch = tuple(a[first:last + 1] for a in arrays)
            else:
                index = np.array(idx, dtype=np.intp)
                batch = tuple(a[index] for a in arrays)
            if post is not None:
                try:
                    batch = post(batch)
                except errors.OpError as e:
                    batch = Failed(e)
            yield batch


class _PaddedBatch(_Batch):
    def __init__(self, input_ds, batch_size, padded_shapes, padding_values, drop_remainder):
        in_specs = nest.flatten(input_ds._spec)
        if padded_shapes is None:
            shapes = [s.shape for s in in_specs]
            for s in shapes:
                if s.ndims is None:
                    raise ValueError("You must provide `padded_shapes` argument because component "
                                     "has unknown rank.")
        else:
            shapes = nest.flatten_up_to(nest.types_of(input_ds._spec), nest.lists_to_tuples(
                padded_shapes) if isinstance(padded_shapes, tuple) else padded_shapes)
        for s, pad in zip(in_specs, shapes):
            if not pad.is_compatible_with(s.shape) and (
                    s.shape.ndims is None or pad.ndims != s.shape.ndims):
                raise ValueError("The padded shape %s is not compatible with the shape %s of the "
                                 "corresponding input component." % (pad, s.shape))
        if padding_values is None:
            pads = [b"" if s.dtype is dtypes.string else 0 for s in in_specs]
        else:
            pads = list(_flatten_like(nest.types_of(input_ds._spec), padding_values))
        self._pads = [convert_to_tensor(p) if is_tensor_like(p) else p for p in pads]
        super().__init__(input_ds, batch_size, drop_remainder)
        lead = tensor_shape.TensorShape(
            [self._n if self._drop and type(self._n) is int else None])
        self._spec = nest.pack_as(input_ds._spec, [
            TensorSpec(lead.concatenate(p), s.dtype) for s, p in zip(in_specs, shapes)])
        self._padded = [p.as_tuple() for p in shapes]

    def _own_captures(self):
        return [p for p in list(self._pads) + [self._n] if isinstance(p, Tensor)]

    def _iter(self, ctx):
        specs = nest.flatten(self._spec)
        pads = [np.asarray(_value(ctx, p)) for p in self._pads]
        for batch in self._batches(ctx):
            if type(batch) is Failed:
                yield batch
                continue
            try:
                yield tuple(self._pad([e[k] for e in batch], spec, pad, target)
                            for k, (spec, pad, target) in enumerate(zip(specs, pads,
                                                                        self._padded)))
            except errors.OpError as e:
                yield Failed(e)

    @staticmethod
    def _pad(parts, spec, pad, target):
        dims = []
        for d in range(parts[0].ndim):
            biggest = max(p.shape[d] for p in parts)
            want = target[d] if target is not None and target[d] is not None else biggest
            if biggest > want:
                raise errors.InvalidArgumentError(
                    None, None, "Attempted to pad to a smaller size than the input element.")
            dims.append(want)
        arr = np.full([len(parts)] + dims, pad, dtype=spec.dtype.np)
        for i, p in enumerate(parts):
            arr[(i,) + tuple(slice(0, s) for s in p.shape)] = p
        return arr


def _flatten_like(types, values):
    if isinstance(types, tuple):
        for t, v in zip(types, values):
            yield from _flatten_like(t, v)
    elif isinstance(types, dict):
        for k in sorted(types):
            yield from _flatten_like(types[k], values[k])
    else:
        yield values


class _Unbatch(_Unary):
    def __init__(self, input_ds):
        specs = []
        for s in nest.flatten(input_ds._spec):
            if s.shape.ndims == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
            specs.append(TensorSpec(tensor_shape.unknown_shape() if s.shape.ndims is None
                                    else s.shape.as_tuple()[1:], s.dtype))
        super().__init__(input_ds, nest.pack_as(input_ds._spec, specs))

    def _iter(self, ctx):
        for e in self._input._iter(ctx):
            if type(e) is Failed:
                yield e
                continue
            n = e[0].shape[0]
            bad = [a.shape[0] for a in e if a.shape[0] != n]
            if bad:
                yield Failed(errors.InvalidArgumentError(
                    None, None, "Input element must have the same batch size in each "
                    "component. Component 0 had size %d but component had size %d."
                    % (n, bad[0])))
                continue
            for i in range(n):
                yield tuple(a[i, ...] for a in e)


# -- traced functions -----------------------------------------------------------------------------
class _Function:
    """A user function traced once into graph ops on placeholders standing for one element."""

    def __init__(self, fn, input_ds, kind, returns_dataset=False):
        if not callable(fn):
            raise TypeError("`%s_func` must be callable, got %r" % (kind, fn))
        graph = input_ds._graph
        self.kind = kind
        self.location = user_location()
        in_spec = input_ds._spec
        with graph.as_default(), graph.control_dependencies(None), graph.name_scope(""), \
                graph.name_scope("Dataset_%s" % kind):
            from tfgraph.ops.array_ops import placeholder
            args = [placeholder(s.dtype, s.shape, name="arg%d" % i)
                    for i, s in enumerate(nest.flatten(in_spec))]
            element = nest.pack_as(in_spec, args)
            if isinstance(element, tuple) and not hasattr(element, "_fields"):
                result = fn(*element)
            else:
                result = fn(element)
            if returns_dataset:
                if not isinstance(result, DatasetV1):
                    raise TypeError("`map_func` must return a `Dataset` object. Got %s"
                                    % type(result).__name__)
                self.dataset = result
                outputs = result._all_captures()
                self.structure = None
            else:
                result = nest.lists_to_tuples(result)
                outputs = [convert_to_tensor(t) for t in nest.flatten(result)]
                self.structure = nest.pack_as(result, outputs)
        self.args = args
        self.outputs = outputs
        self.captures = placeholders_upstream(outputs, set(args))
        self.elementwise = not returns_dataset and _elementwise(args, outputs)

    @property
    def output_spec(self):
        return nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype), self.structure)

    def bind(self, ctx):
        """A callable(flat element) -> flat outputs, running this session's plan of the ops."""
        from tfgraph.runtime.plan import ExecutionPlan
        plan = ctx.rt.resource(("tf.data function", self), lambda: ExecutionPlan(
            ctx.rt, self.args + self.captures, self.outputs, []))
        captured = [ctx.values[c] for c in self.captures]
        run = plan.__call__
        asarray = np.asarray

        def call(flat):
            out = run(list(flat) + captured)
            return tuple(v if type(v) is np.ndarray else asarray(v) for v in out)
        return call


_ELEMENTWISE_TYPES = frozenset(["Cast", "Identity", "StopGradient"])


def _elementwise(args, outputs):
    """True when the traced ops, run once on a batch of elements stacked, give the stack of their
    per-element results: every op on element data is elementwise over inputs of one fully known
    shape, its other inputs scalars computed without random or other stateful ops."""
    kinds = {t: "elem" for t in args}
    if not all(t.shape.is_fully_defined() for t in args):
        return False

    def kind(t):  # "elem" (per-element data), "const" (the same for every element), or None
        if t in kinds:
            return kinds[t]
        kinds[t] = None  # provisional: a cycle is impossible in a graph, this just guards
        op = t.op
        ins = [kind(i) for i in op.inputs]
        if None in ins or op.control_inputs:
            return None
        if "elem" not in ins:
            ok = not op.op_def.stateful or op.type in ("VariableV2", "Const")
            kinds[t] = "const" if ok else None
            return kinds[t]
        if len(op.outputs) != 1 or not (op.type in _ELEMENTWISE_TYPES or
                                        op.op_def.scalar_expression(op) is not None):
            return None
        shape = t.shape.as_tuple()
        for i, k in zip(op.inputs, ins):
            if k == "elem" and i.shape.as_tuple() != shape:
                return None
            if k == "const" and i.shape.as_tuple() != ():
                return None
        kinds[t] = "elem"
        return "elem"

    return all(kind(t) == "elem" for t in outputs)


class _Map(_Unary):
    def __init__(self, input_ds, fn):
        self._fn = _Function(fn, input_ds, "map")
        super().__init__(input_ds, self._fn.output_spec)

    def _functions(self):
        return [self._fn]

    def _iter(self, ctx):
        call = self._fn.bind(ctx)
        for e in self._input._iter(ctx):
            if type(e) is not Failed:
                try:
                    e = call(e)
                except errors.OpError as err:
                    e = Failed(err)
            yield e

    def _rows(self, ctx):
        if not self._fn.elementwise:
            return None
        rows = self._input._rows(ctx)
        if rows is None:
            return None
        call, inner = self._fn.bind(ctx), rows[2]
        return rows[0], rows[1], call if inner is None else (lambda batch: call(inner(batch)))


class _Filter(_Unary):
    def __init__(self, input_ds, predicate):
        self._fn = _Function(predicate, input_ds, "filter")
        out = nest.flatten(self._fn.structure)
        if isinstance(self._fn.structure, (tuple, dict)) or out[0].dtype is not dtypes.bool or \
                out[0].shape.ndims not in (0, None):
            raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                             "tensor, but its return type is %s." % (self._fn.output_spec,))
        super().__init__(input_ds)

    def _functions(self):
        return [self._fn]

    def _iter(self, ctx):
        call = self._fn.bind(ctx)
        for e in self._input._iter(ctx):
            if type(e) is Failed:
                yield e
                continue
            try:
                keep = call(e)[0]
            except errors.OpError as err:
                yield Failed(err)
                continue
            if keep.shape != ():
                yield Failed(errors.InvalidArgumentError(
                    None, None, "Filter predicate `predicate` must return a scalar bool tensor, "
                    "but its return type is %s." % (keep.shape,)))
            elif keep:
                yield e


class _FlatMap(_Unary):
    def __init__(self, input_ds, fn):
        self._fn = _Function(fn, input_ds, "flat_map", returns_dataset=True)
        super().__init__(input_ds, self._fn.dataset._spec)

    def _functions(self):
        return [self._fn]

    def _inner(self, ctx):
        call = self._fn.bind(ctx)
        inner = self._fn.dataset
        caps = inner._all_captures()
        for e in self._input._iter(ctx):
            if type(e) is not Failed:
                try:
                    yield inner._iter(Context(ctx.rt, dict(zip(caps, call(e)))))
                    continue
                except errors.OpError as err:
                    e = Failed(err)
            yield iter((e,))

    def _iter(self, ctx):
        for it in self._inner(ctx):
            yield from it


class _Interleave(_FlatMap):
    def __init__(self, input_ds, fn, cycle_length, block_length):
        super().__init__(input_ds, fn)
        self._cycle = AUTOTUNE if cycle_length is None else _count(cycle_length, "cycle_length")
        self._block = 1 if block_length is None else _count(block_length, "block_length")
        self._params = (self._cycle, self._block)

    def _iter(self, ctx):
        inners = self._inner(ctx)
        cycle, block = _int(ctx, self._cycle), _int(ctx, self._block)
        if cycle == AUTOTUNE:
            cycle = 16  # TF picks the CPU count; the order then depends on the machine
        if cycle <= 0 or block <= 0:
            raise errors.InvalidArgumentError(None, None, "cycle_length and block_length must "
                                              "be greater than zero.")
        active = []
        exhausted_input = False
        while True:
            while not exhausted_input and len(active) < cycle:
                nxt = next(inners, None)
                if nxt is None:
                    exhausted_input = True
                else:
                    active.append(nxt)
            if not active:
                return
            i = 0
            while i < len(active):
                it = active[i]
                finished = False
                for _ in range(block):
                    e = next(it, None)
                    if e is None:
                        finished = True
                        break
                    yield e
                if finished:  # the slot takes the next input element; the cycle moves on
                    nxt = None if exhausted_input else next(inners, None)
                    if nxt is None:
                        exhausted_input = True
                        active.pop(i)
                        continue
                    active[i] = nxt
                i += 1
