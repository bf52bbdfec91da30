"""keras.ops control flow: cond, while_loop, fori_loop, scan, map, vectorized_map (Keras 3).

On tfgraph Tensors they build tfgraph's functional control flow (tf.cond, tf.while_loop with
TensorArrays): the functions are traced once and the graph runs them as compiled plans. On numpy
inputs they run the same graph once and return numpy arrays, as the other keras.ops do.

Semantics are Keras 3's: `while_loop` passes the loop variables as separate arguments and returns
a tuple when they were a tuple or list (the value itself for a single one); `scan` is
`jax.lax.scan`'s: `f(carry, x) -> (carry, y)`, returning `(final carry, stacked ys)`. Keras's
TensorFlow backend also requires each y to have its carry's structure, shape and dtype; here the ys
may be any nested tensors, stacked in their own structure (JAX's rule, and TensorFlow's results
wherever its rule holds).
"""
import numpy as np

import tfgraph as tf
from tfgraph.framework import nest
from tfgraph.framework.op_def import constant_value
from tfgraph.ops import control_flow_util as cfu
from tfgraph_keras.ops.core import is_tensor, keras_op, tensor


def _leaf_tensor(v):
    if isinstance(v, tf.TensorArray):
        return v
    return tensor(v)


def _static_pred(pred):
    """pred's value when known while building (a Python/numpy bool or a constant), else None."""
    if isinstance(pred, (bool, np.bool_)):
        return bool(pred)
    if isinstance(pred, (int, float, np.number, np.ndarray)):
        return bool(np.asarray(pred))
    if is_tensor(pred):
        value = constant_value(tf.convert_to_tensor(pred))
        return None if value is None else bool(np.asarray(value))
    return None


@keras_op
def cond(pred, true_fn, false_fn):
    """keras.ops.cond: `true_fn()` if `pred` else `false_fn()`; a predicate known while
    building calls only its branch (as smart_cond does), a run-time one builds a tf.cond that
    runs only the taken branch. Both branches return the same structure of tensors."""
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("`true_fn` and `false_fn` should be callables. Received: "
                        "true_fn=%r, false_fn=%r" % (true_fn, false_fn))
    static = _static_pred(pred)
    if static is not None:
        return true_fn() if static else false_fn()
    pred = tensor(pred)
    if pred.dtype is not tf.bool:
        pred = tf.cast(pred, tf.bool)
    if pred.shape.ndims not in (None, 0):
        raise ValueError("keras.ops.cond: `pred` must be a scalar, received shape %s"
                         % (pred.shape,))
    return tf.cond(pred, true_fn, false_fn, strict=True)


@keras_op
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """keras.ops.while_loop: `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`, at most
    `maximum_iterations` times. A tuple or list of loop variables gives a tuple back (nested
    ones keep their structure); a single loop variable is passed and returned as itself."""
    if not callable(cond) or not callable(body):
        raise TypeError("`cond` and `body` should be callables. Received: cond=%r, body=%r"
                        % (cond, body))
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = list(loop_vars) if is_tuple else [loop_vars]
    loop_vars = nest.map_structure(_leaf_tensor, loop_vars)

    def _cond(*args):
        return tensor(cond(*args), "bool")

    def _body(*args):
        out = body(*args)
        return list(out) if is_tuple else [out]

    out = tf.while_loop(_cond, _body, loop_vars, maximum_iterations=maximum_iterations,
                        return_same_structure=True)
    return tuple(out) if is_tuple else out[0]


@keras_op
def fori_loop(lower, upper, body_fun, init_val):
    """keras.ops.fori_loop: `val = body_fun(i, val)` for i in [lower, upper); returns val."""
    if not callable(body_fun):
        raise TypeError("`body_fun` should be a callable. Received: body_fun=%r" % (body_fun,))
    return while_loop(lambda i, val: i < upper, lambda i, val: (i + 1, body_fun(i, val)),
                      (lower, init_val))[1]


def _check_scan_args(f, xs, length, unroll):
    if not callable(f):
        raise TypeError("`f` should be a callable. Received: f=%s" % (f,))
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError("`unroll` must be an positive integer or boolean. Received: unroll=%s"
                         % (unroll,))
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")


@keras_op
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """keras.ops.scan (jax.lax.scan): `carry, y = f(carry, x)` over the leading axis of the
    (nested) `xs`, or `length` times with x None; returns `(final carry, stacked ys)`.
    `reverse=True` scans from the end (the ys keep the order of the xs). `unroll` is accepted
    and has no effect: the loop runs as one While op."""
    _check_scan_args(f, xs, length, unroll)
    xs_flat = [] if xs is None else [tensor(x) for x in nest.flatten(xs)]
    for x in xs_flat:
        if x.shape.ndims == 0:
            raise ValueError("keras.ops.scan: each of `xs` needs a leading axis to scan over, "
                             "received a scalar %s" % x.name)
    if length is not None:
        n = int(length)
    else:
        n = xs_flat[0].shape.as_tuple()[0] if xs_flat[0].shape.ndims is not None else None
        if n is None:
            n = tf.shape(xs_flat[0])[0]
    n_static = n if isinstance(n, int) else None
    carry_flat = [tensor(c) for c in nest.flatten(init)]

    def pack_x(values):
        return None if xs is None else nest.pack_sequence_as(xs, values)

    def call(carry_vals, x_vals):
        result = f(nest.pack_sequence_as(init, carry_vals), pack_x(x_vals))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ValueError("keras.ops.scan: `f` must return a pair (carry, y), received %r"
                             % (result,))
        carry, y = result
        try:
            nest.assert_same_structure(init, carry, check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError("keras.ops.scan: the carry returned by `f` must have the structure "
                             "of `init`. %s" % e) from None
        return carry, y

    # f traced once on its own to learn the structure, dtypes and shapes of its ys
    specs = [(c.dtype, c.shape, "carry") for c in carry_flat] + \
        [(x.dtype, x.shape[1:], "x") for x in xs_flat]
    n_c = len(carry_flat)
    _, _, probe, _, _ = cfu.trace(lambda *a: call(list(a[:n_c]), list(a[n_c:])), "scan_probe",
                                  specs)
    y_structure = probe[1]
    y_leaves = [tf.convert_to_tensor(v) if v is not None else None
                for v in nest.flatten(y_structure)]
    with tf.name_scope("scan"):
        xs_tas = [tf.TensorArray(x.dtype, size=n, element_shape=x.shape[1:]).unstack(x)
                  for x in xs_flat]
        ys_tas = [tf.TensorArray(y.dtype, size=n, element_shape=y.shape)
                  for y in y_leaves if y is not None]

        def body(k, carry_vals, tas):
            index = n - 1 - k if reverse else k
            carry, y = call(list(carry_vals), [ta.read(index) for ta in xs_tas])
            leaves = [v for v in nest.flatten(y) if v is not None]
            tas = [ta.write(index, tensor(v, ta.dtype.name)) for ta, v in zip(tas, leaves)]
            return k + 1, [tensor(c) for c in nest.flatten(carry)], tas

        _, carry_flat, ys_tas = tf.while_loop(lambda k, c, t: k < n, body,
                                              [tf.constant(0), carry_flat, ys_tas],
                                              return_same_structure=True)
        stacked = iter([ta.stack() for ta in ys_tas])
        ys = []
        for leaf in y_leaves:
            if leaf is None:
                ys.append(None)
                continue
            s = next(stacked)
            s.set_shape([n_static] + leaf.shape.as_list())
            ys.append(s)
    return nest.pack_sequence_as(init, carry_flat), nest.pack_sequence_as(y_structure, ys)


@keras_op
def map(f, xs):
    """keras.ops.map: `f` applied to each slice of the (nested) `xs` along its leading axis,
    the results stacked (in f's output structure)."""
    if not callable(f):
        raise TypeError("`f` should be a callable. Received: f=%s" % (f,))
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


@keras_op
def vectorized_map(function, elements):
    """keras.ops.vectorized_map: as keras.ops.map (one While op over the leading axis; the
    function sees one slice at a time)."""
    return map(function, elements)


__all__ = ["cond", "while_loop", "fori_loop", "scan", "map", "vectorized_map"]
