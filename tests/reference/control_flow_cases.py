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


@case
def while_simple_grad(tf):
    x = tf.placeholder(tf.float32, [3])
    w = tf.constant(_data(3, seed=5) + 1.0)
    i0 = tf.constant(0)
    _, y = tf.while_loop(lambda i, a: i < 4, lambda i, a: (i + 1, tf.sin(a) * w + a), [i0, x])
    loss = tf.reduce_sum(y * y)
    fetches = {"y": y, "loss": loss}
    return _with_grads(tf, fetches, loss, [("x", x), ("w", w)]), {x: _data(3, seed=6)}


@case
def while_nested_structure_and_inner_loop(tf):
    x = tf.placeholder(tf.float32, [2, 3])
    w = tf.constant(_data(3, 3, seed=7))

    def body(i, state):
        h, c = state["h"], state["c"]

        def inner(j, acc):
            return j + 1, tf.tanh(tf.matmul(acc, w)) + h

        _, acc = tf.while_loop(lambda j, acc: j < i + 1, inner, [tf.constant(0), h])
        return i + 1, {"h": acc * 0.5 + c, "c": (c + tf.reduce_mean(acc))}

    _, out = tf.while_loop(lambda i, s: i < 3, body,
                           [tf.constant(0), {"h": x, "c": tf.reduce_sum(x) * 0.1}])
    loss = tf.reduce_sum(out["h"]) + out["c"] * 2.0
    fetches = {"h": out["h"], "c": out["c"], "loss": loss}
    return _with_grads(tf, fetches, loss, [("x", x), ("w", w)]), {x: _data(2, 3, seed=8)}


@case
def while_tensor_array_rnn(tf):
    xs = tf.placeholder(tf.float32, [5, 2, 3])
    w = tf.constant(_data(3, 4, seed=9))
    u = tf.constant(_data(4, 4, seed=10) * 0.5)
    inputs = tf.TensorArray(tf.float32, size=5).unstack(xs)
    outputs = tf.TensorArray(tf.float32, size=0, dynamic_size=True)

    def body(t, h, out):
        h = tf.tanh(tf.matmul(inputs.read(t), w) + tf.matmul(h, u))
        return t + 1, h, out.write(t, h)

    _, h, out = tf.while_loop(lambda t, h, out: t < 5, body,
                              [tf.constant(0), tf.zeros([2, 4]), outputs])
    seq = out.stack()
    loss = tf.reduce_sum(seq * seq) + tf.reduce_sum(h)
    fetches = {"seq": seq, "h": h, "loss": loss, "size": out.size(),
               "concat": out.concat(), "gathered": out.gather([4, 0])}
    return _with_grads(tf, fetches, loss, [("xs", xs), ("w", w), ("u", u)]), \
        {xs: _data(5, 2, 3, seed=11)}


@case
def while_maximum_iterations_and_invariants(tf):
    x = tf.placeholder(tf.float32, [1, 2])
    y = tf.while_loop(lambda v: tf.reduce_sum(v) < 1e6, lambda v: tf.concat([v, v * 1.5], 0),
                      [x], shape_invariants=[tf.TensorShape([None, 2])], maximum_iterations=3)
    loss = tf.reduce_sum(y)
    fetches = {"y": y, "loss": loss}
    return _with_grads(tf, fetches, loss, [("x", x)]), {x: _data(1, 2, seed=12)}


@case
def scan_map_fold(tf):
    xs = tf.placeholder(tf.float32, [4, 3])
    w = tf.constant(_data(3, seed=13))
    cum = tf.scan(lambda a, x: a * 0.5 + x * w, xs)
    pair = tf.scan(lambda a, x: (a[0] + x, a[1] * tf.cos(x)), xs,
                   initializer=(tf.zeros([3]), tf.ones([3])))
    rev = tf.scan(lambda a, x: a + tf.sin(x), xs, reverse=True)
    mapped = tf.map_fn(lambda x: tf.reduce_sum(x * w), xs)
    nested = tf.map_fn(lambda t: (t[0] * 2.0, t[1] + 1), (xs, tf.range(4)),
                       dtype=(tf.float32, tf.int32))
    fl = tf.foldl(lambda a, x: a * 0.9 + x, xs)
    fr = tf.foldr(lambda a, x: a * x + 1.0, xs, initializer=tf.ones([3]))
    loss = tf.reduce_sum(cum) + tf.reduce_sum(pair[0] * pair[1]) + tf.reduce_sum(rev) + \
        tf.reduce_sum(mapped) + tf.reduce_sum(nested[0]) + tf.reduce_sum(fl * fr)
    fetches = {"cum": cum, "pair0": pair[0], "pair1": pair[1], "rev": rev, "mapped": mapped,
               "nested0": nested[0], "nested1": nested[1], "fl": fl, "fr": fr, "loss": loss}
    return _with_grads(tf, fetches, loss, [("xs", xs), ("w", w)]), {xs: _data(4, 3, seed=14)}


@case
def tensor_array_split_concat_scatter_gather(tf):
    v = tf.placeholder(tf.float32, [6, 2])
    w = tf.constant(_data(2, seed=15))
    ta = tf.TensorArray(tf.float32, size=3, infer_shape=False).split(v * w, [1, 3, 2])
    sc = tf.TensorArray(tf.float32, size=4).scatter([3, 1, 0, 2], tf.sin(v[:4]))
    g = sc.gather([2, 0])
    c = ta.concat()
    y = tf.reduce_sum(c * c) + tf.reduce_sum(ta.read(1)) + tf.reduce_sum(g * g) + \
        tf.reduce_sum(sc.stack()[3])
    fetches = {"c": c, "r1": ta.read(1), "g": g, "y": y}
    return _with_grads(tf, fetches, y, [("v", v), ("w", w)]), {v: _data(6, 2, seed=16)}


@case
def unknown_length_scan_map_dict_fold_tuple(tf):
    xs = tf.placeholder(tf.float32, [None, 2])
    b = tf.constant(_data(2, seed=17))
    s = tf.scan(lambda a, x: a * tf.tanh(x) + b, xs, initializer=tf.ones([2]), reverse=True)
    d = tf.map_fn(lambda e: {"p": e["x"] * e["y"], "q": e["x"] - 1.0},
                  {"x": xs, "y": tf.exp(xs)}, dtype={"p": tf.float32, "q": tf.float32})
    f = tf.foldl(lambda acc, x: (acc[0] + x * acc[1], acc[1] * 0.5), xs,
                 initializer=(tf.zeros([2]), tf.ones([2]) + b))
    y = tf.reduce_sum(s) + tf.reduce_sum(d["p"]) + tf.reduce_sum(d["q"] * d["q"]) + \
        tf.reduce_sum(f[0]) + tf.reduce_sum(f[1])
    fetches = {"s": s, "p": d["p"], "q": d["q"], "f0": f[0], "f1": f[1], "y": y}
    return _with_grads(tf, fetches, y, [("xs", xs), ("b", b)]), {xs: _data(5, 2, seed=18)}


@case
def case_without_default_and_cond_in_loop(tf):
    x = tf.placeholder(tf.float32, [3])
    k = tf.placeholder(tf.int32, [])
    c = tf.case([(k < 2, lambda: x * 3.0), (k >= 2, lambda: tf.square(x))])

    def body(i, h):
        h = tf.cond(tf.equal(i % 2, 0), lambda: tf.sin(h) * x, lambda: h + tf.reduce_sum(x))
        return i + 1, h

    _, h = tf.while_loop(lambda i, h: i < 5, body, [tf.constant(0), c])
    y = tf.reduce_sum(h * h)
    fetches = {"c": c, "h": h, "y": y}
    return _with_grads(tf, fetches, y, [("x", x)]), {x: _data(3, seed=19), k: np.int32(3)}


def train_while_rnn(tf, steps=12):
    """Loss trajectory of an Elman RNN unrolled by while_loop (weights made inside the body with
    get_variable), trained with Adam; returns the losses."""
    rng = np.random.RandomState(20)
    xs_v = rng.uniform(-1, 1, (6, 8, 3)).astype(np.float32)
    ys_v = rng.uniform(-1, 1, (8, 1)).astype(np.float32)
    xs = tf.placeholder(tf.float32, [6, None, 3])
    ys = tf.placeholder(tf.float32, [None, 1])
    inputs = tf.TensorArray(tf.float32, size=6).unstack(xs)

    def body(t, h):
        with tf.variable_scope("cell", reuse=tf.AUTO_REUSE):
            w = tf.get_variable("w", initializer=rng.uniform(-0.5, 0.5, (3, 5)).astype(np.float32))
            u = tf.get_variable("u", initializer=rng.uniform(-0.5, 0.5, (5, 5)).astype(np.float32))
        return t + 1, tf.tanh(tf.matmul(inputs.read(t), w) + tf.matmul(h, u))

    _, h = tf.while_loop(lambda t, h: t < 6, body, [tf.constant(0), tf.zeros([8, 5])])
    out_w = tf.Variable(rng.uniform(-0.5, 0.5, (5, 1)).astype(np.float32))
    loss = tf.reduce_mean(tf.square(tf.matmul(h, out_w) - ys))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            losses.append(float(sess.run([loss, train], {xs: xs_v, ys: ys_v})[0]))
    return losses
