"""Shared checks for op tests: value vs numpy reference, static vs runtime shape, gradients.

    check_op(tf.nn.relu, ref=lambda x: np.maximum(x, 0), shapes=[(5,), (None, 3, 4)], grad=True)

For every input shape (None = unknown dim in the placeholder, fed as 2), the op is built on
placeholders, run, compared with `ref`, its static shape checked against the runtime shape, and (with
grad=True) its gradient w.r.t. every float input compared with central differences in float64.
"""
import numpy as np

from tfgraph.autodiff.gradient_checker import compute_gradient_error
from tfgraph.framework import dtypes
from tfgraph.framework.graph import Graph
from tfgraph.ops import array_ops
from tfgraph.runtime.session import Session


def concrete(shape, fill=2):
    return tuple(fill if d is None else d for d in shape)


def random_input(shape, dtype, rng, low=-1.0, high=1.0):
    if np.dtype(dtype).kind == "b":
        return rng.rand(*shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.randint(int(low) if low < 0 else 0, max(int(high), 1) + 5, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def check_op(fn, ref, shapes, dtype=np.float32, grad=False, rtol=1e-5, atol=1e-6, grad_tol=1e-4,
             low=-1.0, high=1.0, inputs=None, seed=0):
    """Checks `fn(*placeholders)` against `ref(*arrays)` for each entry of `shapes`.

    `shapes` is a list whose items are one shape (single-input op) or a tuple of shapes (several
    inputs: pass `[((2, 3), (3,))]`). `inputs` may give the arrays explicitly (for ops needing valid
    values, e.g. positive inputs for log).
    """
    rng = np.random.RandomState(seed)
    for case in shapes:
        multi = bool(case) and isinstance(case[0], (tuple, list))
        case_shapes = [tuple(s) for s in case] if multi else [tuple(case)]
        values = inputs if inputs is not None else [
            random_input(concrete(s), dtype, rng, low, high) for s in case_shapes]
        _check_value(fn, ref, case_shapes, values, rtol, atol)
        if grad:
            _check_grad(fn, case_shapes, values, grad_tol)


def _check_value(fn, ref, shapes, values, rtol, atol):
    g = Graph()
    with g.as_default():
        phs = [array_ops.placeholder(dtypes.as_dtype(v.dtype), s) for v, s in zip(values, shapes)]
        out = fn(*phs)
        outs = out if isinstance(out, (list, tuple)) else [out]
        with Session(graph=g) as sess:
            got = sess.run(list(outs), dict(zip(phs, values)))
    expected = ref(*values)
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    for t, gv, ev in zip(outs, got, expected):
        gv, ev = np.asarray(gv), np.asarray(ev)
        assert t.shape.is_compatible_with(gv.shape), \
            "static shape %s does not fit runtime shape %s for %s" % (t.shape, gv.shape, t.name)
        assert gv.dtype == t.dtype.np, "runtime dtype %s != static dtype %s for %s" % (
            gv.dtype, t.dtype.name, t.name)
        assert gv.shape == ev.shape, "shape %s != reference %s" % (gv.shape, ev.shape)
        if gv.dtype.kind == "f":
            np.testing.assert_allclose(gv, ev, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(gv, ev)


def _check_grad(fn, shapes, values, tol):
    g = Graph()
    with g.as_default():
        vals64 = [v.astype(np.float64) if v.dtype.kind == "f" else v for v in values]
        phs = [array_ops.placeholder(dtypes.as_dtype(v.dtype), s) for v, s in zip(vals64, shapes)]
        out = fn(*phs)
        outs = out if isinstance(out, (list, tuple)) else [out]
        with Session(graph=g) as sess:
            for y in outs:
                if not y.dtype.is_floating:
                    continue
                y_val = sess.run(y, dict(zip(phs, vals64)))
                for i, (ph, v) in enumerate(zip(phs, vals64)):
                    if v.dtype.kind != "f":
                        continue
                    extra = {p: w for j, (p, w) in enumerate(zip(phs, vals64)) if j != i}
                    err = compute_gradient_error(ph, v.shape, y, np.shape(y_val), x_init_value=v,
                                                 extra_feed_dict=extra, delta=1e-6, sess=sess)
                    assert err < tol, "gradient error %g for input %d of %s" % (err, i, y.name)
