"""Optimizer trajectories against hand-written numpy versions of TF1's update rules (dense and
sparse), slot names and initial values, global step, and the graph TF1 builds."""
import numpy as np
import pytest

import tfgraph as tf

RNG = np.random.RandomState(0)
W0 = RNG.uniform(-1, 1, (5, 3)).astype(np.float32)
GRADS = [RNG.uniform(-1, 1, (5, 3)).astype(np.float32) for _ in range(4)]
SPARSE = [(np.array([0, 3, 0]), RNG.uniform(-1, 1, (3, 3)).astype(np.float32)),
          (np.array([4]), RNG.uniform(-1, 1, (1, 3)).astype(np.float32)),
          (np.array([3, 1, 3, 3]), RNG.uniform(-1, 1, (4, 3)).astype(np.float32))]


# -- numpy oracles: state is a dict of slot arrays; each returns the new variable ------------------
def sgd(lr):
    def step(w, g, s, t):
        return w - lr * g
    return step


def momentum(lr, mom, nesterov=False):
    def step(w, g, s, t):
        s["momentum"] = s.get("momentum", np.zeros_like(w)) * mom + g
        if nesterov:
            return w - (g * lr + s["momentum"] * mom * lr)
        return w - lr * s["momentum"]
    return step


def adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-8):
    def step(w, g, s, t):
        m = s["m"] = b1 * s.get("m", np.zeros_like(w)) + (1 - b1) * g
        v = s["v"] = b2 * s.get("v", np.zeros_like(w)) + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - lr_t * m / (np.sqrt(v) + eps)
    return step


def rmsprop(lr, decay=0.9, mom=0.0, eps=1e-10, centered=False):
    def step(w, g, s, t):
        ms = s["rms"] = decay * s.get("rms", np.ones_like(w)) + (1 - decay) * g * g
        denom = ms + eps
        if centered:
            mg = s["mg"] = decay * s.get("mg", np.zeros_like(w)) + (1 - decay) * g
            denom = ms - mg * mg + eps
        s["momentum"] = s.get("momentum", np.zeros_like(w)) * mom + lr * g / np.sqrt(denom)
        return w - s["momentum"]
    return step


def adagrad(lr, init=0.1):
    def step(w, g, s, t):
        a = s["accumulator"] = s.get("accumulator", np.full_like(w, init)) + g * g
        return w - lr * g / np.sqrt(a)
    return step


def adadelta(lr=0.001, rho=0.95, eps=1e-8):
    def step(w, g, s, t):
        a = s["accum"] = rho * s.get("accum", np.zeros_like(w)) + (1 - rho) * g * g
        u = s.get("accum_update", np.zeros_like(w))
        update = np.sqrt(u + eps) / np.sqrt(a + eps) * g
        s["accum_update"] = rho * u + (1 - rho) * update * update
        return w - lr * update
    return step


CASES = [  # (id, optimizer factory, numpy step, {slot name: slot variable name})
    ("sgd", lambda: tf.train.GradientDescentOptimizer(0.1), sgd(0.1), {}),
    ("momentum", lambda: tf.train.MomentumOptimizer(0.1, 0.9), momentum(0.1, 0.9),
     {"momentum": "W/Momentum"}),
    ("nesterov", lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
     momentum(0.1, 0.9, True), {"momentum": "W/Momentum"}),
    ("adam", lambda: tf.train.AdamOptimizer(), adam(), {"m": "W/Adam", "v": "W/Adam_1"}),
    ("adam_lr", lambda: tf.train.AdamOptimizer(0.1, 0.8, 0.99, 1e-3), adam(0.1, 0.8, 0.99, 1e-3),
     {"m": "W/Adam", "v": "W/Adam_1"}),
    ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.01), rmsprop(0.01),
     {"rms": "W/RMSProp", "momentum": "W/RMSProp_1"}),
    ("rmsprop_mom", lambda: tf.train.RMSPropOptimizer(0.01, 0.8, 0.5, 1e-6),
     rmsprop(0.01, 0.8, 0.5, 1e-6), {"rms": "W/RMSProp", "momentum": "W/RMSProp_1"}),
    ("rmsprop_centered", lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
     rmsprop(0.01, mom=0.5, centered=True),
     {"rms": "W/RMSProp", "mg": "W/RMSProp_1", "momentum": "W/RMSProp_2"}),
    ("adagrad", lambda: tf.train.AdagradOptimizer(0.1), adagrad(0.1),
     {"accumulator": "W/Adagrad"}),
    ("adagrad_init", lambda: tf.train.AdagradOptimizer(0.1, 0.5), adagrad(0.1, 0.5),
     {"accumulator": "W/Adagrad"}),
    ("adadelta", lambda: tf.train.AdadeltaOptimizer(), adadelta(),
     {"accum": "W/Adadelta", "accum_update": "W/Adadelta_1"}),
    ("adadelta_lr", lambda: tf.train.AdadeltaOptimizer(1.0, 0.9, 1e-6), adadelta(1.0, 0.9, 1e-6),
     {"accum": "W/Adadelta", "accum_update": "W/Adadelta_1"}),
]


def _build(make_opt, sparse):
    g = tf.Graph()
    with g.as_default():
        W = tf.Variable(W0, name="W")
        opt = make_opt()
        if sparse:
            vals = tf.placeholder(tf.float32, [None, 3])
            idx = tf.placeholder(tf.int32, [None])
            grad = tf.IndexedSlices(vals, idx, tf.constant([5, 3]))
            phs = (vals, idx)
        else:
            grad = tf.placeholder(tf.float32, [5, 3])
            phs = (grad,)
        step = opt.apply_gradients([(grad, W)])
        init = tf.global_variables_initializer()
    return g, W, opt, step, phs, init


@pytest.mark.parametrize("name,make_opt,np_step,slots", CASES, ids=[c[0] for c in CASES])
def test_dense_trajectory(name, make_opt, np_step, slots):
    g, W, opt, step, (grad,), init = _build(make_opt, sparse=False)
    assert opt.get_slot_names() == sorted(slots)
    assert {k: opt.get_slot(W, k).op.name for k in slots} == slots
    with tf.Session(graph=g) as sess:
        sess.run(init)
        w, state = W0.astype(np.float64), {}
        for t, gr in enumerate(GRADS, 1):
            sess.run(step, {grad: gr})
            w = np_step(w, gr.astype(np.float64), state, t)
            np.testing.assert_allclose(sess.run(W), w, rtol=2e-5, atol=2e-6)
            for k in slots:
                np.testing.assert_allclose(sess.run(opt.get_slot(W, k)), state[k], rtol=2e-5,
                                           atol=1e-6)


def _np_sparse_step(name, np_step, w, idx, vals, state, t):
    """TF1's sparse semantics: repeated rows summed, only present rows updated (Adam: see below)."""
    uniq = np.unique(idx)
    summed = np.stack([vals[idx == i].sum(0) for i in uniq])
    if name.startswith("sgd"):
        w = w.copy()
        np.subtract.at(w, idx, 0.1 * vals)
        return w
    if name.startswith("adam"):
        # m and v decay everywhere; the present rows gain the new gradient; every row moves.
        dense = np.zeros_like(w)
        dense[uniq] = summed
        return np_step(w, dense, state, t)
    rows = {k: v[uniq] for k, v in state.items()}
    new_rows = np_step(w[uniq], summed, rows, t)
    for k, v in rows.items():
        if k not in state:
            init = {"rms": 1.0, "accumulator": 0.1 if name == "adagrad" else 0.5}.get(k, 0.0)
            state[k] = np.full_like(w, init)
        state[k][uniq] = v
    w = w.copy()
    w[uniq] = new_rows
    return w


@pytest.mark.parametrize("name,make_opt,np_step,slots", CASES, ids=[c[0] for c in CASES])
def test_sparse_trajectory(name, make_opt, np_step, slots):
    g, W, opt, step, (vals, idx), init = _build(make_opt, sparse=True)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        w, state = W0.astype(np.float64), {}
        for t, (ix, vs) in enumerate(SPARSE, 1):
            sess.run(step, {vals: vs, idx: ix})
            w = _np_sparse_step(name, np_step, w, ix, vs.astype(np.float64), state, t)
            np.testing.assert_allclose(sess.run(W), w, rtol=2e-5, atol=2e-6)
            for k in slots:
                np.testing.assert_allclose(sess.run(opt.get_slot(W, k)), state[k], rtol=2e-5,
                                           atol=1e-6)


def test_sparse_momentum_differs_from_dense():
    """Rows absent from a sparse gradient keep their momentum (TF1), unlike a dense zero grad."""
    out = []
    for sparse in (False, True):
        g, W, opt, step, phs, init = _build(lambda: tf.train.MomentumOptimizer(0.1, 0.9), sparse)
        with tf.Session(graph=g) as sess:
            sess.run(init)
            first = np.ones((5, 3), np.float32)
            if sparse:
                sess.run(step, {phs[0]: first, phs[1]: np.arange(5)})
                sess.run(step, {phs[0]: np.ones((1, 3), np.float32), phs[1]: [0]})
            else:
                sess.run(step, {phs[0]: first})
                sess.run(step, {phs[0]: np.eye(5, 3, dtype=np.float32) * 0 + (np.arange(5) == 0)
                                [:, None].astype(np.float32)})
            out.append(sess.run(opt.get_slot(W, "momentum")))
    np.testing.assert_allclose(out[0][1:], 0.9)   # dense: every accumulator decayed
    np.testing.assert_allclose(out[1][1:], 1.0)   # sparse: untouched rows keep theirs
    np.testing.assert_allclose(out[0][0], out[1][0])


def test_minimize_names_global_step_and_loss_decreases():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        W = tf.Variable(tf.ones([2, 1]), name="W")
        b = tf.Variable(tf.zeros([1]), name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - 3.0))
        gs = tf.train.get_or_create_global_step()
        assert tf.train.get_global_step() is gs and gs.dtype == tf.int64
        opt = tf.train.AdamOptimizer(0.1)
        train = opt.minimize(loss, global_step=gs)
        assert train.name == "Adam" and train.type == "AssignAdd"
        assert g.get_operation_by_name("Adam/update_W/ApplyAdam").type == "ApplyAdam"
        assert g.get_operation_by_name("Adam/update").type == "NoOp"
        names = sorted(v.op.name for v in tf.global_variables())
        assert names == ["W", "W/Adam", "W/Adam_1", "b", "b/Adam", "b/Adam_1", "beta1_power",
                         "beta2_power", "global_step"]
        assert [v.op.name for v in tf.trainable_variables()] == ["W", "b"]
        assert [v.op.name for v in opt.variables()] == ["W/Adam", "W/Adam_1", "b/Adam",
                                                        "b/Adam_1", "beta1_power", "beta2_power"]
        assert g.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {x: np.array([[1, 2], [3, 4]], np.float32)}
            losses = [sess.run([train, loss], feed)[1] for _ in range(50)]
            assert losses[-1] < 0.05 * losses[0]
            assert sess.run(gs) == 50
            b1p, b2p = opt._get_beta_accumulators()
            np.testing.assert_allclose(sess.run([b1p, b2p]), [0.9 ** 51, 0.999 ** 51], rtol=1e-5)


def test_compute_gradients_and_unconnected_variable():
    g = tf.Graph()
    with g.as_default():
        W = tf.Variable([1.0, 2.0], name="W")
        unused = tf.Variable([5.0], name="unused")
        loss = tf.reduce_sum(W * W)
        opt = tf.train.GradientDescentOptimizer(0.25)
        gv = opt.compute_gradients(loss)
        assert [v for _, v in gv] == [W, unused] and gv[1][0] is None
        train = opt.apply_gradients(gv, name="train")
        assert train.name == "train" and train.type == "NoOp"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(gv[0][0]), [2.0, 4.0])
            sess.run(train)
            np.testing.assert_allclose(sess.run(W), [0.5, 1.0])
            np.testing.assert_allclose(sess.run(unused), [5.0])
        with pytest.raises(ValueError, match="No gradients provided"):
            opt.minimize(tf.constant(1.0), var_list=[unused])
        with pytest.raises(ValueError, match="No gradients provided"):
            opt.apply_gradients([(None, W)])
        with pytest.raises(ValueError, match="No variables to optimize"):
            opt.compute_gradients(loss, var_list=[])


def test_learning_rate_tensor_and_var_list():
    g = tf.Graph()
    with g.as_default():
        lr = tf.placeholder(tf.float32, [])
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(1.0, name="b")
        train = tf.train.GradientDescentOptimizer(lr).minimize(a * b, var_list=[a])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {lr: 0.5})
            sess.run(train, {lr: 0.25})
            assert sess.run([a, b]) == [0.25, 1.0]


def test_gradients_all_computed_before_updates():
    """loss = sum(a * b): each update must use the other variable's value from before the step."""
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable(2.0, name="a")
        b = tf.Variable(3.0, name="b")
        train = tf.train.GradientDescentOptimizer(1.0).minimize(a * b)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            assert sess.run([a, b]) == [2.0 - 3.0, 3.0 - 2.0]


def test_float64_variables_and_update_shape_error():
    g = tf.Graph()
    with g.as_default():
        W = tf.Variable(np.ones(3), name="W")
        assert W.dtype == tf.float64
        grad = tf.placeholder(tf.float64, [None])
        train = tf.train.MomentumOptimizer(0.5, 0.5).apply_gradients([(grad, W)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {grad: [1.0, 2.0, 3.0]})
            np.testing.assert_allclose(sess.run(W), [0.5, 0.0, -0.5])
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[3\] \[2\]"):
                sess.run(train, {grad: [1.0, 2.0]})
            np.testing.assert_allclose(sess.run(W), [0.5, 0.0, -0.5])  # nothing half-written


def test_sparse_index_out_of_range_writes_nothing():
    g, W, opt, step, (vals, idx), init = _build(lambda: tf.train.AdagradOptimizer(0.1), True)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 7 is not in"):
            sess.run(step, {vals: np.ones((2, 3), np.float32), idx: [0, 7]})
        np.testing.assert_array_equal(sess.run(W), W0)
        np.testing.assert_allclose(sess.run(opt.get_slot(W, "accumulator")), 0.1)


def test_uninitialized_slot_error():
    g, W, opt, step, (grad,), init = _build(lambda: tf.train.MomentumOptimizer(0.1, 0.9), False)
    with tf.Session(graph=g) as sess:
        sess.run(W.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError, match="W/Momentum"):
            sess.run(step, {grad: GRADS[0]})


def test_invalid_dtype_and_optimizer_args():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable([1, 2], name="iv")
        with pytest.raises(ValueError, match="Invalid type tf.int32"):
            tf.train.GradientDescentOptimizer(0.1).compute_gradients(tf.constant(1.0), [v])
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


def test_embedding_gradient_is_applied_sparsely():
    g = tf.Graph()
    with g.as_default():
        emb = tf.Variable(np.ones((6, 2), np.float32), name="emb")
        ids = tf.placeholder(tf.int32, [None])
        loss = tf.reduce_sum(tf.nn.embedding_lookup(emb, ids))
        opt = tf.train.MomentumOptimizer(0.1, 0.9)
        (grad, _), = opt.compute_gradients(loss)
        assert isinstance(grad, tf.IndexedSlices)
        train = opt.apply_gradients([(grad, emb)])
        assert [o.type for o in g.get_operations() if "Apply" in o.type] == ["SparseApplyMomentum"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {ids: [1, 1, 4]})
            sess.run(train, {ids: [4]})
            w, acc = sess.run([emb, opt.get_slot(emb, "momentum")])
    np.testing.assert_allclose(w[:, 0], [1, 0.8, 1, 1, 0.71, 1], rtol=1e-6)
    np.testing.assert_allclose(acc[:, 0], [0, 2, 0, 0, 1.9, 0], rtol=1e-6)


@pytest.mark.parametrize("name,make_opt,np_step,slots", CASES[::3], ids=[c[0] for c in CASES[::3]])
def test_float16_uses_numpy_reference_path(name, make_opt, np_step, slots):
    g = tf.Graph()
    with g.as_default():
        W = tf.Variable(W0.astype(np.float16), name="W")
        grad = tf.placeholder(tf.float16, [5, 3])
        step = make_opt().apply_gradients([(grad, W)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w, state = W0.astype(np.float64), {}
            for t, gr in enumerate(GRADS[:2], 1):
                sess.run(step, {grad: gr.astype(np.float16)})
                w = np_step(w, gr.astype(np.float16).astype(np.float64), state, t)
            got = sess.run(W)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got, w, rtol=2e-2, atol=2e-3)


def test_concurrent_updates_are_atomic_per_variable():
    import threading
    g = tf.Graph()
    with g.as_default():
        W = tf.Variable(np.zeros((64, 64), np.float32), name="W")
        train = tf.train.MomentumOptimizer(1.0, 0.0).apply_gradients(
            [(tf.constant(np.ones((64, 64), np.float32)), W)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            run = sess.make_callable(train)

            def worker():
                for _ in range(200):
                    run()
            threads = [threading.Thread(target=worker) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            w = sess.run(W)
    np.testing.assert_array_equal(w, -1600.0)   # no update lost or torn


def test_clip_by_global_norm_pipeline_and_int32_user_global_step():
    """The classic TF1 pattern: compute, clip by global norm, apply; a user-made int32 step."""
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable([3.0], name="a")
        b = tf.Variable([4.0], name="b")
        c = tf.Variable([1.0], name="c")   # not connected: its gradient is None
        step = tf.Variable(0, trainable=False, name="global_step")
        loss = tf.reduce_sum(a * a + b * b) / 2.0
        opt = tf.train.GradientDescentOptimizer(tf.train.exponential_decay(1.0, step, 1, 0.5))
        grads, variables = zip(*opt.compute_gradients(loss, [a, b, c]))
        clipped, norm = tf.clip_by_global_norm(grads, 1.0)
        train = opt.apply_gradients(zip(clipped, variables), global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(norm) == 5.0
            sess.run(train)
            np.testing.assert_allclose(sess.run([a, b, c]), [[3 - 0.6], [4 - 0.8], [1.0]],
                                       rtol=1e-6)
            assert sess.run(step) == 1 and sess.run(step).dtype == np.int32
