"""keras.ops plumbing: symbolic-or-eager dispatch, Keras 3 dtype promotion, conversions.

Every public op is written once, as tfgraph graph ops. Called with a tfgraph Tensor or Variable
among its arguments, or while a graph is explicitly the default (`with graph.as_default()`, as
inside a Layer's `call`), it returns symbolic Tensors. Called with numpy arrays and Python values
only, it builds the same ops in a private graph, runs them once in a Session and returns numpy
arrays: eager results are the graph kernels' results, not a separate numpy path.
"""
import functools

import numpy as np

import tfgraph as tf
from tfgraph.framework import dtypes as tf_dtypes
from tfgraph.framework.graph import Graph, _default_stack
from tfgraph.framework.operation import user_location

# -- dtype promotion (Keras 3 / JAX lattice; "int" and "float" are Python's weak types) ------------
_LATTICE = {
    "bool": ["int"], "int": ["uint8", "int8"], "uint8": ["int16", "uint16"],
    "uint16": ["int32", "uint32"], "uint32": ["int64", "uint64"], "uint64": ["float"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64"], "float64": [],
}


def _upper_bounds():
    bounds = {}
    for node in _LATTICE:
        seen, todo = {node}, [node]
        while todo:
            for up in _LATTICE[todo.pop()]:
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        bounds[node] = seen
    return bounds


_UPPER = _upper_bounds()


@functools.lru_cache(256)
def _join(nodes):
    common = set.intersection(*(_UPPER[n] for n in nodes))
    # the least common upper bound: the one every other common bound lies above
    least = [c for c in common if common <= _UPPER[c]]
    if len(least) != 1:
        raise ValueError("Input dtypes %s have no available implicit dtype promotion path. Try "
                         "explicitly casting inputs to the desired output type." % (nodes,))
    return least[0]


def standardize_dtype(dtype):
    """A dtype's Keras name ("float32", ...) from a string, numpy/tfgraph dtype or Python type."""
    if dtype is None:
        return floatx()
    if dtype is int:
        return "int64"   # Keras's TensorFlow backend names Python int int64 (weak in promotion)
    if dtype is float:
        return "float32"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, tf_dtypes.DType):
        return dtype.name
    if isinstance(dtype, str) and dtype in ("int", "float"):
        return {"int": "int64", "float": "float32"}[dtype]
    name = getattr(dtype, "name", None)
    if isinstance(name, str) and not isinstance(dtype, str):
        return standardize_dtype(name)
    try:
        return np.dtype(dtype).name
    except TypeError:
        raise ValueError("Invalid dtype: %r" % (dtype,)) from None


def result_type(*dtypes):
    """keras.backend.result_type: the dtype Keras 3 promotes `dtypes` to (Python int/float weak)."""
    if not dtypes:
        return floatx()
    names, weak = [], []
    for d in dtypes:
        is_weak = d is int or d is float
        name = floatx() if d is None else standardize_dtype(d)
        names.append(name)
        weak.append(is_weak)
    if len(names) == 1 or (len(set(names)) == 1 and not all(weak)):
        out, out_weak = names[0], weak[0] if len(names) == 1 else False
    elif all(weak):
        out, out_weak = _join(tuple(sorted(set(names)))), True
    else:
        nodes = {_weak_name(n) if w else n for n, w in zip(names, weak)}
        out = _join(tuple(sorted(nodes)))
        out_weak = out in ("int", "float")
    if out_weak and out != "bool":
        out = "int32" if "int" in out else floatx() if out.startswith(("float", "bf")) else out
        if out == "int32" and floatx() == "float64":
            out = "int64"
        if out == "int32" and floatx() == "float16":
            out = "int16"
    return "uint32" if out == "uint64" else out


def _weak_name(name):
    if name == "bool":
        return name
    return "float" if "float" in name else "int"


def floatx():
    from tfgraph_keras import backend
    return backend.floatx()


def dtype_of(x):
    """The dtype used for promotion: Python int/float stay weak; everything else its dtype name."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return type(x)
    if is_tensor(x):
        return tensor(x).dtype.name
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype.name
    return standardize_dtype(default_dtype(x))


def default_dtype(value):
    """The dtype keras.ops.convert_to_tensor gives a Python value: int -> int32, float -> floatx."""
    flat = np.asarray(value)
    if flat.dtype.kind == "b":
        return "bool"
    if flat.dtype.kind in "iu":
        return "int32"
    if flat.dtype.kind == "f":
        return floatx()
    return flat.dtype.name


# -- tensors ---------------------------------------------------------------------------------------
def is_tensor(x):
    return isinstance(x, tf.Tensor) or hasattr(x, "_to_tensor")


def tensor(x, dtype=None):
    """x as a tfgraph Tensor of `dtype` (a cast where it differs): keras.ops.convert_to_tensor."""
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if is_tensor(x):
        t = tf.convert_to_tensor(x)
        return t if dtype is None or t.dtype.name == dtype else tf.cast(t, dtype)
    if isinstance(x, (list, tuple)) and any(is_tensor(v) for v in _flatten(x)):
        parts = [tensor(v) for v in x]
        common = dtype or result_type(*[p.dtype.name for p in parts])
        return tf.stack([tensor(p, common) for p in parts])
    if isinstance(x, (np.ndarray, np.generic)):
        arr = np.asarray(x)
    else:
        arr = np.asarray(x, dtype=default_dtype(x))
    if dtype is not None and arr.dtype.name != dtype:
        arr = arr.astype(dtype)
    return tf.constant(arr)


def _flatten(values):
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flatten(v)
    elif isinstance(values, dict):
        for v in values.values():
            yield from _flatten(v)
    else:
        yield values


def _symbolic_call(args, kwargs):
    return bool(_default_stack()) or any(is_tensor(v) for v in _flatten(list(args))) or any(
        is_tensor(v) for v in _flatten(list(kwargs.values())))


def keras_op(fn):
    """Runs `fn` (which builds graph ops) symbolically, or eagerly on numpy inputs (see top)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            if _symbolic_call(args, kwargs):
                return fn(*args, **kwargs)
            return _run_once(fn, args, kwargs)
        except (ValueError, TypeError) as e:
            if "Created at" in str(e) or "called at" in str(e):
                raise  # a graph op's error already names the user's line
            space = "keras.random" if fn.__module__.endswith("random") else "keras.ops"
            raise type(e)("%s (%s.%s called at %s)" % (
                str(e).rstrip("."), space, fn.__name__, user_location())) from None
    wrapper.graph_fn = fn
    return wrapper


def _run_once(fn, args, kwargs):
    graph = Graph()
    with graph.as_default():
        out = fn(*args, **kwargs)
        fetches = [t for t in _flatten(out) if isinstance(t, tf.Tensor)]
        if not fetches:
            return out
        with tf.Session(graph=graph) as sess:
            values = sess.run(fetches)
    found = dict(zip([id(t) for t in fetches], values))
    return _rebuild(out, found)


def _rebuild(out, found):
    if isinstance(out, tf.Tensor):
        return np.asarray(found[id(out)])
    if isinstance(out, tuple):
        return tuple(_rebuild(v, found) for v in out)
    if isinstance(out, list):
        return [_rebuild(v, found) for v in out]
    if isinstance(out, dict):
        return {k: _rebuild(v, found) for k, v in out.items()}
    return out


def _dims_of(t):
    dims = t.shape.as_tuple()
    if dims is None:
        raise ValueError("%s has an unknown rank" % t.name)
    dynamic = tf.shape(t) if None in dims else None
    return [d if d is not None else dynamic[i] for i, d in enumerate(dims)]


# -- keras.ops core functions ----------------------------------------------------------------------
@keras_op
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """keras.ops.convert_to_tensor (a numpy array when called eagerly)."""
    return tensor(x, dtype)


def convert_to_numpy(x):
    """keras.ops.convert_to_numpy: numpy arrays pass; a Tensor is run in its graph's Keras session
    (placeholders cannot be fed here)."""
    if is_tensor(x):
        from tfgraph_keras import backend
        t = tf.convert_to_tensor(x)
        # as keras.backend.get_value does: variables start at their initial values
        backend.initialize_variables(t.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES))
        return np.asarray(backend.get_session(t.graph).run(t))
    return np.asarray(x)


@keras_op
def cast(x, dtype):
    """keras.ops.cast."""
    return tensor(x, dtype)


def shape(x):
    """keras.ops.shape: a tuple of ints, with a scalar int32 Tensor for each unknown dimension."""
    if not is_tensor(x):
        return tuple(np.shape(x))
    t = tensor(x)
    dims = t.shape.as_tuple()
    if dims is None:
        raise ValueError("keras.ops.shape: %s has an unknown rank" % t.name)
    if all(d is not None for d in dims):
        return tuple(dims)
    dynamic = tf.shape(t)
    return tuple(d if d is not None else dynamic[i] for i, d in enumerate(dims))


def dtype(x):
    return standardize_dtype(dtype_of(x)) if not isinstance(x, (int, float)) else \
        standardize_dtype(default_dtype(x))


@keras_op
def stop_gradient(variable):
    """keras.ops.stop_gradient."""
    return tf.stop_gradient(tensor(variable))


@keras_op
def scatter(indices, values, shape):
    """keras.ops.scatter: zeros of `shape` with `values` added at `indices` (duplicates sum)."""
    values = tensor(values)
    return tf.scatter_nd(tensor(indices, "int32"), values, list(shape))


@keras_op
def scatter_update(inputs, indices, updates):
    """keras.ops.scatter_update: `inputs` with the entries at `indices` replaced by `updates`."""
    inputs = tensor(inputs)
    indices = tensor(indices, "int32")
    updates = tensor(updates, inputs.dtype.name)
    dense_shape = tf.shape(inputs)
    # scatter_nd sums duplicates, so the mask counts hits and the update wins where count > 0
    hits = tf.scatter_nd(indices, tf.ones_like(tf.cast(updates, tf.int32)), dense_shape)
    hit = tf.greater(hits, 0)
    new = tf.scatter_nd(indices, updates, dense_shape)
    return tf.where(hit, new, inputs)


@keras_op
def slice(inputs, start_indices, shape):
    """keras.ops.slice: the block of size `shape` starting at `start_indices`."""
    return tf.slice(tensor(inputs), list(start_indices), list(shape))


@keras_op
def slice_update(inputs, start_indices, updates):
    """keras.ops.slice_update: `inputs` with the block at `start_indices` replaced by `updates`."""
    inputs = tensor(inputs)
    updates = tensor(updates, inputs.dtype.name)
    in_dims, up_dims = _dims_of(inputs), _dims_of(updates)
    paddings = [[int(s), n - int(s) - u] for s, n, u in zip(start_indices, in_dims, up_dims)]
    if any(is_tensor(p[1]) for p in paddings):  # a run-time dimension (the batch)
        paddings = tf.stack([tf.stack([tf.cast(a, tf.int32), tf.cast(b, tf.int32)])
                             for a, b in paddings])
    placed = tf.pad(updates, paddings)
    mask = tf.pad(tf.ones_like(updates, dtype=tf.int32), paddings)
    return tf.where(tf.greater(mask, 0), placed, inputs)


__all__ = ["cast", "convert_to_numpy", "convert_to_tensor", "dtype", "scatter", "scatter_update",
           "shape", "slice", "slice_update", "stop_gradient"]
