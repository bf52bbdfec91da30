"""Large optimizer updates run beside the steps after them (runtime/overlap.py)."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.kernels import threads
from tfgraph.runtime import overlap, passes


@pytest.fixture(autouse=True)
def two_threads(monkeypatch):
    # the pass acts where there are cores to overlap on; with one, updates run in place
    monkeypatch.setattr(threads, "THREADS", 2)


def _conv_dense_graph(units=512):
    """A small W7: conv -> pool -> dense (a kernel of >= overlap.MIN_ELEMENTS) -> logits."""
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.float32, [None, 10])
    w1 = tf.Variable(tf.truncated_normal([5, 5, 1, 32], stddev=0.1), name="w_conv")
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME")),
                       [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    flat = tf.reshape(h, [-1, 4 * 4 * 32])
    w2 = tf.Variable(tf.truncated_normal([4 * 4 * 32, units], stddev=0.05), name="w_dense")
    h2 = tf.nn.relu(tf.matmul(flat, w2))
    w3 = tf.Variable(tf.truncated_normal([units, 10], stddev=0.05), name="w_out")
    logits = tf.matmul(h2, w3)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    return x, y, loss, (w1, w2, w3)


def _data(n=16):
    rng = np.random.RandomState(0)
    return (rng.rand(n, 8, 8, 1).astype(np.float32),
            np.eye(10, dtype=np.float32)[rng.randint(0, 10, n)])


def _train(overlapping, steps=5, extra_fetch=None):
    with tf.Graph().as_default():
        x, y, loss, ws = _conv_dense_graph()
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        fetch = [train, loss] + ([extra_fetch(ws)] if extra_fetch else [])
        with tf.Session() as sess:
            sess._state.passes = passes.default_passes(overlap_updates=overlapping)
            sess.run(tf.global_variables_initializer())
            xv, yv = _data()
            seen = [sess.run(fetch, {x: xv, y: yv})[1:] for _ in range(steps)]
            plan = [p for p in sess._plans.values() if any(st.op.type == "ApplyAdam"
                                                           for st in p.steps)][0]
            return sess.run(list(ws)), seen, plan


def test_the_dense_update_runs_beside_the_conv_gradients_with_the_same_results():
    got, got_seen, plan = _train(True)
    want, want_seen, base = _train(False)
    names = [st.op.name for st in plan.steps]
    beside = [st.op.name for st in plan.steps if st.beside]
    assert beside == ["Adam/update_w_dense/ApplyAdam"]   # the small ones stay in place
    assert not any(st.beside for st in base.steps)
    # the update (and its gradient's matmul) now come before the conv filter's gradient
    assert names.index(beside[0]) < names.index("gradients/Conv2D_grad/Conv2DBackpropFilter")
    assert "_b = _beside(" in plan.source and "_b.result()" in plan.source
    for g, w in zip(got + [s[0] for s in got_seen], want + [s[0] for s in want_seen]):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)


def test_a_step_that_reads_the_variable_sees_it_before_the_update():
    # the dense kernel's sum fetched in the training run: the value from before this step's update
    got, got_seen, _ = _train(True, extra_fetch=lambda ws: tf.reduce_sum(ws[1]))
    want, want_seen, _ = _train(False, extra_fetch=lambda ws: tf.reduce_sum(ws[1]))
    for (g_loss, g_sum), (w_loss, w_sum) in zip(got_seen, want_seen):
        np.testing.assert_allclose(g_sum, w_sum, rtol=1e-6)
        np.testing.assert_allclose(g_loss, w_loss, rtol=1e-6)


def test_the_plan_waits_for_the_update_before_a_variable_write_and_at_the_end():
    with tf.Graph().as_default():
        x, y, loss, ws = _conv_dense_graph()
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            xv, yv = _data()
            sess.run(train, {x: xv, y: yv})
            plan = [p for p in sess._plans.values() if any(st.beside for st in p.steps)][0]
    joins = overlap.join_points(plan.steps)
    (before, (a,)), = joins.items()
    assert plan.steps[a].beside
    waited_by = plan.steps[before]
    # the first later step that writes a variable: the next (small) update
    assert waited_by.op.op_def.ref_inputs
    assert all(not st.op.op_def.ref_inputs and not st.op.op_def.stateful
               for st in plan.steps[a + 1:before])


def test_no_update_runs_beside_in_a_plan_that_does_not_split_the_batch():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 600])
        w = tf.Variable(tf.zeros([600, 600]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
        train = tf.train.AdamOptimizer().minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: np.ones((4, 600), np.float32)})
            assert not any(st.beside for p in sess._plans.values() for st in p.steps)


def test_a_failing_update_beside_is_reported_as_its_op():
    with tf.Graph().as_default():
        x, y, loss, ws = _conv_dense_graph()
        g_fed = tf.placeholder(tf.float32, [None, None])   # a gradient fed with a wrong shape
        grads = tf.gradients(loss, [ws[0], ws[2]])
        train = tf.train.AdamOptimizer(1e-3).apply_gradients(
            [(grads[0], ws[0]), (g_fed, ws[1]), (grads[1], ws[2])])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            xv, yv = _data()
            before = sess.run(ws[1])
            with pytest.raises(tf.errors.InvalidArgumentError, match="update_w_dense"):
                sess.run(train, {x: xv, y: yv, g_fed: np.zeros((3, 3), np.float32)})
            plan = [p for p in sess._plans.values() if any(st.beside for st in p.steps)]
            assert plan, "the fed update should have run beside"
            np.testing.assert_array_equal(sess.run(ws[1]), before)
            sess.run(train, {x: xv, y: yv, g_fed: np.zeros((512, 512), np.float32)})


# -- the pass on hand-made steps -----------------------------------------------------------------
class _Def:
    def __init__(self, stateful=False, refs=(), beside=False, splits=False):
        self.stateful, self.ref_inputs = stateful, tuple(refs)
        self.runs_beside, self.splits_batch, self.view_of_input = beside, splits, None


class _T:
    def __init__(self, op, shape=(1,)):
        self.op, self.shape = op, tf.TensorShape(shape)


class _Op:
    def __init__(self, name, op_def, inputs=(), shape=(1,)):
        self.name, self.type, self.op_def = name, name, op_def
        self.inputs, self.control_inputs = list(inputs), []
        self.outputs = [_T(self, shape)]


def _steps(late_reader):
    """var; conv (splits the batch); conv_grad; [a step reading var]; grad_w; update(var, grad_w)."""
    from tfgraph.runtime.plan import PlanStep
    var = _Op("var", _Def(stateful=True), shape=(1024, 1024))
    conv = _Op("conv", _Def(splits=True))
    conv_grad = _Op("conv_grad", _Def(splits=True))
    dx = _Op("dx", _Def())
    grad_w = _Op("grad_w", _Def())
    update = _Op("update", _Def(stateful=True, refs=(0,), beside=True), inputs=[var.outputs[0]])
    steps = [PlanStep(var, None, [], ["v0"]), PlanStep(conv, None, [], ["v1"]),
             PlanStep(conv_grad, None, ["v1"], ["v3"])]
    if late_reader:
        steps.append(PlanStep(dx, None, ["v0", "v1"], ["v4"]))
    steps += [PlanStep(grad_w, None, ["v1"], ["v2"]), PlanStep(update, None, ["v2"], ["v5"])]
    return steps


def _names(steps):
    return [st.op.name for st in steps]


def test_the_update_and_its_gradient_move_up_together():
    steps = overlap.overlap_updates(_steps(late_reader=False), [], None, None)
    assert _names(steps) == ["var", "conv", "grad_w", "update", "conv_grad"]
    assert [st.beside for st in steps] == [False, False, False, True, False]
    assert overlap.join_points(steps) == {5: [3]}      # at the end: conv_grad runs beside it


def test_a_gradient_does_not_move_when_its_update_cannot():
    # a late step reads the variable, so the update stays after it; its gradient's matmul is then
    # not computed early only to be held
    steps = overlap.overlap_updates(_steps(late_reader=True), [], None, None)
    assert _names(steps) == ["var", "conv", "conv_grad", "dx", "grad_w", "update"]
    assert overlap.join_points(steps) == {6: [5]}


def test_with_one_thread_updates_run_in_place(monkeypatch):
    monkeypatch.setattr(threads, "THREADS", 1)
    steps = overlap.overlap_updates(_steps(late_reader=False), [], None, None)
    assert _names(steps) == ["var", "conv", "conv_grad", "grad_w", "update"]
    assert not any(st.beside for st in steps)
