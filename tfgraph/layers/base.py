"""tf.layers.Layer: TF1's layer base. Variables come from tf.get_variable under a variable scope.

A layer named 'dense' (or by its `name`) opens `variable_scope(None, default_name='dense')` on its
first call, so functional calls get 'dense', 'dense_1' ... and `name='fc'` gives exactly 'fc'
(reusable with `reuse=True`, an enclosing reusing scope, or tf.AUTO_REUSE). Later calls of the
same layer object reuse its variables and re-enter its name scope, as TF1's legacy layers do.
"""
import re

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.scopes import variable_scope
from tfgraph.variable_store import get_variable


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s[1:] if s.startswith("_") else s


def _unique_layer_name(base):
    graph = get_default_graph()
    counts = graph.__dict__.setdefault("_tf_layer_name_counts", {})
    n = counts.get(base, 0)
    counts[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


class Layer:
    """Base of TF1's tf.layers classes: build(input_shape) makes weights, call(inputs) the ops."""

    def __init__(self, trainable=True, name=None, dtype=None, _scope=None, _reuse=None, **kwargs):
        if kwargs:
            raise TypeError("%s got unexpected keyword arguments: %s"
                            % (type(self).__name__, sorted(kwargs)))
        self.trainable = trainable
        self.dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._base_name = name if name else _snake(type(self).__name__)
        self.name = name if name else _unique_layer_name(self._base_name)
        self._reuse = _reuse
        self._scope = None
        if _scope:
            with variable_scope(_scope) as scope:
                self._scope = scope
        self.built = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []
        self._losses = []

    # -- weights ---------------------------------------------------------------------------------
    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None):
        """tf.get_variable(name, ...) in the layer's scope; regularizer losses go to
        REGULARIZATION_LOSSES (only for a newly created variable, as TF1)."""
        dtype = dtypes.as_dtype(dtype or self.dtype or dtypes.float32)
        graph = get_default_graph()
        scope_name = self._scope.name
        full = scope_name + "/" + name if scope_name else name
        existed = full in graph._var_store
        var = get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                           trainable=trainable and self.trainable, constraint=constraint)
        if regularizer is not None and not existed:
            with graph.name_scope(name + "/Regularizer"):
                loss = regularizer(var)
            if loss is not None:
                self._losses.append(loss)
                graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        (self._trainable_weights if trainable and self.trainable
         else self._non_trainable_weights).append(var)
        return var

    add_variable = add_weight  # TF1's older spelling

    def add_update(self, updates):
        updates = updates if isinstance(updates, (list, tuple)) else [updates]
        self._updates.extend(updates)
        for u in updates:
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, u)

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def updates(self):
        return list(self._updates)

    @property
    def losses(self):
        return list(self._losses)

    @property
    def scope_name(self):
        return self._scope.name if self._scope is not None else None

    # -- calling ---------------------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        graph = get_default_graph()
        if self._scope is None:
            if self._reuse:
                with variable_scope(self._base_name) as scope:
                    self._scope = scope
            else:
                with variable_scope(None, default_name=self._base_name) as scope:
                    self._scope = scope
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False):
            with graph.name_scope(self._scope.original_name_scope):
                inputs = convert_to_tensor(inputs)
                if self.dtype is None:
                    self.dtype = inputs.dtype.base_dtype
                if not self.built:
                    self.build(inputs.shape)
                    self.built = True
                return self.call(inputs, *args, **kwargs)

    apply = __call__


def _tuple(value, n, name):
    """An int or a list of n ints -> a tuple of n ints (TF's conv_utils.normalize_tuple)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        out = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r"
                         % (name, n, value)) from None
    if len(out) != n:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r"
                         % (name, n, value))
    return out


def _padding(padding):
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError("The `padding` argument must be one of 'valid', 'same'. Received: %r"
                         % (padding,))
    return p.upper()


def _channels_last(data_format, layer):
    if data_format not in (None, "channels_last"):
        raise ValueError("%s: data_format %r is not supported; tfgraph computes channels_last"
                         % (layer, data_format))
