"""keras.backend's bookkeeping: config (floatx, epsilon, image data format), one Session per
graph with lazily initialized variables, the learning phase, object names, variable values and
`K.function`.

Keras layers build ops in the tfgraph default graph (so TF1 code and the viz tools see them). Each
graph gets one Session, created on first use. A functional or Sequential model initializes its
weights there once its graph is built (Keras 3 gives weights values when they are created); other
variables are initialized when first used.
`learning_phase()` is a per-graph boolean `placeholder_with_default(False)`; `fit` feeds True.
"""
import builtins
import re
import threading
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
# One re-entrant lock for the check-then-act steps of first calls: session creation, variable
# initialization, learning-phase creation, and (taken by the models) build and callable compilation.
# Threads racing on a fresh model would otherwise each re-run the random initializers.
_LOCK = threading.RLock()


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


def standardize_data_format(data_format):
    """None -> image_data_format(); else checked and lower-cased (Keras 3's layers do this)."""
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         "'channels_last'}. Received: data_format=%s" % (data_format,))
    return value


def backend():
    return "tfgraph"


def get_graph():
    return get_default_graph()


def get_session(graph=None):
    """The Session that runs `graph` (default graph); created once per graph."""
    graph = graph if graph is not None else get_default_graph()
    sess = _SESSIONS.get(graph)
    if sess is None or sess._closed:
        with _LOCK:
            sess = _SESSIONS.get(graph)
            if sess is None or sess._closed:
                sess = tf.Session(graph=graph)
                sess._keras_initialized = set()
                _SESSIONS[graph] = sess
    return sess


def set_session(session):
    with _LOCK:
        session._keras_initialized = getattr(session, "_keras_initialized", set())
        _SESSIONS[session.graph] = session


def initialize_variables(variables, session=None):
    """Runs the initializers of the `variables` not yet initialized in their graph's session."""
    variables = list(variables)
    if not variables:
        return
    session = session or get_session(variables[0].graph)
    if builtins.all(id(v) in session._keras_initialized for v in variables):
        return
    with _LOCK:
        todo = [v for v in variables if id(v) not in session._keras_initialized]
        if todo:
            session.run([v.initializer for v in todo])
            session._keras_initialized.update(id(v) for v in todo)


def clear_session():
    """Forgets all models: closes sessions, resets the default graph and the layer name counters."""
    with _LOCK:
        for sess in list(_SESSIONS.values()):
            sess.close()
        _SESSIONS.clear()
        _LEARNING_PHASE.clear()
        _NAME_COUNTS.clear()
        _FORCED_PHASE.clear()
        _UIDS.clear()
        tf.reset_default_graph()


def reset_uids():
    _NAME_COUNTS.clear()


def to_snake_case(name):
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


def unique_object_name(base):
    """'dense', 'dense_1', 'dense_2' ... as Keras names layers and models."""
    with _LOCK:
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
        with _LOCK:
            phase = _LEARNING_PHASE.get(graph)
            if phase is None:
                with graph.as_default(), graph.name_scope(None):
                    phase = tf.placeholder_with_default(False, shape=(),
                                                        name="keras_learning_phase")
                _LEARNING_PHASE[graph] = phase
    return phase


def _graph_learning_phase(graph):
    return _LEARNING_PHASE.get(graph)


def set_learning_phase(value):
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _FORCED_PHASE["value"] = bool(value)


# -- variables and values --------------------------------------------------------------------------
def _initialize_graph_variables(sess):
    """Initializes the variables of the session's graph that hold no value yet (as Keras 2's
    get_session does), leaving the ones a user or a model already set alone."""
    variables = sess.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    if len(variables) == getattr(sess, "_keras_vars_checked", -1):
        return  # no variable added since the last check (all of those hold values)
    with _LOCK:
        todo = []
        for v in variables:
            if id(v) in sess._keras_initialized:
                continue
            slot = sess._state._slots.get(v.op)
            if slot is None or slot.value is None:
                todo.append(v)
            else:
                sess._keras_initialized.add(id(v))
        initialize_variables(todo, sess)
        sess._keras_vars_checked = len(variables)


def _session_for(tensors):
    tensors = [t for t in tensors if hasattr(t, "graph")]
    sess = get_session(tensors[0].graph if tensors else None)
    _initialize_graph_variables(sess)
    return sess


def get_value(x):
    """The numpy value of a variable (or of any tensor, evaluated in the Keras session)."""
    if not hasattr(x, "graph"):
        return np.asarray(x)
    return _session_for([x]).run(x)


def eval(x):
    """K.eval: the numpy value of a tensor or variable."""
    return get_value(x)


def batch_get_value(tensors):
    tensors = list(tensors)
    if not tensors:
        return []
    return _session_for(tensors).run(tensors)


def set_value(x, value):
    """Loads a numpy value into a variable (shape must match)."""
    batch_set_value([(x, value)])


def batch_set_value(tuples):
    for var, value in tuples:
        sess = get_session(var.graph)
        value = np.asarray(value, dtype=var.dtype.name)
        if tuple(value.shape) != tuple(int_shape(var)):
            raise ValueError("set_value: variable %s has shape %s, the value has shape %s."
                             % (var.name, int_shape(var), value.shape))
        with _LOCK:
            var.load(value, session=sess)
            sess._keras_initialized.add(id(var))


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding `value` (numpy array, list or scalar), of dtype floatx() by default."""
    dtype = dtype or floatx()
    if hasattr(value, "graph") and not isinstance(value, np.ndarray):
        v = tf.Variable(value, dtype=dtype, name=name, constraint=constraint)
    else:
        v = tf.Variable(np.asarray(value, dtype=dtype), name=name, constraint=constraint)
    v._keras_shape = int_shape(v)
    return v


def constant(value, dtype=None, shape=None, name=None):
    return tf.constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A graph input to feed through K.function; `shape` or `ndim` (all dimensions unknown)."""
    if sparse or ragged:
        raise NotImplementedError("K.placeholder: sparse and ragged placeholders are not supported "
                                  "by tfgraph_keras.")
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return tf.placeholder(dtype or floatx(), shape, name=name)


def is_placeholder(x):
    return getattr(getattr(x, "op", None), "type", None) in ("Placeholder",
                                                             "PlaceholderWithDefault")


def _full(shape, fill, dtype, name):
    """Keras 2: a variable when the shape is fully known and non-empty, else a tensor."""
    dtype = dtype or floatx()
    if isinstance(shape, int):
        shape = (shape,)
    if builtins.all(isinstance(s, (int, np.integer)) and s for s in shape):
        return variable(np.full(shape, fill, dtype=dtype), dtype=dtype, name=name)
    fn = tf.zeros if fill == 0 else tf.ones
    return fn(shape, dtype=dtype, name=name)


def zeros(shape, dtype=None, name=None):
    """An all-zeros variable (a tensor when the shape is not fully known), as Keras 2."""
    return _full(shape, 0, dtype, name)


def ones(shape, dtype=None, name=None):
    """An all-ones variable (a tensor when the shape is not fully known), as Keras 2."""
    return _full(shape, 1, dtype, name)


def eye(size, dtype=None, name=None):
    """An identity-matrix variable of shape (size, size)."""
    if not isinstance(size, (int, np.integer)) or size <= 0:
        raise TypeError("Arguments `num_rows` and `num_columns` must be positive integer values. "
                        "Received: num_rows=%s, num_columns=%s" % (size, size))
    rows = cols = int(size)
    dtype = dtype or floatx()
    return variable(np.eye(rows, cols, dtype=dtype), dtype=dtype, name=name)


def zeros_like(x, dtype=None, name=None):
    return tf.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    return tf.ones_like(x, dtype=dtype, name=name)


def identity(x, name=None):
    return tf.identity(x, name=name)


def _seed(seed):
    # Keras 2 draws an op seed from numpy when none is given, so np.random.seed fixes the graph.
    return int(np.random.randint(10e6)) if seed is None else seed


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random_normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(),
                            seed=_seed(seed))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return tf.random_uniform(shape, minval=minval, maxval=maxval, dtype=dtype or floatx(),
                             seed=_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(),
                               seed=_seed(seed))


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    dtype = dtype or floatx()
    u = tf.random_uniform(shape, dtype=dtype, seed=_seed(seed))
    return tf.where(u <= p, tf.ones(shape, dtype=dtype), tf.zeros(shape, dtype=dtype))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated Keras 2 name of random_bernoulli."""
    return random_bernoulli(shape, p, dtype, seed)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    rng = np.random.RandomState(_seed(seed))
    return variable(rng.normal(mean, scale, size=shape), dtype=dtype, name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    rng = np.random.RandomState(_seed(seed))
    return variable(rng.uniform(low, high, size=shape), dtype=dtype, name=name)


def update(x, new_x):
    return tf.assign(x, new_x)


def update_add(x, increment):
    return tf.assign_add(x, increment)


def update_sub(x, decrement):
    return tf.assign_sub(x, decrement)


def moving_average_update(x, value, momentum):
    """x <- x * momentum + value * (1 - momentum)."""
    return tf.assign(x, x * momentum + value * (1.0 - momentum))


_UIDS = weakref.WeakKeyDictionary()  # graph -> {prefix: count}


def get_uid(prefix=""):
    """1, 2, 3, ... per prefix and graph (Keras 2's layer-name counter)."""
    counts = _UIDS.setdefault(get_default_graph(), {})
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def name_scope(name):
    return tf.name_scope(name)


_SESSION_RUN_KWARGS = ("fetches", "feed_dict", "options", "run_metadata")


class GraphFunction:
    """K.function's callable: feeds `inputs` positionally, returns the outputs' values and runs
    `updates` after the outputs are computed (as Keras 2's GraphExecutionFunction)."""

    def __init__(self, inputs, outputs, updates=None, name=None):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("`inputs` to a Keras backend function should be a list or tuple.")
        self.inputs = list(inputs)
        self._single = not isinstance(outputs, (list, tuple))
        self.outputs = [outputs] if self._single else list(outputs)
        self.name = name
        graph = (self.outputs + self.inputs)[0].graph if (self.outputs + self.inputs) else \
            get_default_graph()
        update_ops = []
        with graph.as_default(), tf.control_dependencies(self.outputs[:1]):
            for u in updates or []:
                if isinstance(u, (list, tuple)):
                    p, new_p = u
                    update_ops.append(tf.assign(p, new_p))
                else:
                    update_ops.append(u)
        self.updates_op = tf.group(*update_ops) if update_ops else None
        self._graph = graph
        self._callable = self._callable_session = None

    def __call__(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("`inputs` should be a list or tuple.")
        if len(inputs) != len(self.inputs):
            raise ValueError("Keras backend function expects %d input value(s) (one per input), "
                             "received %d." % (len(self.inputs), len(inputs)))
        sess = get_session(self._graph)
        _initialize_graph_variables(sess)
        if self._callable is None or self._callable_session is not sess:
            fetches = [self.outputs, [self.updates_op] if self.updates_op is not None else []]
            self._callable = sess.make_callable(fetches, self.inputs)
            self._callable_session = sess
        values = [np.asarray(v, dtype=t.dtype.name) for v, t in zip(inputs, self.inputs)]
        out = self._callable(*values)[0]
        return out[0] if self._single else list(out)


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """K.function(inputs, outputs, updates): a callable f(list_of_input_values) -> output values."""
    for key in kwargs:
        if key not in _SESSION_RUN_KWARGS:
            raise ValueError('Invalid argument "%s" passed to K.function with TensorFlow backend'
                             % key)
    return GraphFunction(inputs, outputs, updates=updates, name=name)


# -- static shapes (used by the variables above and by every other part) -------------------------
def int_shape(x):
    """The static shape as a tuple of ints / None (None when the rank is unknown)."""
    shape = x.shape
    if isinstance(shape, tuple):
        return shape
    return tuple(shape.as_list()) if shape.ndims is not None else None


def ndim(x):
    return x.shape.ndims if not isinstance(x.shape, tuple) else len(x.shape)
