"""tf.TensorArray: a list of same-dtype tensors, written and read by index (TF1's TensorArrayV3).

TF1 keeps a TensorArray as a mutable resource plus a "flow" scalar ordering its reads and writes.
tfgraph keeps the array itself as a value flowing between ops (dtype `variant`, like TF2's
TensorList), so it crosses cond branches and loop bodies as an ordinary input and output. A write
returns a new value; the values of one array share a store of written elements which a write into
a slot not yet written fills in place (see TAValue), so a loop writing one element per step costs
O(1) per step, and an element once written never changes (TF1 forbids a second write). The Python
`TensorArray` object wraps the flow tensor and tracks the static element shape.

Gradients treat the array as a list of tensors: the gradient of an array is an array of
gradients, where an element never written stands for zeros (missing from the store).
"""
import numpy as np

from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor
from tfgraph.ops import array_ops


class _Store(dict):
    """Written elements by index, shared by the successive values of one array."""

    __slots__ = ("version",)

    def __init__(self, *args):
        super().__init__(*args)
        self.version = 0


class TAValue:
    """The run-time value of a TensorArray: `size` slots, the written ones in `store`.

    A write normally returns a new value over the same store, filled in place: only the newest
    value of a store writes in place, into a slot not yet written (what TF1 allows anyway), so
    every step of a loop writing its output costs O(1). Any other write copies the store.
    Gradient arrays use the same type; a slot missing from them is a zero gradient.
    """

    __slots__ = ("store", "size", "version", "dtype", "dynamic_size", "element_shape")

    def __init__(self, store, size, dtype, dynamic_size, element_shape):
        self.store = store
        self.size = size
        self.version = store.version
        self.dtype = dtype
        self.dynamic_size = dynamic_size
        self.element_shape = element_shape  # tuple with None for unknown dims, or None

    @classmethod
    def empty(cls, size, dtype, dynamic_size, element_shape):
        return cls(_Store(), size, dtype, dynamic_size, element_shape)

    def __repr__(self):
        return "TensorArray(size=%d, written=%d, dtype=%s)" % (self.size, len(self.store),
                                                                self.dtype)


def _fail(op, msg):
    raise errors.InvalidArgumentError(None, op, "%s (TensorArray op %s '%s' created at %s)"
                                      % (msg, op.type, op.name, op.location))


def _shape_ok(want, shape):
    return want is None or (len(want) == len(shape) and all(
        w is None or w == s for w, s in zip(want, shape)))


def _write(op, ta, index, value, grad_accumulate=False, infer_shape=True):
    """`ta` with `value` at `index`, as a new TAValue (see TAValue on sharing the store)."""
    index = int(index)
    size = ta.size
    if index < 0:
        _fail(op, "Tried to write to index %d but array has size %d" % (index, size))
    if index >= size:
        if not ta.dynamic_size:
            _fail(op, "Tried to write to index %d but array is not resizeable and size is: %d"
                  % (index, size))
        size = index + 1
    value = np.asarray(value, dtype=ta.dtype)
    want = ta.element_shape
    if want is not None and (len(want) != value.ndim or any(
            w is not None and w != d for w, d in zip(want, value.shape))):
        _fail(op, "Could not write to TensorArray index %d because the value shape is %s which "
              "is incompatible with the TensorArray's inferred element shape: %s"
              % (index, list(value.shape), list(want)))
    store = ta.store
    old = store.get(index)
    if old is not None:
        if not grad_accumulate:
            _fail(op, "Could not write to TensorArray index %d because it has already been "
                  "written to." % index)
        value = old + value
    if old is not None or store.version != ta.version:
        store = _Store(store)      # not the newest value of this store, or an overwrite: copy
    store[index] = value
    store.version += 1
    out = TAValue(store, size, ta.dtype, ta.dynamic_size, want)
    if infer_shape and (want is None or None in want):
        out.element_shape = value.shape
    return out


def _read(op, ta, index, like=None):
    index = int(index)
    if not 0 <= index < ta.size:
        _fail(op, "Tried to read from index %d but array size is: %d" % (index, ta.size))
    v = ta.store.get(index)
    if v is None:
        if like is not None:  # gradient arrays: an unwritten element is a zero gradient
            return np.zeros(np.shape(like), ta.dtype)
        if ta.element_shape is not None and None not in ta.element_shape:
            return np.zeros(ta.element_shape, ta.dtype)
        _fail(op, "Could not read from TensorArray index %d because it has not yet been written "
              "to." % index)
    return v


def add_arrays(a, b):
    """Element-wise sum of two gradient arrays (None: all zeros); `a` may be updated in place
    when it is the newest value of its store."""
    if a is None:
        return b
    if b is None:
        return a
    store = a.store if a.store.version == a.version else _Store(a.store)
    for i, v in b.store.items():
        old = store.get(i)
        store[i] = v if old is None else old + v
    store.version += 1
    return TAValue(store, max(a.size, b.size), a.dtype, True, None)


class TensorArrayV3(OpDef):
    type = "TensorArrayV3"
    attrs = {"dtype": None, "element_shape": None, "dynamic_size": False,
             "clear_after_read": True, "tensor_array_name": ""}
    input_dtypes = {0: dtypes.int32}
    stateful = True  # a new array per run (never folded into a shared constant)

    def infer(self, size, **attrs):
        return [TensorSpec([], dtypes.variant)]

    def grad(self, op, dta):
        return [None]  # a new array: no gradient reaches its size

    def make_kernel(self, op, rt):
        np_dtype = op.attrs["dtype"].np
        dyn = op.attrs["dynamic_size"]
        es = op.attrs["element_shape"]
        es = None if es is None or es.ndims is None else es.as_tuple()

        def create(size):
            return TAValue.empty(int(size), np_dtype, dyn, es)
        return create


class TensorArrayWriteV3(OpDef):
    type = "TensorArrayWriteV3"
    saved_for_gradient = True  # fills the shared store: a recomputation would write twice
    attrs = {"grad_accumulate": False}
    input_dtypes = {1: dtypes.int32}

    def infer(self, ta, index, value, grad_accumulate):
        return [TensorSpec([], dtypes.variant)]

    def make_kernel(self, op, rt):
        acc = op.attrs["grad_accumulate"]
        return lambda ta, index, value: _write(op, ta, index, value, acc)

    def grad(self, op, dta):
        # d value = the gradient array's element at index; the array's other elements pass through
        dv = tensor_array_read(dta, op.inputs[1], op.inputs[2].dtype, op.inputs[2].shape,
                               like=op.inputs[2])
        return [dta, None, dv]


class TensorArrayReadV3(OpDef):
    type = "TensorArrayReadV3"
    persistent_output = True  # the element as written (maybe a fed array): copied if fetched
    attrs = {"dtype": None, "element_shape": None}
    input_dtypes = {1: dtypes.int32}

    def infer(self, ta, index, *like, dtype, element_shape):
        return [TensorSpec(element_shape if element_shape is not None else
                           tensor_shape.unknown_shape(), dtype)]

    def make_kernel(self, op, rt):
        def read(ta, index, like=None):
            if ta is None:  # a gradient array nothing was written to
                return np.zeros(np.shape(like), op.attrs["dtype"].np)
            return _read(op, ta, index, like)
        return read

    def grad(self, op, dv):
        ta, index = op.inputs[0], op.inputs[1]
        return [TensorArrayGradFromRead.apply(ta, index, dv), None] + [None] * (len(op.inputs) - 2)


class TensorArrayGradFromRead(OpDef):
    """The gradient array of a read: `dv` at `index`, zeros (unwritten) elsewhere."""

    type = "TensorArrayGradFromRead"
    input_dtypes = {1: dtypes.int32}

    def infer(self, ta, index, dv):
        return [TensorSpec([], dtypes.variant)]

    def make_kernel(self, op, rt):
        def grad_array(ta, index, dv):
            return _write(op, TAValue.empty(ta.size, ta.dtype, True, None), index, dv)
        return grad_array


class TensorArrayAddGrads(OpDef):
    """Sum of gradient arrays, element by element (None counts as zeros)."""

    type = "TensorArrayAddGrads"

    def infer(self, *tas):
        return [TensorSpec([], dtypes.variant)]

    def compute(self, *tas):
        out = None
        for t in tas:
            if t is not None:  # the sum goes to a new store: the inputs stay as they are
                out = add_arrays(TAValue.empty(t.size, t.dtype, True, None) if out is None
                                 else out, t)
        return out


class TensorArrayGatherV3(OpDef):
    type = "TensorArrayGatherV3"
    attrs = {"dtype": None, "element_shape": None}
    input_dtypes = {1: dtypes.int32}

    def infer(self, ta, indices, *like, dtype, element_shape):
        es = element_shape if element_shape is not None else tensor_shape.unknown_shape()
        lead = indices.shape.as_tuple()[0] if indices.shape.ndims == 1 else None
        return [TensorSpec(tensor_shape.TensorShape([lead]).concatenate(es), dtype)]

    def make_kernel(self, op, rt):
        np_dtype = op.attrs["dtype"].np
        es = op.attrs["element_shape"]
        static = None if es is None or not es.is_fully_defined() else es.as_tuple()

        def gather(ta, indices, like=None):
            indices = np.asarray(indices).reshape(-1)
            if ta is None:
                return np.zeros((len(indices),) + np.shape(like)[1:], np_dtype)
            if len(indices) == 0:
                shape = ta.element_shape if ta.element_shape is not None and \
                    None not in ta.element_shape else static
                if shape is None:
                    _fail(op, "TensorArray has size zero, but element shape <unknown> is not "
                          "fully defined. Currently only static shapes are supported when "
                          "packing zero-size TensorArrays.")
                return np.zeros((0,) + tuple(shape), np_dtype)
            ref = like[0] if like is not None else None
            vals = [_read(op, ta, i, ref) for i in indices]
            shapes = {v.shape for v in vals}
            if len(shapes) > 1:
                _fail(op, "TensorArray has inconsistent shapes: %s" % sorted(shapes))
            return np.stack(vals)
        return gather

    def grad(self, op, dv):
        ta, indices = op.inputs[0], op.inputs[1]
        return [TensorArrayScatterGrad.apply(ta, indices, dv), None] + \
            [None] * (len(op.inputs) - 2)


class TensorArrayScatterGrad(OpDef):
    """The gradient array of a gather: rows of `dv` at `indices` of an array shaped like `ta`."""

    type = "TensorArrayScatterGrad"
    input_dtypes = {1: dtypes.int32}

    def infer(self, ta, indices, dv):
        return [TensorSpec([], dtypes.variant)]

    def make_kernel(self, op, rt):
        def grad_array(ta, indices, dv):
            g = TAValue.empty(ta.size, ta.dtype, True, None)
            for row, i in zip(dv, np.asarray(indices).reshape(-1)):
                g = _write(op, g, i, row, grad_accumulate=True)
            return g
        return grad_array


class TensorArrayScatterV3(OpDef):
    type = "TensorArrayScatterV3"
    saved_for_gradient = True  # fills the shared store: a recomputation would write twice
    input_dtypes = {1: dtypes.int32}

    def infer(self, ta, indices, value):
        return [TensorSpec([], dtypes.variant)]

    def make_kernel(self, op, rt):
        def scatter(ta, indices, value):
            indices = np.asarray(indices).reshape(-1)
            if len(indices) != len(value):
                _fail(op, "Expected len(indices) == values.shape[0], but saw: %d vs. %d"
                      % (len(indices), len(value)))
            for row, i in zip(value, indices):
                ta = _write(op, ta, i, row)
            return ta
        return scatter

    def grad(self, op, dta):
        ta, indices, value = op.inputs
        dv = TensorArrayGatherV3.apply(dta, indices, value, dtype=value.dtype,
                                       element_shape=value.shape[1:])
        return [dta, None, dv]


class TensorArraySizeV3(OpDef):
    type = "TensorArraySizeV3"

    def infer(self, ta):
        return [TensorSpec([], dtypes.int32)]

    def compute(self, ta):
        return np.array(ta.size, np.int32)


class TensorArrayConcatV3(OpDef):
    type = "TensorArrayConcatV3"
    attrs = {"dtype": None, "element_shape_except0": None}

    def infer(self, ta, dtype, element_shape_except0):
        rest = element_shape_except0 if element_shape_except0 is not None else \
            tensor_shape.unknown_shape()
        if rest.ndims is None:
            return [TensorSpec(tensor_shape.unknown_shape(), dtype), TensorSpec([None], "int64")]
        return [TensorSpec(tensor_shape.TensorShape([None]).concatenate(rest), dtype),
                TensorSpec([None], "int64")]

    def make_kernel(self, op, rt):
        def concat(ta):
            vals = [_read(op, ta, i) for i in range(ta.size)]
            if not vals:
                rest = op.attrs["element_shape_except0"]
                if rest is None or not rest.is_fully_defined():
                    _fail(op, "Concat saw a TensorArray of size zero with an unknown element "
                          "shape")
                return np.zeros((0,) + rest.as_tuple(), ta.dtype), np.zeros(0, np.int64)
            return np.concatenate(vals), np.array([len(v) for v in vals], np.int64)
        return concat


    def grad(self, op, dv, dlengths):
        return [TensorArrayGradFromConcat.apply(op.inputs[0], dv, op.outputs[1])]


def _split(op, ta, value, lengths, fresh):
    lengths = np.asarray(lengths).reshape(-1)
    value = np.asarray(value)
    if lengths.sum() != len(value) or (lengths < 0).any():
        _fail(op, "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
              "%d and value's shape is: %s" % (lengths.sum(), list(value.shape)))
    if fresh:
        ta = TAValue.empty(max(ta.size, len(lengths)), ta.dtype, True, None)
    elif ta.element_shape is not None and len(ta.element_shape) == value.ndim:
        # pieces differ in their first dimension only
        ta = TAValue(ta.store, ta.size, ta.dtype, ta.dynamic_size,
                     (None,) + tuple(ta.element_shape[1:]))
    else:
        ta = TAValue(ta.store, ta.size, ta.dtype, ta.dynamic_size, None)
    start = 0
    for i, n in enumerate(lengths):
        ta = _write(op, ta, i, value[start:start + n], infer_shape=False)
        start += n
    return ta


class TensorArraySplitV3(OpDef):
    """Writes consecutive pieces of `value` (rows split by `lengths`) as elements 0, 1, ..."""

    type = "TensorArraySplitV3"
    saved_for_gradient = True  # fills the shared store: a recomputation would write twice

    def infer(self, ta, value, lengths):
        return [TensorSpec([], dtypes.variant)]

    def make_kernel(self, op, rt):
        return lambda ta, value, lengths: _split(op, ta, value, lengths, False)

    def grad(self, op, dta):
        return [dta, TensorArraySplitGrad.apply(dta, op.inputs[1], op.inputs[2]), None]


class TensorArraySplitGrad(OpDef):
    """d value of a split: the gradient array's elements concatenated (zeros where missing)."""

    type = "TensorArraySplitGrad"

    def infer(self, dta, value, lengths):
        return [TensorSpec(value.shape, value.dtype)]

    def compute(self, dta, value, lengths):
        out = np.zeros_like(value)
        if dta is None:
            return out
        start = 0
        for i, n in enumerate(np.asarray(lengths).reshape(-1)):
            g = dta.store.get(i)
            if g is not None:
                out[start:start + n] = g
            start += n
        return out


class TensorArrayGradFromConcat(OpDef):
    """The gradient array of a concat: `dv` split back into the elements' lengths."""

    type = "TensorArrayGradFromConcat"

    def infer(self, ta, dv, lengths):
        return [TensorSpec([], dtypes.variant)]

    def make_kernel(self, op, rt):
        return lambda ta, dv, lengths: _split(op, ta, dv, lengths, True)


def tensor_array_read(flow, index, dtype, element_shape, like=None):
    extra = [like] if like is not None else []
    return TensorArrayReadV3.apply(flow, index, *extra, dtype=dtype, element_shape=element_shape)


class TensorArray:
    """tf.TensorArray (TF1 signature): a dynamically sized list of tensors of one dtype.

        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        ta = ta.write(0, x)          # returns the new array: always use the result
        y = ta.stack()
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._element_shape = tensor_shape.as_shape(element_shape) if element_shape is not None \
            else tensor_shape.unknown_shape()
        if flow is not None:
            self._flow = flow
            return
        if handle is not None:
            raise ValueError("tfgraph's TensorArray is built from a size (or a flow), not a "
                             "handle")
        if size is None:
            raise ValueError("Size must be provided if handle is not provided")
        self._flow = TensorArrayV3.apply(
            size, dtype=self._dtype, element_shape=self._element_shape,
            dynamic_size=self._dynamic_size,
            clear_after_read=True if clear_after_read is None else clear_after_read,
            tensor_array_name=tensor_array_name or "", name=name or "TensorArray")

    def _with_flow(self, flow, element_shape=None):
        ta = TensorArray(self._dtype, dynamic_size=self._dynamic_size, flow=flow,
                         infer_shape=self._infer_shape, element_shape=self._element_shape)
        if element_shape is not None and self._infer_shape:
            try:
                ta._element_shape = self._element_shape.merge_with(element_shape)
            except ValueError:
                raise ValueError("Inconsistent shapes: saw %s but expected %s "
                                 "(and infer_shape=True)" % (element_shape, self._element_shape)
                                 ) from None
        return ta

    def _as_flow(self):
        return self._flow

    @property
    def flow(self):
        return self._flow

    @property
    def handle(self):
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def element_shape(self):
        return self._element_shape

    @property
    def dynamic_size(self):
        return self._dynamic_size

    def identity(self):
        return self._with_flow(array_ops.identity(self._flow))

    def read(self, index, name=None):
        return tensor_array_read(self._flow, index, self._dtype,
                                 self._element_shape if self._infer_shape else None)

    def write(self, index, value, name=None):
        value = convert_to_tensor(value, dtype=self._dtype)
        flow = TensorArrayWriteV3.apply(self._flow, index, value, name=name)
        return self._with_flow(flow, value.shape)

    def gather(self, indices, name=None, element_shape=None):
        es = self._element_shape if element_shape is None else \
            tensor_shape.as_shape(element_shape)
        return TensorArrayGatherV3.apply(self._flow, indices, dtype=self._dtype,
                                         element_shape=es, name=name)

    def stack(self, name=None):
        indices = array_ops.range(0, TensorArraySizeV3.apply(self._flow), 1)
        return self.gather(indices, name=name or "TensorArrayStack")

    def scatter(self, indices, value, name=None):
        value = convert_to_tensor(value, dtype=self._dtype)
        flow = TensorArrayScatterV3.apply(self._flow, indices, value, name=name)
        es = value.shape[1:] if value.shape.ndims is not None else None
        return self._with_flow(flow, es)

    def unstack(self, value, name=None):
        value = convert_to_tensor(value, dtype=self._dtype)
        indices = array_ops.range(0, array_ops.shape(value)[0], 1)
        return self.scatter(indices, value, name=name or "TensorArrayUnstack")

    def size(self, name=None):
        return TensorArraySizeV3.apply(self._flow, name=name)

    def concat(self, name=None):
        rest = self._element_shape[1:] if self._element_shape.ndims else None
        return TensorArrayConcatV3.apply(self._flow, dtype=self._dtype,
                                         element_shape_except0=rest, name=name)[0]

    def split(self, value, lengths, name=None):
        """Writes `value` split along its first dimension into pieces of `lengths` rows."""
        value = convert_to_tensor(value, dtype=self._dtype)
        lengths = convert_to_tensor(lengths, dtype=dtypes.int64)
        flow = TensorArraySplitV3.apply(self._flow, value, lengths, name=name)
        es = None
        if value.shape.ndims is not None:
            es = tensor_shape.TensorShape([None]).concatenate(value.shape[1:])
        return self._with_flow(flow, es)

    def close(self, name=None):
        from tfgraph.ops.control_flow_ops import no_op
        return no_op(name=name)


__all__ = ["TensorArray"]
