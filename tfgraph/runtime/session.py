"""Session and InteractiveSession: validate feeds, look up (or compile) the plan, run it, rebuild fetches."""
import contextlib
import threading

import numpy as np

from tfgraph.framework import session_stack
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.session_stack import get_default_session
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.operation import Operation
from tfgraph.framework.tensor import Tensor
from tfgraph.runtime.fetch import FetchStructure, split_elements
from tfgraph.runtime.plan import ExecutionPlan
from tfgraph.runtime.state import SessionState


class Session:
    """A TF1 session: `sess.run(fetches, feed_dict)` runs the graph on numpy/Numba kernels.

    Each distinct (feeds, fetches, targets) signature is compiled once into an ExecutionPlan; later
    runs with the same signature only validate feeds and call the plan. `run` is thread-safe.
    """

    def __init__(self, target="", graph=None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        self._closed = False
        self._state = SessionState(self._graph)
        self._plans = {}
        self._plans_lock = threading.Lock()
        self._checkers = {}  # fed tensor -> its feed converter/checker
        self._feed_keys = {}  # feed_dict key (tensor or name) -> fed tensor
        self._signatures = {}  # fetches (see _fetch_key) -> _RunSignature
        self._default_ctx = None
        self.sess_str = target

    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        from tfgraph.framework import graph_io
        return graph_io.as_graph_def(self._graph)

    # -- running ---------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and evaluates the tensors in `fetches` (any nesting), feeding `feed_dict`."""
        self._check_open()
        sig = self._signature(fetches)
        feed_tensors, feed_values = self._prepare_feeds(feed_dict)
        plan = self._plan(tuple(feed_tensors), sig.tensors, sig.targets)
        if options is not None and getattr(options, "trace_level", 0) == 3:
            # FULL_TRACE: per-op timings via an instrumented copy of the plan (runtime/profile.py)
            from tfgraph.runtime import profile
            values = profile.run_traced(plan, feed_values, run_metadata)
        else:
            values = plan(feed_values)
        return sig.result(values)

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function that runs `fetches`, taking the values of `feed_list` positionally."""
        self._check_open()
        sig = _RunSignature(self._graph, fetches)
        feed_tensors = [self._feed_tensor(k) for k in (feed_list or [])]
        plan = self._plan(tuple(feed_tensors), sig.tensors, sig.targets)
        checks = [_feed_checker(t) for t in feed_tensors]
        n_feeds = len(checks)
        result = sig.result

        def call(*feed_args, **kwargs):
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(feed_args) != n_feeds:
                raise TypeError("Expected %d feed values, got %d" % (n_feeds, len(feed_args)))
            return result(plan([check(v) for check, v in zip(checks, feed_args)]))

        return call

    def _signature(self, fetches):
        """The flattened fetches of `fetches`, cached when they are a tensor/op/name or a flat list."""
        key = _fetch_key(fetches)
        if key is None:
            return _RunSignature(self._graph, fetches)
        sig = self._signatures.get(key)
        if sig is None:
            sig = self._signatures[key] = _RunSignature(self._graph, fetches)
        return sig

    def _plan(self, feeds, fetches, targets):
        key = (feeds, fetches, targets)
        plan = self._plans.get(key)
        if plan is None:
            with self._plans_lock:
                plan = self._plans.get(key)
                if plan is None:
                    plan = ExecutionPlan(self._state, feeds, fetches, targets)
                    unfed = [op for op in plan.ops if op.op_def.must_be_fed]
                    if unfed:  # reject before any kernel runs, so the run changes no state
                        plan = _Unfed(unfed[0], self._state)
                    self._plans[key] = plan
        return plan

    def _feed_tensor(self, key):
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            raise TypeError("Cannot interpret feed_dict key as Tensor: %s" % (e,)) from None
        return t

    def _prepare_feeds(self, feed_dict):
        """Validates every feed before anything runs, so a rejected run changes no state."""
        if not feed_dict:
            return [], []
        tensors, values = [], []
        for key, value in feed_dict.items():
            t = self._feed_keys.get(key) if isinstance(key, _HASHABLE_KEYS) else None
            if t is None:
                t = self._feed_tensor(key)
                if isinstance(key, _HASHABLE_KEYS):
                    self._feed_keys[key] = t
            if isinstance(value, (list, tuple)) and any(hasattr(v, "_as_graph_element") for v in value) \
                    or hasattr(value, "_as_graph_element"):
                raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                                "values include Python scalars, strings, lists, numpy ndarrays, or "
                                "TensorHandles. For reference, the tensor object was %s which was "
                                "passed to the argument `feed_dict` with key %s." % (value, t))
            tensors.append(t)
            check = self._checkers.get(t)
            if check is None:
                check = self._checkers[t] = _feed_checker(t)
            values.append(check(value))
        return tensors, values

    # -- lifecycle -------------------------------------------------------------------------------
    def _check_open(self):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")

    def close(self):
        self._closed = True
        self._plans = {}

    def as_default(self):
        """Makes this the default session (for Tensor.eval / Operation.run)."""
        return session_stack.default_session_scope(self)

    def __enter__(self):
        self._default_ctx = contextlib.ExitStack()
        self._default_ctx.enter_context(self._graph.as_default())
        self._default_ctx.enter_context(self.as_default())
        return self

    def __exit__(self, *exc):
        self._default_ctx.close()
        self.close()
        return False

    def list_devices(self):
        return [_Device()]


class _Unfed:
    """The plan of a signature that leaves a placeholder unfed: raises TF's error, running nothing."""

    def __init__(self, op, state):
        self._kernel = op.op_def.make_kernel(op, state)  # the Placeholder kernel raises the error

    def __call__(self, feed_values):
        self._kernel()
        raise AssertionError("unreachable: an unfed Placeholder kernel always raises")


class _Options:
    """An attribute bag standing in for a TF protobuf message: any field can be set and read."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = _Options()  # nested messages spring into being, as protobuf sub-messages do
        self.__dict__[name] = value
        return value

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % kv for kv in sorted(self.__dict__.items())))


class ConfigProto(_Options):
    """tf.ConfigProto: accepted for compatibility (threads, GPU options); tfgraph runs on the CPU."""


class GPUOptions(_Options):
    """tf.GPUOptions: accepted for compatibility."""


class GraphOptions(_Options):
    """tf.GraphOptions: accepted for compatibility."""


class _Device:
    name = "/job:localhost/replica:0/task:0/device:CPU:0"
    device_type = "CPU"
    memory_limit_bytes = 0


class InteractiveSession(Session):
    """A Session that installs itself as the default session on construction."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._ctx = contextlib.ExitStack()
        self._ctx.enter_context(self._graph.as_default())
        self._ctx.enter_context(self.as_default())
        session_stack.set_interactive_session(self)

    def close(self):
        super().close()
        if self._ctx is not None:
            try:
                self._ctx.close()
            except (AssertionError, IndexError):
                pass
            self._ctx = None


_HASHABLE_KEYS = (Tensor, str)
_ELEMENTS = (Tensor, Operation, str)


def _fetch_key(fetches):
    """A dict key for `fetches` when they are one graph element or a flat list/tuple of them."""
    kind = type(fetches)
    if kind is list or kind is tuple:
        for e in fetches:
            if not isinstance(e, _ELEMENTS):
                return None
        return (kind, tuple(fetches))
    if isinstance(fetches, _ELEMENTS):
        return fetches
    return None


class _RunSignature:
    """One fetch structure flattened: the tensors and target ops to run, and how to rebuild results."""

    def __init__(self, graph, fetches):
        structure = FetchStructure(graph, fetches)
        tensors, targets = split_elements(structure.elements)
        self.tensors, self.targets = tuple(tensors), tuple(targets)
        positions = {id(t): i for i, t in enumerate(tensors)}
        order = [positions.get(id(e)) for e in structure.elements]
        rebuild = structure.rebuild
        if len(order) == 1 and order[0] is not None and not isinstance(fetches, (list, tuple, dict)):
            self.result = lambda values: _as_fetched(values[0])
        else:
            self.result = lambda values: rebuild(
                [None if i is None else _as_fetched(values[i]) for i in order])


def _as_fetched(value):
    # TF returns numpy scalars (np.float32) for rank-0 results, arrays otherwise.
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def _feed_checker(tensor):
    """Converts and checks one feed value against `tensor`'s dtype and static shape, as TF does."""
    np_dtype = tensor.dtype.np

    def convert(value):
        try:
            return np.asarray(value, dtype=np_dtype) if np_dtype.kind != "O" else np.asarray(value)
        except OverflowError:
            raise TypeError("Type of feed value %s with type %s is not compatible with Tensor type "
                            "%s. Try explicitly setting the type of the feed tensor to a larger "
                            "type (e.g. int64)." % (_short(value), type(value), tensor.dtype.name)
                            ) from None
        except (TypeError, ValueError) as e:
            raise ValueError("Cannot feed value %s for Tensor %r of dtype %s: %s" % (
                _short(value), tensor.name, tensor.dtype.name, e)) from None

    def check(value):
        # an array of the right dtype (the common case) is used as it is
        arr = value if type(value) is np.ndarray and value.dtype == np_dtype else convert(value)
        dims = tensor._shape._dims  # read per call: set_shape may narrow a placeholder later
        if dims is not None:
            ashape = arr.shape
            if len(ashape) != len(dims):
                _bad_shape(tensor, ashape)
            for d, a in zip(dims, ashape):
                if d is not None and d != a:
                    _bad_shape(tensor, ashape)
        return arr

    return check


def _bad_shape(tensor, shape):
    raise ValueError("Cannot feed value of shape %r for Tensor %r, which has shape %r"
                     % (shape, tensor.name, str(tensor._shape)))


def _short(value):
    s = repr(value)
    return s if len(s) < 60 else s[:57] + "..."


__all__ = ["Session", "InteractiveSession", "get_default_session", "convert_to_tensor",
           "ConfigProto", "GPUOptions", "GraphOptions"]
