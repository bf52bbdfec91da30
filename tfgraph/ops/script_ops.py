"""tf.py_func / tf.numpy_function: a Python function on numpy arrays as a graph op.

The function runs when the op runs, with its inputs as numpy arrays; each result is converted to
the declared output dtype (as TF does with np.asarray), so a Python float can fill a float32 output.
An exception it raises becomes TF's error for it (ValueError -> InvalidArgumentError, others mostly
UnknownError), with the message "ExceptionType: message".
Outputs have unknown static shapes, as in TensorFlow. No gradient is defined.
"""
import numpy as np

from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec


class PyFunc(OpDef):
    """Calls `func` on its inputs' arrays; outputs of dtypes `Tout` (a list)."""

    type = "PyFunc"
    attrs = {"func": None, "Tout": (), "token": ""}
    stateful = True  # the function may read or change Python state: never folded or merged

    def infer(self, *inputs, func, Tout, token):
        return [TensorSpec(tensor_shape.unknown_shape(), t) for t in Tout]

    def make_kernel(self, op, rt):
        func, touts = op.attrs["func"], op.attrs["Tout"]
        token = op.attrs["token"]
        n = len(touts)

        def call(*arrays):
            try:
                result = func(*arrays)
            except Exception as e:  # noqa: BLE001 - any Python error becomes TF's error for it
                raise _error_class(e)(None, op, "%s: %s" % (type(e).__name__, e)) from e
            if n == 0:
                return None
            values = [result] if n == 1 and not isinstance(result, (list, tuple)) else result
            if not isinstance(values, (list, tuple)) or len(values) != n:
                raise errors.InvalidArgumentError(
                    None, op, "pyfunc %s returned %s values, but expects %d"
                    % (token, 1 if not isinstance(values, (list, tuple)) else len(values), n))
            out = []
            for i, (v, t) in enumerate(zip(values, touts)):
                try:
                    a = np.asarray(v) if t is dtypes.string else np.asarray(v, dtype=t.np)
                except (TypeError, ValueError) as e:
                    raise errors.InvalidArgumentError(
                        None, op, "%d-th value returned by pyfunc %s is %s, but expects %s (%s)"
                        % (i, token, type(v).__name__, t.name, e)) from None
                out.append(a)
            return out[0] if n == 1 else tuple(out)
        return call


def _error_class(exc):
    """The tf.errors class TensorFlow's py_func reports a Python exception as."""
    if isinstance(exc, (ValueError, TypeError)):
        return errors.InvalidArgumentError
    if isinstance(exc, StopIteration):
        return errors.OutOfRangeError
    if isinstance(exc, MemoryError):
        return errors.ResourceExhaustedError
    if isinstance(exc, NotImplementedError):
        return errors.UnimplementedError
    return errors.UnknownError


_counter = [0]


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF's argument name
    """tf.py_func: wraps the Python function `func(*numpy arrays)` as an op.

    `Tout` is a dtype (one output tensor) or a list of dtypes (a list of tensors)."""
    if not callable(func):
        raise TypeError("Expected func to be callable, got func of type %s" % type(func).__name__)
    single = not isinstance(Tout, (list, tuple))
    touts = tuple(dtypes.as_dtype(t) for t in ([Tout] if single else Tout))
    token = "pyfunc_%d" % _counter[0]
    _counter[0] += 1
    op = PyFunc.create_op(list(inp), name=name, func=func, Tout=touts, token=token)
    if single:
        return op.outputs[0]
    return list(op.outputs)


def numpy_function(func, inp, Tout, stateful=True, name=None):  # noqa: N803
    """tf.numpy_function: the same as py_func."""
    return py_func(func, inp, Tout, stateful=stateful, name=name)


__all__ = ["py_func", "numpy_function"]
