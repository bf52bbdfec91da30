"""tf.data transformations that need no traced function: concatenate, repeat, take, skip, shard,
cache, shuffle, batch, padded_batch, unbatch, prefetch."""
import itertools

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.data.capture import Failed
from tfgraph.data.dataset_ops import DatasetV1, _count, _int, _shape_dims, _value, dataset_kind
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.op_def import convert_to_tensor, is_tensor_like
from tfgraph.framework.tensor import Tensor


class _Unary(DatasetV1):
    _params = ()  # scalar arguments: ints, or tensors captured by the dataset

    def __init__(self, input_ds, spec=None):
        super().__init__(input_ds._spec if spec is None else spec, input_ds._graph)
        self._input = input_ds
        self._children = (input_ds,)

    def _own_captures(self):
        return [p for p in self._params if isinstance(p, Tensor)]


@dataset_kind("concatenate")
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


@dataset_kind("prefetch")
class _Passthrough(_Unary):
    def __init__(self, input_ds, what):
        super().__init__(input_ds)

    def _iter(self, ctx):
        return self._input._iter(ctx)

    def _rows(self, ctx):
        return self._input._rows(ctx)


@dataset_kind("repeat")
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


class _ByCount(_Unary):
    """A dataset that passes on some of its input's elements by a count (take, skip); errors
    (`Failed` elements) pass through uncounted, on the element path and the row path alike."""

    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = _count(count, "count")
        self._params = (self._count,)

    def _iter(self, ctx):
        return self._select(ctx, self._input._iter(ctx))

    def _rows(self, ctx):
        rows = self._input._rows(ctx)
        return None if rows is None else (rows[0], self._select(ctx, rows[1]), rows[2])


@dataset_kind("take")
class _Take(_ByCount):
    def _select(self, ctx, it):
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


@dataset_kind("skip")
class _Skip(_ByCount):
    def _select(self, ctx, it):
        count = _int(ctx, self._count)
        if count < 0:
            return
        i = 0
        for e in it:
            if type(e) is Failed or i >= count:
                yield e
            else:
                i += 1


@dataset_kind("shard")
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


@dataset_kind("cache")
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


@dataset_kind("shuffle")
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


@dataset_kind("batch")
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


@dataset_kind("padded_batch")
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


@dataset_kind("unbatch")
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
