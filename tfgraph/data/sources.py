"""tf.data sources: from_tensor_slices, from_tensors, range, from_generator, zip and
TextLineDataset."""
import gzip
import os
import zlib

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.data.capture import Failed
from tfgraph.data.dataset_ops import (
    DatasetV1,
    _as_component,
    _component_spec,
    _count,
    _shape_dims,
    _value,
    dataset_kind,
)
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.op_def import _to_array, convert_to_tensor
from tfgraph.framework.tensor import Tensor


@dataset_kind("from_tensor_slices")
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


@dataset_kind("from_tensors")
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


@dataset_kind("range")
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


@dataset_kind("from_generator")
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


@dataset_kind("zip")
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
