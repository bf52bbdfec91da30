"""keras.backend: the graph/session bookkeeping behind tfgraph_keras (TF1-Keras style).

Keras layers build ops in the tfgraph default graph (so TF1 code and the viz tools see them). Each
graph
gets one Session, created on first use, in which variables are initialized lazily.
`learning_phase()`
is a per-graph boolean `placeholder_with_default(False)`; `fit` feeds True.
"""
import re
import weakref

import numpy as np

import tfgraph as tf
from tfgraph.framework.graph import get_default_graph

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_SESSIONS = weakref.WeakKeyDictionary()  # graph -> Session
_LEARNING_PHASE = weakref.WeakKeyDictionary()  # graph -> bool placeholder_with_default
_FORCED_PHASE = {}  # set_learning_phase(): graph-independent python value
_NAME_COUNTS = {}


def floatx():
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError("Unknown floatx type: %s" % (value,))
    _FLOATX = str(value)


def epsilon():
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         "'channels_last'. Received: %s" % (data_format,))
    _IMAGE_DATA_FORMAT = data_format


def backend():
    return "tfgraph"


def get_graph():
    return get_default_graph()


def get_session(graph=None):
    """The Session that runs `graph` (default graph); created once per graph."""
    graph = graph if graph is not None else get_default_graph()
    sess = _SESSIONS.get(graph)
    if sess is None or sess._closed:
        sess = tf.Session(graph=graph)
        sess._keras_initialized = set()
        _SESSIONS[graph] = sess
    return sess


def set_session(session):
    session._keras_initialized = getattr(session, "_keras_initialized", set())
    _SESSIONS[session.graph] = session


def initialize_variables(variables, session=None):
    """Runs the initializers of the `variables` not yet initialized in their graph's session."""
    variables = list(variables)
    if not variables:
        return
    session = session or get_session(variables[0].graph)
    todo = [v for v in variables if id(v) not in session._keras_initialized]
    if todo:
        session.run([v.initializer for v in todo])
        session._keras_initialized.update(id(v) for v in todo)


def clear_session():
    """Forgets all models: closes sessions, resets the default graph and the layer name counters."""
    for sess in list(_SESSIONS.values()):
        sess.close()
    _SESSIONS.clear()
    _LEARNING_PHASE.clear()
    _NAME_COUNTS.clear()
    _FORCED_PHASE.clear()
    tf.reset_default_graph()


def reset_uids():
    _NAME_COUNTS.clear()


def to_snake_case(name):
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


def unique_object_name(base):
    """'dense', 'dense_1', 'dense_2' ... as Keras names layers and models."""
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


def learning_phase():
    """The learning phase: a python bool after set_learning_phase, else a bool tensor (False)."""
    if "value" in _FORCED_PHASE:
        return _FORCED_PHASE["value"]
    graph = get_default_graph()
    phase = _LEARNING_PHASE.get(graph)
    if phase is None:
        with graph.as_default(), graph.name_scope(None):
            phase = tf.placeholder_with_default(False, shape=(), name="keras_learning_phase")
        _LEARNING_PHASE[graph] = phase
    return phase


def _graph_learning_phase(graph):
    return _LEARNING_PHASE.get(graph)


def set_learning_phase(value):
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _FORCED_PHASE["value"] = bool(value)


def in_train_phase(x, alt, training=None):
    """`x` when training else `alt`; `training` may be a python bool or a scalar bool tensor.

    x and alt may be callables (only the needed one is built when `training` is a python bool).
    """
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int, np.bool_)):
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    x = x() if callable(x) else x
    alt = alt() if callable(alt) else alt
    return tf.where(tf.broadcast_to(training, tf.shape(x)), x, alt)


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


# -- value helpers
# -----------------------------------------------------------------------------------
def get_value(x):
    if isinstance(x, tf.Variable):
        initialize_variables([x])
    return get_session(x.graph).run(x)


def batch_get_value(tensors):
    tensors = list(tensors)
    if not tensors:
        return []
    initialize_variables([t for t in tensors if isinstance(t, tf.Variable)])
    return get_session(tensors[0].graph).run(tensors)


def set_value(x, value):
    batch_set_value([(x, value)])


def batch_set_value(tuples):
    for var, value in tuples:
        sess = get_session(var.graph)
        var.load(np.asarray(value), session=sess)
        sess._keras_initialized.add(id(var))


def variable(value, dtype=None, name=None):
    value = np.asarray(value, dtype=dtype or floatx())
    v = tf.Variable(value, name=name)
    return v


def int_shape(x):
    return tuple(x.shape.as_list()) if x.shape.ndims is not None else None


def ndim(x):
    return x.shape.ndims


def dtype(x):
    return x.dtype.name


def placeholder(shape=None, ndim=None, dtype=None, name=None):
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return tf.placeholder(dtype or floatx(), shape, name=name)


def is_keras_tensor(x):
    return hasattr(x, "_keras_history")


def count_params(x):
    return int(np.prod(x.shape.as_list()))


# -- Keras 2 backend math (custom losses and Lambda layers written against `K`) -------------------
def _axis_kw(axis, keepdims):
    return {"axis": axis, "keepdims": keepdims}


def mean(x, axis=None, keepdims=False):
    return tf.reduce_mean(x, **_axis_kw(axis, keepdims))


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    return tf.reduce_sum(x, **_axis_kw(axis, keepdims))


def max(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_max(x, **_axis_kw(axis, keepdims))


def min(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_min(x, **_axis_kw(axis, keepdims))


def prod(x, axis=None, keepdims=False):
    return tf.reduce_prod(x, **_axis_kw(axis, keepdims))


def square(x):
    return tf.square(x)


def sqrt(x):
    return tf.sqrt(tf.maximum(x, tf.zeros_like(x)))


def abs(x):  # noqa: A001
    return tf.abs(x)


def exp(x):
    return tf.exp(x)


def log(x):
    return tf.log(x)


def pow(x, a):  # noqa: A001
    return tf.pow(x, a)


def clip(x, min_value, max_value):
    return tf.clip_by_value(x, min_value, max_value)


def maximum(x, y):
    return tf.maximum(x, y)


def minimum(x, y):
    return tf.minimum(x, y)


def cast(x, dtype):
    return tf.cast(x, dtype)


def dot(x, y):
    return tf.matmul(x, y)


def reshape(x, shape):
    return tf.reshape(x, shape)


def expand_dims(x, axis=-1):
    return tf.expand_dims(x, axis)


def stack(x, axis=0):
    return tf.stack(x, axis=axis)


def shape(x):
    return tf.shape(x)


def zeros_like(x, dtype=None, name=None):
    return tf.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    return tf.ones_like(x, dtype=dtype, name=name)


def constant(value, dtype=None, shape=None, name=None):
    return tf.constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def stop_gradient(x):
    return tf.stop_gradient(x)


def argmax(x, axis=-1):
    return tf.argmax(x, axis=axis)


def equal(x, y):
    return tf.equal(x, y)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from tfgraph_keras import activations
    return activations.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def softmax(x, axis=-1):
    from tfgraph_keras import activations
    return activations.softmax(x, axis=axis)


def sigmoid(x):
    return tf.sigmoid(x)


def tanh(x):
    return tf.tanh(x)


def gradients(loss, variables):
    return tf.gradients(loss, variables)


def function(inputs, outputs, updates=None, name=None):
    """K.function: a callable running `outputs` (and `updates`) with `inputs` fed positionally."""
    inputs, single = list(inputs), not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs)
    sess = get_session(outputs[0].graph)
    call = sess.make_callable([outputs, list(updates or [])], inputs)

    def run(values):
        out = call(*values)[0]
        return out[0] if single else out
    return run
