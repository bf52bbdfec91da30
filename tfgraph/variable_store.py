"""tf.get_variable: variables created by name in a graph's variable store, shared through
variable scopes (`tf.variable_scope(..., reuse=...)`).

The scopes themselves (names, reuse, default initializer/regularizer) are framework/scopes.py;
creating a variable needs Variable and the initializers, so this sits above both.
"""
import numpy as np

from tfgraph import initializers
from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.scopes import VariableScope, get_variable_scope
from tfgraph.variables import Variable


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, **kwargs):
    """tf.get_variable: creates `scope/name`, or returns it when the scope reuses variables."""
    graph = get_default_graph()
    scope = get_variable_scope()
    full = scope.name + "/" + name if scope.name else name
    existing = graph._var_store.get(full)
    reuse = scope.reuse
    if existing is not None:
        if reuse is False:
            raise ValueError("Variable %s already exists, disallowed. Did you mean to set reuse=True "
                             "or reuse=tf.AUTO_REUSE in VarScope?" % full)
        if shape is not None and not existing.shape.is_compatible_with(shape):
            raise ValueError("Trying to share variable %s, but specified shape %s and found shape %s."
                             % (full, tensor_shape.as_shape(shape), existing.shape))
        if dtype is not None and dtypes.as_dtype(dtype) is not existing.dtype:
            raise ValueError("Trying to share variable %s, but specified dtype %s and found dtype %s."
                             % (full, dtypes.as_dtype(dtype).name, existing.dtype.name))
        return existing
    if reuse is True:
        raise ValueError("Variable %s does not exist, or was not created with tf.get_variable(). "
                         "Did you mean to set reuse=tf.AUTO_REUSE in VarScope?" % full)
    requested_dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    dtype = requested_dtype or scope.dtype
    initializer = initializer if initializer is not None else scope.initializer
    if initializer is None:
        initializer = (initializers.glorot_uniform_initializer() if dtype.is_floating
                       else initializers.zeros_initializer())
    if hasattr(initializer, "_to_tensor") or not callable(initializer):
        init_value = initializer  # a Tensor or a python/numpy value
        if shape is not None and not callable(initializer):
            if np.shape(initializer) and tuple(np.shape(initializer)) != tuple(shape):
                raise ValueError("If initializer is a constant, do not specify shape.")
    else:
        if shape is None:
            raise ValueError("Shape of a new variable (%s) must be fully defined, but instead was "
                             "%s." % (full, shape))
        shape = tensor_shape.as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError("Shape of a new variable (%s) must be fully defined, but instead was "
                             "%s." % (full, shape))

        def init_value():
            return initializer(shape.as_list(), dtype=dtype)
    if trainable is None:
        trainable = True
    with graph.name_scope(None):
        # a Tensor or value initializer keeps its own dtype unless one is asked for (as TF)
        var = Variable(init_value, trainable=trainable, collections=collections, name=full,
                       dtype=requested_dtype if not callable(init_value) else None,
                       validate_shape=validate_shape, constraint=constraint)
    graph._var_store[full] = var
    reg = regularizer if regularizer is not None else scope.regularizer
    if reg is not None:
        with graph.name_scope(full + "/Regularizer/"):
            loss = reg(var.value())
        if loss is not None:
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _scope_get_variable(self, name, *args, **kwargs):
    """VariableScope.get_variable: tf.get_variable in the current scope."""
    return get_variable(name, *args, **kwargs)


VariableScope.get_variable = _scope_get_variable
