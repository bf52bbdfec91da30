"""keras.backend: the graph/session bookkeeping behind tfgraph_keras (TF1-Keras style).

Keras layers build ops in the tfgraph default graph (so TF1 code and the viz tools see them). Each
graph
gets one Session, created on first use, in which variables are initialized lazily.
`learning_phase()`
is a per-graph boolean `placeholder_with_default(False)`; `fit` feeds True.
"""
import builtins
import re
import threading
import warnings
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


# -- shapes -----------------------------------------------------------------------------------------
def int_shape(x):
    """The static shape as a tuple of ints / None (None when the rank is unknown)."""
    shape = x.shape
    if isinstance(shape, tuple):
        return shape
    return tuple(shape.as_list()) if shape.ndims is not None else None


def ndim(x):
    return x.shape.ndims if not isinstance(x.shape, tuple) else len(x.shape)


def dtype(x):
    return x.dtype.name if hasattr(x.dtype, "name") else str(x.dtype)


shape = tf.shape


def is_keras_tensor(x):
    return hasattr(x, "_keras_history")


def is_tensor(x):
    return hasattr(x, "graph") and hasattr(x, "dtype")


def count_params(x):
    return int(np.prod(x.shape.as_list()))


def cast(x, dtype):
    return tf.cast(x, dtype)


def reshape(x, shape):
    return tf.reshape(x, shape)


def flatten(x):
    return tf.reshape(x, [-1])


def batch_flatten(x):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""
    rest = int_shape(x)[1:]
    if builtins.all(d is not None for d in rest):
        return tf.reshape(x, [-1, int(np.prod(rest, dtype=np.int64))])
    return tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))


def expand_dims(x, axis=-1):
    return tf.expand_dims(x, axis)


def squeeze(x, axis):
    return tf.squeeze(x, [axis])


def stack(x, axis=0):
    return tf.stack(x, axis=axis)


def concatenate(tensors, axis=-1):
    if axis < 0:
        rank = ndim(tensors[0])
        axis = axis % rank if rank else 0
    return tf.concat(list(tensors), axis)


def permute_dimensions(x, pattern):
    return tf.transpose(x, perm=list(pattern))


transpose = tf.transpose


def tile(x, n):
    return tf.tile(x, [n] if isinstance(n, int) else n)


def repeat_elements(x, rep, axis):
    """Repeats each slice along `axis` `rep` times, like np.repeat."""
    static = int_shape(x)
    axis = axis % len(static)
    x_rep = tf.tile(tf.expand_dims(x, axis + 1),
                    [1] * (axis + 1) + [rep] + [1] * (len(static) - axis - 1))
    if builtins.all(d is not None for d in static):
        new_shape = list(static)
        new_shape[axis] *= rep
        return tf.reshape(x_rep, new_shape)
    reps = np.ones(len(static), np.int32)
    reps[axis] = rep
    out = tf.reshape(x_rep, tf.shape(x) * tf.constant(reps))
    return out


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    if ndim(x) != 2:
        raise ValueError("K.repeat expects a 2D tensor (batch, dim); received shape %s."
                         % (int_shape(x),))
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(x, axes)


def arange(start, stop=None, step=1, dtype="int32"):
    if stop is None:
        start, stop = 0, start
    return tf.constant(np.arange(start, stop, step), dtype=dtype)


def one_hot(indices, num_classes):
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def gather(reference, indices):
    return tf.gather(reference, indices)


# -- reductions and element-wise math (custom losses and Lambda layers written against `K`) -----
def _float_if_bool(x):
    return tf.cast(x, floatx()) if x.dtype.name == "bool" else x


def mean(x, axis=None, keepdims=False):
    return tf.reduce_mean(_float_if_bool(x), axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False):
    return tf.reduce_sum(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    return tf.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return tf.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return tf.reduce_prod(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return tf.reduce_variance(_float_if_bool(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return tf.reduce_std(_float_if_bool(x), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def cumsum(x, axis=0):
    return tf.cumsum(x, axis=axis)


def argmax(x, axis=-1):
    return tf.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return tf.argmin(x, axis=axis)


square = tf.square


def sqrt(x):
    """sqrt of max(x, 0): negative inputs give 0, as Keras 2."""
    return tf.sqrt(tf.maximum(x, tf.zeros_like(x)))


abs = tf.abs
exp = tf.exp
log = tf.log


def pow(x, a):
    return tf.pow(x, a)


round = tf.round
sign = tf.sign


def clip(x, min_value, max_value):
    """clip_by_value; max_value below min_value is raised to min_value; None means unbounded."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        max_value = builtins.max(max_value, min_value)
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return tf.clip_by_value(x, min_value, max_value)


maximum = tf.maximum
minimum = tf.minimum
equal = tf.equal
not_equal = tf.not_equal
greater = tf.greater
greater_equal = tf.greater_equal
less = tf.less
less_equal = tf.less_equal


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x**2, axis), 1e-12))."""
    return tf.nn.l2_normalize(x, axis=axis)


def dot(x, y):
    """Matrix product; for rank > 2 contracts x's last axis with y's second-to-last (Theano's dot):
    the result has shape x.shape[:-1] + y.shape[:-2] + y.shape[-1:]."""
    if ndim(x) is None or (ndim(x) <= 2 and ndim(y) <= 2):
        return tf.matmul(x, y)
    xs, ys = _mixed_shape(x), _mixed_shape(y)
    perm = list(range(ndim(y)))
    perm = [perm.pop(-2)] + perm
    xt = tf.reshape(x, [-1, xs[-1]])
    yt = tf.reshape(tf.transpose(y, perm=perm), [ys[-2], -1])
    return tf.reshape(tf.matmul(xt, yt), _shape_arg(xs[:-1] + ys[:-2] + ys[-1:]))


def _mixed_shape(x):
    """Static dims as ints, unknown ones as scalar tensors of tf.shape(x)."""
    dyn = None
    out = []
    for i, d in enumerate(int_shape(x)):
        if d is None:
            dyn = tf.shape(x) if dyn is None else dyn
            d = dyn[i]
        out.append(d)
    return out


def _shape_arg(dims):
    if builtins.all(isinstance(d, (int, np.integer)) for d in dims):
        return list(dims)
    return tf.stack([tf.constant(d, tf.int32) if isinstance(d, (int, np.integer)) else d
                     for d in dims])


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches, contracting x's axes[0] with y's axes[1] (Keras 2:
    default the last axis of x and the second-to-last of y (the last when y is 2D); a rank-2 pair
    gives shape (batch, 1))."""
    x_shape, y_shape = int_shape(x), int_shape(y)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         "shapes %s and %s." % (x_shape, y_shape))
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. Received "
                         "inputs with shapes %s and %s." % (x_shape, y_shape))
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    if builtins.any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError("Multiple target dimensions are not supported. Expected: None, int, "
                         "(int, int), Provided: %s" % (axes,))
    a0, a1 = axes[0] % x_ndim if axes[0] < 0 else axes[0], axes[1] % y_ndim if axes[1] < 0 \
        else axes[1]
    if 0 in (a0, a1):
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, "
                         "add a dummy batch dimension to your inputs using K.expand_dims(x, 0)")
    d1, d2 = x_shape[a0], y_shape[a1]
    if d1 is not None and d2 is not None and d1 != d2:
        raise ValueError("Cannot do batch_dot on inputs with shapes %s and %s with axes=%s. "
                         "x.shape[%d] != y.shape[%d] (%d != %d)."
                         % (x_shape, y_shape, [a0, a1], a0, a1, d1, d2))
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x, a0, x_ndim = tf.expand_dims(x, 1), a0 + 1, 3
    if y_ndim == 2:
        y, y_ndim = tf.expand_dims(y, 2), 3
    if a0 != x_ndim - 1:  # contracted axis of x last
        x = tf.transpose(x, [i for i in range(x_ndim) if i != a0] + [a0])
    if a1 != 1:  # contracted axis of y second
        rest = [i for i in range(1, y_ndim) if i != a1]
        y = tf.transpose(y, [0, a1] + rest)
    xs, ys = _mixed_shape(x), _mixed_shape(y)
    if x_ndim > 3:
        x = tf.reshape(x, _shape_arg([xs[0], -1, xs[-1]]))
    if y_ndim > 3:
        y = tf.reshape(y, _shape_arg([ys[0], ys[1], -1]))
    result = tf.matmul(x, y)
    if x_ndim > 3 or y_ndim > 3:
        out = [xs[0]] + (xs[1:-1] if x_ndim > 3 else [_mixed_shape(result)[1]])
        out += ys[2:] if y_ndim > 3 else [_mixed_shape(result)[-1]]
        result = tf.reshape(result, _shape_arg(out))
    if orig_x_ndim == 2:
        result = tf.squeeze(result, [1])
    elif orig_y_ndim == 2:
        result = tf.squeeze(result, [-1])
    return result


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def in_top_k(predictions, targets, k):
    """Whether each target (class index) is among the k largest predictions of its row."""
    return tf.nn.in_top_k(predictions, targets, k)


def bias_add(x, bias, data_format=None):
    """x + bias along the channel axis (last, or 1 for channels_first); a bias of rank
    ndim(x) - 1 is added to every sample."""
    data_format = _data_format(data_format)
    bias_shape = int_shape(bias)
    if len(bias_shape) != 1 and len(bias_shape) != ndim(x) - 1:
        raise ValueError("Unexpected bias dimensions %d, expect to be 1 or %d dimensions"
                         % (len(bias_shape), ndim(x) - 1))
    if len(bias_shape) == 1:
        if data_format == "channels_first" and ndim(x) > 2:
            return x + tf.reshape(bias, (1, bias_shape[0]) + (1,) * (ndim(x) - 2))
        return tf.nn.bias_add(x, bias)
    if data_format == "channels_first":
        return x + tf.reshape(bias, (1, bias_shape[-1]) + tuple(bias_shape[:-1]))
    return x + tf.reshape(bias, (1,) + tuple(bias_shape))


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta."""
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes each entry with probability `level` and scales the others by 1 / (1 - level)."""
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))


def _data_format(data_format):
    data_format = data_format or image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Unknown data_format: %s" % (data_format,))
    return data_format


def _to_channels_last(x, data_format):
    if data_format == "channels_first":
        return tf.transpose(x, [0] + list(range(2, ndim(x))) + [1])
    return x


def _from_channels_last(x, data_format):
    if data_format == "channels_first":
        return tf.transpose(x, [0, ndim(x) - 1] + list(range(1, ndim(x) - 1)))
    return x


def _padding(padding):
    if padding not in ("same", "valid"):
        raise ValueError("Unknown padding: %s" % (padding,))
    return padding.upper()


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution, kernel (width, in, out); padding 'causal' pads on the left only."""
    data_format = _data_format(data_format)
    kernel_width = int_shape(kernel)[0]
    x = _to_channels_last(x, data_format)
    if padding == "causal":
        left = dilation_rate * (kernel_width - 1)
        x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
        padding = "valid"
    out = tf.nn.conv2d(tf.expand_dims(x, 1), tf.expand_dims(kernel, 0),
                       strides=[1, 1, strides, 1], padding=_padding(padding),
                       dilations=[1, 1, dilation_rate, 1])
    return _from_channels_last(tf.squeeze(out, [1]), data_format)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2D convolution, kernel (rows, cols, in, out); channels_first inputs are transposed to
    NHWC and back, as Keras 2 does on CPU."""
    data_format = _data_format(data_format)
    out = tf.nn.conv2d(_to_channels_last(x, data_format), kernel,
                       strides=[1, strides[0], strides[1], 1], padding=_padding(padding),
                       dilations=[1, dilation_rate[0], dilation_rate[1], 1])
    return _from_channels_last(out, data_format)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D max or average pooling."""
    data_format = _data_format(data_format)
    if pool_mode not in ("max", "avg"):
        raise ValueError("Invalid pooling mode: %s" % (pool_mode,))
    fn = tf.nn.max_pool if pool_mode == "max" else tf.nn.avg_pool
    out = fn(_to_channels_last(x, data_format), ksize=[1, pool_size[0], pool_size[1], 1],
             strides=[1, strides[0], strides[1], 1], padding=_padding(padding))
    return _from_channels_last(out, data_format)


_UIDS = weakref.WeakKeyDictionary()  # graph -> {prefix: count}


def get_uid(prefix=""):
    """1, 2, 3, ... per prefix and graph (Keras 2's layer-name counter)."""
    counts = _UIDS.setdefault(get_default_graph(), {})
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def name_scope(name):
    return tf.name_scope(name)


cos = tf.cos
sin = tf.sin


def cast_to_floatx(x):
    """A numpy value as a floatx() array (a tensor is cast)."""
    if is_tensor(x):
        return tf.cast(x, floatx())
    return np.asarray(x, dtype=floatx())


def temporal_padding(x, padding=(1, 1)):
    """Zero-pads the time axis of (batch, time, features)."""
    if len(padding) != 2:
        raise ValueError("temporal_padding: padding must be (left, right); received %s"
                         % (padding,))
    return tf.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zero-pads the rows and columns of a 4D image batch."""
    if len(padding) != 2 or len(padding[0]) != 2 or len(padding[1]) != 2:
        raise ValueError("spatial_2d_padding: padding must be ((top, bottom), (left, right)); "
                         "received %s" % (padding,))
    if _data_format(data_format) == "channels_first":
        return tf.pad(x, [[0, 0], [0, 0], list(padding[0]), list(padding[1])])
    return tf.pad(x, [[0, 0], list(padding[0]), list(padding[1]), [0, 0]])


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsamples rows and columns by integer factors (nearest neighbour: each pixel repeated)."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Invalid `data_format` argument: %s" % (data_format,))
    if interpolation != "nearest":
        raise ValueError('K.resize_images: tfgraph_keras supports interpolation="nearest"; '
                         'received "%s".' % (interpolation,))
    rows = 2 if data_format == "channels_first" else 1
    return repeat_elements(repeat_elements(x, height_factor, rows), width_factor, rows + 1)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """(normalized x, batch mean, batch variance) over `reduction_axes`. As Keras 2 on a CPU, a
    channels_last 4D input (axes [0, 1, 2]) reports the fused kernel's variance, corrected by
    n / (n - 1); every other layout the plain batch variance."""
    reduction_axes = list(reduction_axes)
    mean, variance = tf.nn.moments(x, reduction_axes)
    shape = int_shape(x)
    keep = [1 if a in reduction_axes else (shape[a] if shape[a] is not None else -1)
            for a in range(len(shape))]
    if -1 in keep:
        keep = tf.stack([1 if a in reduction_axes else tf.shape(x)[a] for a in range(len(shape))])

    def bcast(t):
        return None if t is None else tf.reshape(t, keep)
    normed = tf.nn.batch_normalization(x, bcast(mean), bcast(variance), bcast(beta), bcast(gamma),
                                       epsilon)
    if len(shape) == 4 and reduction_axes == [0, 1, 2]:
        n = int(np.prod([shape[a] for a in reduction_axes]))
        variance = variance * (n / builtins.max(n - 1, 1))
    return normed, mean, variance


def _static_elems(elems, fn_name):
    n = int_shape(elems)[0] if int_shape(elems) else None
    if n is None:
        raise ValueError("K.%s: tfgraph_keras unrolls the loop and needs a static first "
                         "dimension; received shape %s." % (fn_name, int_shape(elems)))
    return tf.unstack(elems, axis=0)


def map_fn(fn, elems, name=None, dtype=None):
    """fn applied to each slice elems[i] (the loop is unrolled: the first dimension must be
    static)."""
    return tf.stack([fn(e) for e in _static_elems(elems, "map_fn")], axis=0)


def foldl(fn, elems, initializer=None, name=None):
    """fn(acc, elems[i]) over i = 0, 1, ... starting from initializer (or elems[0])."""
    items = _static_elems(elems, "foldl")
    acc = initializer
    if acc is None:
        acc, items = items[0], items[1:]
    for e in items:
        acc = fn(acc, e)
    return acc


def foldr(fn, elems, initializer=None, name=None):
    """fn(acc, elems[i]) over i = n - 1, ..., 0 starting from initializer (or elems[-1])."""
    items = _static_elems(elems, "foldr")[::-1]
    acc = initializer
    if acc is None:
        acc, items = items[0], items[1:]
    for e in items:
        acc = fn(acc, e)
    return acc


# -- activations and losses -------------------------------------------------------------------------
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from tfgraph_keras import activations
    return activations.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.0):
    out = tf.nn.elu(x)
    return out if alpha == 1 else tf.where(x > 0, out, alpha * out)


def softmax(x, axis=-1):
    if ndim(x) is not None and ndim(x) <= 1:
        raise ValueError("Cannot apply softmax to a tensor that is 1D. Received input: %s" % (x,))
    out = tf.nn.softmax(x, axis=axis)
    out._keras_logits = x  # the cross-entropies below use the logits, as Keras 2
    return out


def sigmoid(x):
    out = tf.sigmoid(x)
    out._keras_logits = x
    return out


def hard_sigmoid(x):
    return tf.clip_by_value(x * 0.2 + 0.5, 0.0, 1.0)


tanh = tf.tanh


def softplus(x):
    return tf.nn.softplus(x)


def softsign(x):
    return tf.nn.softsign(x)


def _get_logits(output, from_logits, op_type, fn_name):
    """Keras 2: an output made by K.softmax/K.sigmoid, or by a Softmax/Sigmoid op that is not a
    Keras layer output, is replaced by its logits."""
    logits = getattr(output, "_keras_logits", None)
    op = getattr(output, "op", None)
    if logits is None and op is not None and op.type == op_type and not is_keras_tensor(output):
        logits = op.inputs[0]
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn('"`%s` received `from_logits=True`, but the `output` argument was produced '
                      'by a %s activation and thus does not represent logits. Was this intended?'
                      % (fn_name, op_type), stacklevel=3)
    return logits, True


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(output), axis) with output normalized along axis and clipped to
    [epsilon, 1 - epsilon]; softmax cross-entropy on logits with from_logits=True."""
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_crossentropy")
    target = tf.cast(target, output.dtype)
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = tf.constant(epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.log(output), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """categorical_crossentropy with integer targets (one rank lower than output)."""
    if ignore_class is not None:
        raise NotImplementedError("K.sparse_categorical_crossentropy: ignore_class is not "
                                  "supported by tfgraph_keras.")
    output, from_logits = _get_logits(output, from_logits, "Softmax",
                                      "sparse_categorical_crossentropy")
    target = tf.cast(target, tf.int64)
    if not from_logits:
        eps = tf.constant(epsilon(), output.dtype)
        output = tf.log(tf.clip_by_value(output, eps, 1.0 - eps))
    rank = ndim(output)
    axis %= rank
    if axis != rank - 1:
        output = tf.transpose(output, [i for i in range(rank) if i != axis] + [axis])
    out_shape = _mixed_shape(output)
    reshape_back = ndim(target) != rank - 1 or rank != 2
    if reshape_back:
        target = tf.reshape(target, [-1])
        output = tf.reshape(output, _shape_arg([-1, out_shape[-1]]))
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if reshape_back and rank >= 3:
        res = tf.reshape(res, _shape_arg(out_shape[:-1]))
    return res


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise (no mean): -(t * log(p + eps) + (1 - t) * log(1 - p + eps)) with p clipped to
    [eps, 1 - eps]; sigmoid cross-entropy on logits with from_logits=True."""
    output, from_logits = _get_logits(output, from_logits, "Sigmoid", "binary_crossentropy")
    target = tf.cast(target, output.dtype)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = tf.constant(epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.log(output + eps) + (1.0 - target) * tf.log(1.0 - output + eps)
    return -bce


# -- graph execution --------------------------------------------------------------------------------
def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)


def gradients(loss, variables):
    return tf.gradients(loss, variables)


def switch(condition, then_expression, else_expression):
    """then_expression where condition else else_expression. A scalar condition picks a whole
    branch; a condition of rank >= 2 but lower than the branches' is broadcast over their trailing
    dimensions; a rank-1 condition broadcasts against the last dimension (tf_keras)."""
    if isinstance(condition, (bool, int, np.bool_)):
        chosen = then_expression if condition else else_expression
        return chosen() if callable(chosen) else chosen
    if condition.dtype.name != "bool":
        condition = tf.cast(condition, tf.bool)
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    then_expression = tf.convert_to_tensor(then_expression)
    else_expression = tf.convert_to_tensor(else_expression, dtype=then_expression.dtype)
    cond_ndim, expr_ndim = ndim(condition), ndim(then_expression)
    if cond_ndim > expr_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         "`then_expression` and `else_expression`. ndim(condition)=%d, "
                         "ndim(then_expression)=%d" % (cond_ndim, expr_ndim))
    if 1 < cond_ndim < expr_ndim:
        # Keras 2 aligns a condition of rank >= 2 with the leading dimensions; a rank-1 one
        # broadcasts as numpy does (against the last dimension)
        for _ in range(expr_ndim - cond_ndim):
            condition = tf.expand_dims(condition, -1)
        condition = tf.logical_and(condition, tf.ones_like(then_expression, dtype=tf.bool))
    return tf.where(condition, then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    """`x` when training else `alt`; `training` may be a python bool/int or a scalar bool tensor.

    x and alt may be callables (only the needed one is built when `training` is a python value).
    """
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int, np.bool_, np.integer)):
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Runs step_function(x_t, states + constants) -> (output_t, new_states) over the time axis.

    Returns (last_output, outputs (batch, time, ...), new_states) as Keras 2. The time dimension
    must be static: the loop is unrolled into the graph (with or without `unroll`). A (batch,
    time) mask keeps the previous states at masked steps and outputs the previous output (zeros
    with zero_output_for_mask); go_backwards processes (and returns) the steps in reverse."""
    if isinstance(inputs, (list, tuple, dict)):
        raise NotImplementedError("K.rnn: nested inputs are not supported by tfgraph_keras; pass "
                                  "one tensor (batch, time, ...).")
    shape = int_shape(inputs)
    if shape is None or len(shape) < 3:
        raise ValueError("K.rnn: inputs should be at least 3D (batch, time, ...); received "
                         "shape %s." % (shape,))
    steps = shape[0] if time_major else shape[1]
    if steps is None:
        raise ValueError("K.rnn: tfgraph_keras unrolls the loop and needs a fixed number of "
                         "timesteps; the inputs have shape %s. Give the Input a static time "
                         "dimension." % (shape,))
    xs = tf.unstack(inputs, axis=0 if time_major else 1)
    masks = None
    if mask is not None:
        mask = tf.cast(mask, tf.bool) if mask.dtype.name != "bool" else mask
        masks = tf.unstack(mask, axis=0 if time_major else 1)
    order = list(range(steps))[::-1] if go_backwards else list(range(steps))
    states = list(initial_states)
    constants = list(constants or [])
    outputs, prev = [], None
    for t in order:
        output, new_states = step_function(xs[t], tuple(states) + tuple(constants))
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if masks is not None:
            keep = masks[t]
            if prev is None or zero_output_for_mask:
                prev = tf.zeros_like(output)
            output = _where_rows(keep, output, prev)
            new_states = [_where_rows(keep, n, o) for n, o in zip(new_states, states)]
        prev, states = output, new_states
        outputs = outputs + [output] if return_all_outputs else [output]
    stacked = tf.stack(outputs, axis=0 if time_major else 1)
    return outputs[-1], stacked, states


def _where_rows(keep, x, y):
    """x where the (batch,) bool `keep` is True else y, broadcast over x's other axes."""
    for _ in range(ndim(x) - 1):
        keep = tf.expand_dims(keep, -1)
    return tf.where(tf.logical_and(keep, tf.ones_like(x, dtype=tf.bool)), x, y)


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
