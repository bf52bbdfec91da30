"""Tensor's Python operators: `x[1:, ::2]`, `x + y`, `2 * x`, `x < y`, `~b`, `x @ w`.

Tensor lives in framework/, below the ops these operators build, so this module installs them on
the class when the ops layer is imported (tfgraph/ops/__init__.py). The ops get TF1's names
('add', 'mul', 'truediv', 'Less', ...). `==` and `!=` stay identity comparisons, as in TF1, so
tensors can key dicts.
"""
import functools

from tfgraph.framework.tensor import Tensor
# array_ops first: it loads its indexing half (indexing_ops) at its end.
from tfgraph.ops import array_ops, indexing_ops, math_ops  # noqa: F401

# operator -> (function, TF1's op name); each gets __op__ and the reflected __rop__.
_BINARY = {
    "add": (functools.partial(math_ops.add, _v2=True), "add"),
    "sub": (math_ops.subtract, "sub"),
    "mul": (math_ops.multiply, "mul"),
    "truediv": (math_ops.truediv, "truediv"),
    "floordiv": (math_ops.floordiv, "floordiv"),
    "mod": (math_ops.mod, "mod"),
    "pow": (math_ops.pow, "pow"),
    "matmul": (math_ops.matmul, "matmul"),
    "and": (math_ops.logical_and, "and"),
    "or": (math_ops.logical_or, "or"),
    "xor": (math_ops.logical_xor, "xor"),
}
# Comparisons have no reflected form: Python swaps `1 < x` into `x > 1` itself.
_COMPARISON = {
    "lt": (math_ops.less, "Less"),
    "le": (math_ops.less_equal, "LessEqual"),
    "gt": (math_ops.greater, "Greater"),
    "ge": (math_ops.greater_equal, "GreaterEqual"),
}
_UNARY = {
    "neg": (math_ops.negative, "Neg"),
    "abs": (math_ops.abs, "Abs"),
    "invert": (math_ops.logical_not, "LogicalNot"),
}


def _binary(fn, op_name):
    def forward(self, y):
        return fn(self, y, name=op_name)

    def reflected(self, x):
        return fn(x, self, name=op_name)
    return forward, reflected


def _unary(fn, op_name):
    def method(self):
        return fn(self, name=op_name)
    return method


def _getitem(self, key):
    """x[...]: ints, slices with steps, Ellipsis, tf.newaxis and tensors, as TF's strided slice."""
    return indexing_ops._slice_helper(self, key)


def install(cls=Tensor):
    for name, (fn, op_name) in _BINARY.items():
        forward, reflected = _binary(fn, op_name)
        setattr(cls, "__%s__" % name, forward)
        setattr(cls, "__r%s__" % name, reflected)
    for name, (fn, op_name) in _COMPARISON.items():
        setattr(cls, "__%s__" % name, _binary(fn, op_name)[0])
    for name, (fn, op_name) in _UNARY.items():
        setattr(cls, "__%s__" % name, _unary(fn, op_name))
    cls.__getitem__ = _getitem


install()
