"""Tensor: a symbolic output of an Operation ('op:0'), with dtype, static shape and operators."""
from tfgraph.framework import tensor_shape


class Tensor:
    """A symbolic handle to one output of an op. Evaluate it with `sess.run(t)` or `t.eval()`."""

    # Make numpy defer to our reflected operators (np_array * tensor -> Tensor.__rmul__).
    __array_priority__ = 100

    def __init__(self, op, value_index, dtype, shape):
        self.op = op
        self.value_index = value_index
        self.dtype = dtype
        self._shape = tensor_shape.as_shape(shape)
        self._consumers = []

    @property
    def name(self):
        return "%s:%d" % (self.op.name, self.value_index)

    @property
    def graph(self):
        return self.op.graph

    @property
    def device(self):
        return self.op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Merges `shape` into the static shape; ValueError when incompatible."""
        self._shape = self._shape.merge_with(shape)  # TF's "Shapes (5, 3) and (5, 4) are not
        # compatible" when they conflict

    def consumers(self):
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Runs the graph up to this tensor in `session` (default: the default session)."""
        from tfgraph.runtime.session import _session_for
        return _session_for(session, self.graph, "Tensor.eval()").run(self, feed_dict)

    def _as_graph_element(self):
        return self

    def __repr__(self):
        return "<tf.Tensor '%s' shape=%s dtype=%s>" % (self.name, self._shape, self.dtype.name)

    def __str__(self):
        return 'Tensor("%s", shape=%s, dtype=%s)' % (self.name, self._shape, self.dtype.name)

    # TF1 graph tensors hash and compare by identity, so they can key feed_dicts.
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not "
                        "None:` instead of `if t:` to test if a tensor is defined, and use "
                        "TensorFlow ops such as tf.cond to execute subgraphs conditioned on the "
                        "value of a tensor.")

    def __iter__(self):
        shape = self._shape
        if shape.ndims is None or shape.ndims == 0 or shape.as_tuple()[0] is None:
            raise TypeError("Tensor objects are only iterable when the first dimension is known.")
        return iter([self[i] for i in range(shape.as_tuple()[0])])

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors. (%s) Please call `x.shape` "
                        "rather than `len(x)` for shape information." % self.name)

    def __getitem__(self, key):
        from tfgraph.ops import array_ops
        return array_ops._slice_helper(self, key)

    # Operators: named as TF1 names them ('add', 'mul', 'truediv', ...).
    def __add__(self, y):
        return _math().add(self, y, name="add", _v2=True)

    def __radd__(self, x):
        return _math().add(x, self, name="add", _v2=True)

    def __sub__(self, y):
        return _math().subtract(self, y, name="sub")

    def __rsub__(self, x):
        return _math().subtract(x, self, name="sub")

    def __mul__(self, y):
        return _math().multiply(self, y, name="mul")

    def __rmul__(self, x):
        return _math().multiply(x, self, name="mul")

    def __truediv__(self, y):
        return _math().truediv(self, y, name="truediv")

    def __rtruediv__(self, x):
        return _math().truediv(x, self, name="truediv")

    def __floordiv__(self, y):
        return _math().floordiv(self, y, name="floordiv")

    def __rfloordiv__(self, x):
        return _math().floordiv(x, self, name="floordiv")

    def __mod__(self, y):
        return _math().mod(self, y, name="mod")

    def __rmod__(self, x):
        return _math().mod(x, self, name="mod")

    def __pow__(self, y):
        return _math().pow(self, y, name="pow")

    def __rpow__(self, x):
        return _math().pow(x, self, name="pow")

    def __matmul__(self, y):
        return _math().matmul(self, y, name="matmul")

    def __rmatmul__(self, x):
        return _math().matmul(x, self, name="matmul")

    def __neg__(self):
        return _math().negative(self, name="Neg")

    def __abs__(self):
        return _math().abs(self, name="Abs")

    def __invert__(self):
        return _math().logical_not(self, name="LogicalNot")

    def __and__(self, y):
        return _math().logical_and(self, y, name="and")

    def __rand__(self, x):
        return _math().logical_and(x, self, name="and")

    def __or__(self, y):
        return _math().logical_or(self, y, name="or")

    def __ror__(self, x):
        return _math().logical_or(x, self, name="or")

    def __xor__(self, y):
        return _math().logical_xor(self, y, name="xor")

    def __lt__(self, y):
        return _math().less(self, y, name="Less")

    def __le__(self, y):
        return _math().less_equal(self, y, name="LessEqual")

    def __gt__(self, y):
        return _math().greater(self, y, name="Greater")

    def __ge__(self, y):
        return _math().greater_equal(self, y, name="GreaterEqual")


def _math():
    from tfgraph.ops import math_ops
    return math_ops
