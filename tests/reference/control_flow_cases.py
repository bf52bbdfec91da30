"""Control-flow examples whose values and gradients are recorded from TensorFlow (TF1 graph mode).

Each case builds a graph with `tf` (tf.compat.v1 or tfgraph) and returns (fetches, feed_dict);
fetches is a dict name -> tensor. tests/reference/make_control_flow_cases.py runs them on
TensorFlow, tests/tfgraph/ops/test_control_flow_cases.py on tfgraph.
"""
import numpy as np

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _data(*shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def _with_grads(tf, fetches, y, xs):
    grads = tf.gradients(y, [x for _, x in xs])
    for (name, _), g in zip(xs, grads):
        if g is not None:
            fetches["d_" + name] = g
    return fetches


@case
def cond_nested_outputs(tf):
    x = tf.placeholder(tf.float32, [3, 4])
    w = tf.constant(_data(4, 2, seed=1))
    p = tf.placeholder(tf.bool, [])

    def true_fn():
        h = tf.matmul(x, w)
        return {"h": tf.tanh(h), "pair": (tf.reduce_sum(h, 1), x * 2.0)}

    def false_fn():
        return {"h": tf.sigmoid(x[:, :2]), "pair": (tf.reduce_max(x, 1), x * x)}

    out = tf.cond(p, true_fn, false_fn)
    y = tf.reduce_sum(out["h"] * out["h"]) + tf.reduce_sum(out["pair"][0]) + \
        tf.reduce_sum(tf.sin(out["pair"][1]))
    fetches = {"h": out["h"], "s": out["pair"][0], "z": out["pair"][1], "y": y}
    return _with_grads(tf, fetches, y, [("x", x), ("w", w)]), {x: _data(3, 4), p: True}


@case
def cond_false_branch_captured(tf):
    f = CASES["cond_nested_outputs"](tf)
    fetches, feeds = f
    p = next(k for k in feeds if k.dtype == tf.bool)
    feeds[p] = False
    return fetches, feeds


@case
def cond_nested_cond(tf):
    x = tf.placeholder(tf.float32, [5])
    a = tf.placeholder(tf.float32, [])
    b = tf.constant(_data(5, seed=3))

    def outer_true():
        return tf.cond(tf.reduce_sum(x) > 0.0, lambda: x * a + b, lambda: tf.exp(x) * b)

    y = tf.cond(a > 0.5, outer_true, lambda: x - a * a)
    loss = tf.reduce_sum(y * y)
    fetches = {"y": y, "loss": loss}
    return _with_grads(tf, fetches, loss, [("x", x), ("a", a), ("b", b)]), \
        {x: _data(5, seed=2), a: np.float32(0.8)}


@case
def case_and_switch_case(tf):
    x = tf.placeholder(tf.float32, [4])
    i = tf.placeholder(tf.int32, [])
    c = tf.case([(tf.equal(i, 0), lambda: x * 2.0), (tf.equal(i, 1), lambda: x * x)],
                default=lambda: -x)
    s = tf.switch_case(i, [lambda: tf.sin(x), lambda: tf.cos(x), lambda: x * 3.0])
    y = tf.reduce_sum(c * s)
    fetches = {"c": c, "s": s, "y": y}
    return _with_grads(tf, fetches, y, [("x", x)]), {x: _data(4, seed=4), i: np.int32(1)}
