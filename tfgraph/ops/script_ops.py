"""tf.py_func / tf.numpy_function: a Python function as a graph op.

The function gets numpy arrays and returns arrays (or values numpy converts) of the declared
dtypes `Tout`; the outputs' shapes are unknown. TF's rules hold: a returned value must already
have the declared dtype (a Python float is float64: declare tf.float64 or return np.float32), and
an exception in the function fails the run with the exception's text, as InvalidArgumentError for
ValueError/TypeError, UnimplementedError for NotImplementedError, OutOfRangeError for
StopIteration, ResourceExhaustedError for MemoryError, else UnknownError. No gradient flows through
unless one is registered with tf.RegisterGradient and selected with gradient_override_map.
"""
import itertools
import threading
import traceback

import numpy as np

from tfgraph.framework import dtypes, errors
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor

_FUNCS = {}          # token -> Python function, as TF's FuncRegistry keeps them
_TOKENS = itertools.count()
_LOCK = threading.Lock()
_GRADIENTS = {}      # tf.RegisterGradient name -> fn(op, *dys)

# TF's DataTypeString spellings, which its messages use
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}

_ERRORS = ((ValueError, errors.InvalidArgumentError), (TypeError, errors.InvalidArgumentError),
           (StopIteration, errors.OutOfRangeError), (MemoryError, errors.ResourceExhaustedError),
           (NotImplementedError, errors.UnimplementedError))


def _register(func):
    with _LOCK:
        token = "pyfunc_%d" % next(_TOKENS)
        _FUNCS[token] = func
    return token


class PyFunc(OpDef):
    """Calls the registered Python function `token` on its inputs; outputs of dtypes `Tout`."""
    type = "PyFunc"
    attrs = {"token": "", "Tout": (), "_gradient_op_type": None}
    stateful = True

    def infer(self, *inputs, token, Tout, _gradient_op_type):  # noqa: N803 - TF's attr name
        return [TensorSpec(None, t) for t in Tout]

    def compute(self, *arrays, token, Tout, _gradient_op_type):  # noqa: N803
        return _call(token, Tout, arrays, None)

    def make_kernel(self, op, rt):
        token, tout = op.attrs["token"], op.attrs["Tout"]
        return lambda *arrays: _call(token, tout, arrays, op)

    def grad(self, op, *dys):
        name = op.attrs["_gradient_op_type"]
        if name is None:
            return [None] * len(op.inputs)
        return _GRADIENTS[name](op, *dys)


class PyFuncStateless(PyFunc):
    """PyFunc for stateful=False: the plan may fold or merge it like any pure op."""
    type = "PyFuncStateless"
    stateful = False


def _call(token, tout, arrays, op):
    func = _FUNCS[token]
    try:
        result = func(*arrays)
    except Exception as e:  # noqa: BLE001 - any error of the user's function becomes an OpError
        cls = next((c for t, c in _ERRORS if isinstance(e, t)), errors.UnknownError)
        tb = "".join("%s\n" % frame for frame in traceback.format_tb(e.__traceback__))
        exc = "".join(traceback.format_exception_only(type(e), e)).strip()
        raise cls(None, op, "%s\nTraceback (most recent call last):\n\n%s\n%s\n\n"
                  % (exc, tb, exc)) from e
    if not tout:
        return None
    values = list(result) if isinstance(result, (list, tuple)) else [result]
    if len(values) != len(tout):
        raise errors.InvalidArgumentError(None, op, "%s returns %d values, but expects to see %d "
                                          "values." % (token, len(values), len(tout)))
    out = []
    for i, (v, want) in enumerate(zip(values, tout)):
        a = np.asarray(v, dtype=object) if want is dtypes.string else np.asarray(v, order="C")
        if a.dtype.kind in "SU" and want is dtypes.string:
            a = a.astype(object)
        got = dtypes.as_dtype(a.dtype) if a.dtype.kind != "O" else dtypes.string
        if got is not want:
            raise errors.InvalidArgumentError(None, op, "%d-th value returned by %s is %s, but "
                                              "expects %s" % (i, token, _tf_name(got),
                                                              _tf_name(want)))
        out.append(a)
    return out[0] if len(out) == 1 else tuple(out)


def _tf_name(dtype):
    return _TF_NAMES.get(dtype.name, dtype.name)


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF's argument name
    """tf.py_func: `func(*arrays)` as an op on `inp`. `Tout` is a dtype (one output) or a list
    of dtypes; returns a Tensor or a list of Tensors of unknown shape."""
    if not callable(func):
        raise ValueError("Expected func to be callable. Received func=%r of type %s."
                         % (func, type(func)))
    single = not isinstance(Tout, (list, tuple))
    tout = tuple(dtypes.as_dtype(t) for t in ([Tout] if single else Tout))
    tensors = [convert_to_tensor(x) for x in inp]
    graph = get_default_graph()
    override = getattr(graph, "_gradient_override_map", {})
    op_type = "PyFunc" if stateful else "PyFuncStateless"
    cls = PyFunc if stateful else PyFuncStateless
    op = cls.create_op(tensors, name=name or op_type, token=_register(func), Tout=tout,
                       _gradient_op_type=override.get(op_type))
    if single:
        return op.outputs[0] if op.outputs else op
    return list(op.outputs)


def numpy_function(func, inp, Tout, stateful=True, name=None):  # noqa: N803
    """tf.numpy_function: tf.py_func under its TF2 name."""
    return py_func(func, inp, Tout, stateful=stateful, name=name)


class RegisterGradient:
    """tf.RegisterGradient("name"): decorates fn(op, *output_grads) -> input grads. Select it for
    py_func ops with `with graph.gradient_override_map({"PyFunc": "name"})`."""

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn):
        if self._op_type in _GRADIENTS:
            raise KeyError("Registering two gradient with name '%s'!" % self._op_type)
        _GRADIENTS[self._op_type] = fn
        return fn


__all__ = ["py_func", "numpy_function", "RegisterGradient"]
