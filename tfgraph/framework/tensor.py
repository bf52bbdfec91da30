"""Tensor: a symbolic output of an Operation ('op:0'), with dtype, static shape and operators."""
from tfgraph.framework import tensor_shape
from tfgraph.framework.session_stack import session_for


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
        return session_for(session, self.graph, "Tensor.eval()").run(self, feed_dict)

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

    # x[...], x + y, x < y ...: installed by tfgraph/ops/tensor_operators.py, since the ops they
    # build live in the layer above this one.
