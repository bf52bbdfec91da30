"""tf.data iterators as graph ops whose state lives in the session.

    OneShotIterator / IteratorV2   -> a handle to the session's iterator state (resource)
    MakeIterator(handle, captured) -> (re)starts the iterator on a dataset (the `initializer`)
    IteratorGetNext(handle)        -> the next element: one op, so one advance per sess.run
    IteratorToStringHandle / IteratorFromStringHandleV2 -> feedable iterators

Each session keeps its own iterator states (`SessionState.resource`), so two sessions on one graph
iterate independently. Plans that do not contain these ops are untouched by them.
"""
import threading

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.data.capture import Context, Failed, placeholders_upstream
from tfgraph.framework import dtypes, errors
from tfgraph.framework.op_def import OpDef, convert_to_tensor
from tfgraph.framework.op_def import TensorSpec as _OutSpec

_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure that "
                    "you have run the initializer operation for this iterator before getting the "
                    "next element.")


class _IteratorState:
    """One iterator in one session: the running chain of element generators."""

    __slots__ = ("name", "types", "it", "lock", "started")

    def __init__(self, name, types):
        self.name = name
        self.types = types        # flat output dtypes, checked against handles that name it
        self.it = None
        self.lock = threading.Lock()
        self.started = False      # one-shot iterators: initialized on first use

    def reset(self, dataset, ctx):
        with self.lock:
            self.it = dataset._iter(ctx)
            self.started = True

    def get_next(self, op):
        with self.lock:
            it = self.it
            if it is None:
                raise errors.FailedPreconditionError(None, op, _NOT_INITIALIZED)
            try:
                element = next(it)
            except StopIteration:
                raise errors.OutOfRangeError(None, op, "End of sequence") from None
            except errors.OpError as e:  # raised while starting a source: the pass is over
                element = Failed(e)
        if type(element) is Failed:  # raised by get_next, as TF does; the failing op named below
            e = element.error
            msg = e.message if e.op is None else "%s\n\t [[node %s (defined at %s) ]]" % (
                e.message, e.op.name, getattr(e.op, "location", "?"))
            raise type(e)(None, op, msg) from None
        return element


def _state_key(name):
    return ("tf.data iterator", name)


def _flat_types(spec):
    return tuple(s.dtype for s in nest.flatten(spec))


class IteratorV2(OpDef):
    """A handle to this session's state of the iterator (made empty; MakeIterator starts it)."""

    type = "IteratorV2"
    attrs = {"shared_name": "", "container": "", "output_types": (), "output_shapes": ()}
    stateful = True

    def infer(self, **attrs):
        return [_OutSpec([], dtypes.resource)]

    def make_kernel(self, op, rt):
        name = op.attrs["shared_name"] or op.name
        state = rt.resource(_state_key(name),
                            lambda: _IteratorState(name, tuple(op.attrs["output_types"])))
        return lambda: state


class OneShotIterator(OpDef):
    """A handle to an iterator that starts itself on `dataset` when first used in a session."""

    type = "OneShotIterator"
    attrs = {"dataset": None, "output_types": (), "output_shapes": (), "shared_name": "",
             "container": ""}
    stateful = True

    def infer(self, **attrs):
        return [_OutSpec([], dtypes.resource)]

    def make_kernel(self, op, rt):
        dataset = op.attrs["dataset"]
        state = rt.resource(_state_key(op.name),
                            lambda: _IteratorState(op.name, tuple(op.attrs["output_types"])))

        def handle():
            if not state.started:
                _start_one_shot(state, dataset, rt)
            return state
        return handle


def _start_one_shot(state, dataset, rt):
    from tfgraph.runtime.plan import ExecutionPlan
    caps = dataset._all_captures()
    values = ExecutionPlan(rt, [], caps, [])([]) if caps else ()
    with state.lock:
        if state.started:
            return
        state.it = dataset._iter(Context(rt, dict(zip(caps, values))))
        state.started = True


class MakeIterator(OpDef):
    """Starts (or restarts) the iterator on `dataset`, with the captured tensors' values now."""

    type = "MakeIterator"
    attrs = {"dataset": None}
    stateful = True

    def infer(self, handle, *captured, dataset):
        return []

    def make_kernel(self, op, rt):
        dataset = op.attrs["dataset"]
        caps = dataset._all_captures()

        def make(state, *values):
            # the values as of now: a fed array or a variable's buffer may change afterwards
            values = [np.array(v, copy=True) for v in values]
            state.reset(dataset, Context(rt, dict(zip(caps, values))))
        return make


class IteratorGetNext(OpDef):
    """The next element of the iterator, as one output per component."""

    type = "IteratorGetNext"
    attrs = {"output_types": (), "output_shapes": ()}
    stateful = True           # advances the iterator: never folded or merged
    persistent_output = True  # elements may view the dataset's arrays: copied when fetched

    def infer(self, handle, *, output_types, output_shapes):
        return [_OutSpec(s, t) for t, s in zip(output_types, output_shapes)]

    def make_kernel(self, op, rt):
        types = tuple(op.attrs["output_types"])
        single = len(types) == 1

        def get_next(state):
            if state.types != types:
                raise errors.InvalidArgumentError(
                    None, op, "Number of components does not match: expected %d types but "
                    "got %d." % (len(types), len(state.types)) if len(types) != len(state.types)
                    else "Data type mismatch: expected %s but got %s."
                    % ([t.name for t in types], [t.name for t in state.types]))
            element = state.get_next(op)
            return element[0] if single else element
        return get_next


class IteratorToStringHandle(OpDef):
    """A string naming the iterator, to feed to an iterator made by `from_string_handle`."""

    type = "IteratorToStringHandle"
    stateful = True

    def infer(self, handle):
        return [_OutSpec([], dtypes.string)]

    def compute(self, state):
        return np.array(("tfgraph-iterator:" + state.name).encode(), dtype=object)


class IteratorFromStringHandleV2(OpDef):
    """The iterator a string handle names, in this session."""

    type = "IteratorFromStringHandleV2"
    attrs = {"output_types": (), "output_shapes": ()}
    stateful = True

    def infer(self, string_handle, **attrs):
        return [_OutSpec([], dtypes.resource)]

    def make_kernel(self, op, rt):
        def lookup(handle):
            h = handle.item() if isinstance(handle, np.ndarray) else handle
            if isinstance(h, bytes):
                h = h.decode("utf-8", "replace")
            state = None
            if isinstance(h, str) and h.startswith("tfgraph-iterator:"):
                state = rt.lookup_resource(_state_key(h[len("tfgraph-iterator:"):]))
            if state is None:
                raise errors.InvalidArgumentError(
                    None, op, "Unable to find the iterator named by string handle %r in this "
                    "session" % (h,))
            return state
        return lookup


# -- the Python Iterator --------------------------------------------------------------------------
class Iterator:
    """tf.compat.v1.data.Iterator: `get_next()` tensors over a dataset, advanced per sess.run."""

    def __init__(self, handle, initializer, spec):
        self._handle = handle
        self._initializer = initializer
        self._spec = spec

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """A reinitializable iterator of the given structure; `make_initializer(ds)` starts it."""
        spec = _spec_of(output_types, output_shapes)
        flat = nest.flatten(spec)
        handle = IteratorV2.apply(shared_name=shared_name or "",
                                  output_types=tuple(s.dtype for s in flat),
                                  output_shapes=tuple(s.shape for s in flat), name="Iterator")
        return Iterator(handle, None, spec)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """An iterator switched by feeding `string_handle` (from another's `string_handle()`)."""
        spec = _spec_of(output_types, output_shapes)
        flat = nest.flatten(spec)
        string_handle = convert_to_tensor(string_handle)
        if string_handle.dtype is not dtypes.string:
            raise TypeError("`string_handle` must be a tf.string tensor, got %s"
                            % string_handle.dtype.name)
        handle = IteratorFromStringHandleV2.apply(
            string_handle, output_types=tuple(s.dtype for s in flat),
            output_shapes=tuple(s.shape for s in flat))
        return Iterator(handle, None, spec)

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that (re)starts this iterator on `dataset` (of a compatible structure)."""
        if not _is_dataset(dataset):
            raise TypeError("make_initializer expects a tf.data.Dataset, got %r" % (dataset,))
        nest.assert_same_structure(nest.types_of(self._spec), dataset.output_types,
                                   "make_initializer")
        mine, theirs = nest.flatten(self._spec), nest.flatten(dataset._spec)
        if [s.dtype for s in mine] != [s.dtype for s in theirs]:
            raise TypeError("Expected output types %s but got dataset with output types %s."
                            % (_types_str(self.output_types), _types_str(dataset.output_types)))
        if not all(a.shape.is_compatible_with(b.shape) for a, b in zip(mine, theirs)):
            raise TypeError("Expected output shapes compatible with %s but got dataset with "
                            "output shapes %s." % (self.output_shapes, dataset.output_shapes))
        return _make_iterator(self._handle, dataset, name)

    def get_next(self, name=None):
        """The next element's tensors (one IteratorGetNext op: each run advances it once)."""
        flat = nest.flatten(self._spec)
        outs = IteratorGetNext.apply(self._handle, output_types=tuple(s.dtype for s in flat),
                                     output_shapes=tuple(s.shape for s in flat),
                                     name=name or "IteratorGetNext")
        outs = [outs] if len(flat) == 1 else list(outs)
        return nest.pack_as(self._spec, outs)

    def string_handle(self, name=None):
        """A string tensor naming this iterator, for `Iterator.from_string_handle`."""
        return IteratorToStringHandle.apply(self._handle, name=name)

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


def _is_dataset(x):
    # duck-typed: dataset_ops imports this module, not the reverse
    return hasattr(x, "_all_captures") and hasattr(x, "_iter") and hasattr(x, "element_spec")


def _types_str(types):
    return nest.map_structure(lambda t: "tf." + t.name, types) if nest.is_nested(types) \
        else "tf." + types.name


def _spec_of(output_types, output_shapes):
    types = nest.map_structure(dtypes.as_dtype, nest.lists_to_tuples(output_types)
                               if isinstance(output_types, (tuple, list)) else output_types)
    if output_shapes is not None and isinstance(output_shapes, tuple):
        output_shapes = tuple(nest.lists_to_tuples(s) if isinstance(s, tuple) else s
                              for s in output_shapes)
    return nest.spec_from(types, output_shapes)


def _make_iterator(handle, dataset, name):
    caps = dataset._all_captures()
    with handle.graph.as_default():
        return MakeIterator.create_op([handle] + caps, name=name or "MakeIterator",
                                      dataset=dataset)


def make_one_shot_iterator(dataset):
    """tf.compat.v1.data.make_one_shot_iterator: starts itself on first use in each session."""
    if not _is_dataset(dataset):
        raise TypeError("make_one_shot_iterator expects a tf.data.Dataset, got %r" % (dataset,))
    held = placeholders_upstream(dataset._all_captures(), set())
    if held:
        raise ValueError("Cannot capture a placeholder (name:%s, type:Placeholder) by value."
                         % held[0].op.name)
    flat = nest.flatten(dataset._spec)
    with dataset._graph.as_default():
        handle = OneShotIterator.apply(dataset=dataset, output_types=tuple(s.dtype for s in flat),
                                       output_shapes=tuple(s.shape for s in flat))
    return Iterator(handle, None, dataset._spec)


def make_initializable_iterator(dataset, shared_name=None):
    """tf.compat.v1.data.make_initializable_iterator: run `iterator.initializer` to (re)start."""
    if not _is_dataset(dataset):
        raise TypeError("make_initializable_iterator expects a tf.data.Dataset, got %r"
                        % (dataset,))
    flat = nest.flatten(dataset._spec)
    with dataset._graph.as_default():
        handle = IteratorV2.apply(shared_name=shared_name or "",
                                  output_types=tuple(s.dtype for s in flat),
                                  output_shapes=tuple(s.shape for s in flat), name="Iterator")
        init = _make_iterator(handle, dataset, None)
    return Iterator(handle, init, dataset._spec)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes


__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes"]
