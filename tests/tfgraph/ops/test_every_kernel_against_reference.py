"""Walks the op registry: every op type with a kernel of its own is checked against its numpy
reference (values, and the run-time shape and dtype against the static ones) on real graphs.

The graphs are the recorded TF-parity corpora (missing ops with their gradients, control flow,
rnn_cell, optimizers) plus a conv net and a Keras model trained for a few steps, run with the
`passes.reference_check` pass added to every plan. An op type that none of them reaches must be in
NOT_REACHED with the reason; the list can only shrink (an entry reached now fails the test too).
"""
import os
import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework.op_def import OpDef, get_op_def, registered_op_types
from tfgraph.runtime import passes

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import control_flow_cases  # noqa: E402
import missing_ops_cases  # noqa: E402
import parity_cases  # noqa: E402
import rnn_cases  # noqa: E402

# Op types with a kernel of their own that the corpora below do not reach. Each has its own
# kernel-against-reference test in its family's test module.
NOT_REACHED = {
    # TensorArray ops pass host objects (the array's list) whose reference is the kernel itself;
    # tests/tfgraph/ops/test_while_ops.py checks their values and gradients against TF's
    "TensorArrayConcatV3": "host object", "TensorArrayGatherV3": "host object",
    "TensorArrayGradFromConcat": "host object", "TensorArrayGradFromRead": "host object",
    "TensorArrayReadV3": "host object", "TensorArrayScatterGrad": "host object",
    "TensorArrayScatterV3": "host object", "TensorArraySplitV3": "host object",
    "TensorArrayWriteV3": "host object",
    "WhileGrad": "runs nested plans: control_flow_cases checks it against TF",
    "PyFuncStateless": "runs the user's Python function",
}


@pytest.fixture(scope="module")
def checked():
    """The op types compared while running every corpus with the reference check on."""
    seen = set()
    defaults = passes.default_passes
    mp = pytest.MonkeyPatch()
    mp.setattr(passes, "default_passes", lambda *a, **k: defaults(*a, **k) +
               [passes.reference_check(seen)])
    try:
        _run_corpora()
    finally:
        mp.undo()
    return seen


def _run_corpora():
    _elementwise_and_reductions()
    _other_ops()
    for name, case in sorted(missing_ops_cases.CASES.items()):
        with tf.Graph().as_default():
            feeds, tensors = {}, {}
            for key, value in case["inputs"].items():
                ph = tf.placeholder(tf.as_dtype(value.dtype), case["ph"].get(key, value.shape))
                feeds[ph], tensors[key] = value, ph
            out = case["build"](tf, **tensors)
            outs = list(out) if isinstance(out, (list, tuple)) else [out]
            fetches = list(outs)
            if case["grad"]:
                loss = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in outs])
                fetches += [g for g in tf.gradients(loss, [tensors[k] for k in case["grad"]])
                            if g is not None]
            with tf.Session() as sess:
                sess.run(fetches, feeds)
    for name, build in sorted(control_flow_cases.CASES.items()):
        with tf.Graph().as_default():
            fetches, feeds = build(tf)
            with tf.Session() as sess:
                sess.run(fetches, feeds)
    for name in sorted(rnn_cases.CASES):
        rnn_cases.run_case(tf, name)
    for name in sorted(parity_cases.OPTIMIZERS):
        with tf.Graph().as_default():
            parity_cases.build_and_train(tf, name)
    for name in parity_cases.SPARSE_OPTIMIZERS[:1]:
        with tf.Graph().as_default():
            parity_cases.build_and_train_embedding(tf, name)
    _conv_net()
    _keras_model()


def _elementwise_and_reductions():
    """Every op of the elementwise and reduction tables on generated inputs, in the first of
    float32, bool, int32 that the op accepts (placeholders: nothing is folded at plan time)."""
    rng = np.random.default_rng(2)
    candidates = [("float32", lambda: rng.uniform(0.1, 0.9, (3, 4)).astype(np.float32)),
                  ("bool", lambda: rng.uniform(0, 1, (3, 4)) > 0.5),
                  ("int32", lambda: rng.integers(1, 9, (3, 4)).astype(np.int32))]
    for op_type in sorted(registered_op_types()):
        op_def = get_op_def(op_type)
        kind = [c.__name__ for c in type(op_def).__mro__]
        n = 1 if "_Unary" in kind or "_Reduce" in kind or op_type == "Relu" else \
            2 if "_Binary" in kind else 0
        if not n:
            continue
        for dtype, make in candidates:
            with tf.Graph().as_default():
                values = [make() for _ in range(n)]
                inputs = [tf.placeholder(dtype, v.shape) for v in values]
                try:
                    op = op_def.create_op(inputs)
                except (TypeError, ValueError):
                    continue
                with tf.Session() as sess:
                    sess.run(list(op.outputs), dict(zip(inputs, values)))
                break


def _other_ops():
    """Ops the corpora reach only folded or not at all: a max pool not over a Relu with its
    gradient and second derivative, the fused LSTM step, tf.case on fed predicates, tf.tile."""
    from tfgraph.ops import rnn_ops
    rng = np.random.default_rng(3)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 5, 5, 3])
        y = tf.nn.max_pool(x * 2.0, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
        dx, = tf.gradients(tf.reduce_sum(tf.square(y)), x)
        ddx, = tf.gradients(tf.reduce_sum(dx * dx), x)
        z = tf.placeholder(tf.float32, [3, 8])
        c = tf.placeholder(tf.float32, [3, 2])
        h, c2, _, _ = rnn_ops.lstm_cell(z, c)
        dz = tf.gradients(tf.reduce_sum(h * 1.5) + tf.reduce_sum(c2), [z, c])
        p = tf.placeholder(tf.bool, [])
        q = tf.placeholder(tf.bool, [])
        cased = tf.case([(p, lambda: z * 2.0), (q, lambda: z * 3.0)], default=lambda: z,
                        exclusive=True)
        tiled = tf.tile(z, tf.placeholder_with_default([2, 1], [2]))
        with tf.Session() as sess:
            sess.run([y, dx, ddx, h, c2, dz, cased, tiled],
                     {x: rng.standard_normal((2, 5, 5, 3)).astype(np.float32),
                      z: rng.standard_normal((3, 8)).astype(np.float32),
                      c: rng.standard_normal((3, 2)).astype(np.float32), p: False, q: True})


def _conv_net():
    """A conv -> relu -> pool -> conv -> dense net trained a few steps (the fused conv ops)."""
    rng = np.random.default_rng(0)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 12, 12, 1])
        y = tf.placeholder(tf.int64, [None])
        keep = tf.placeholder(tf.float32, [])
        h = tf.layers.conv2d(x, 4, 3, activation=tf.nn.relu)
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        h = tf.layers.conv2d(h, 6, 3, padding="same", activation=tf.nn.relu)
        h = tf.layers.conv2d(h, 6, 1)    # a conv over a Relu: its dx is masked in one pass
        h = tf.nn.avg_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = tf.nn.max_pool(tf.nn.relu(h), [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
        h = tf.nn.dropout(tf.layers.flatten(h), keep_prob=keep)
        logits = tf.layers.dense(h, 3)
        loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
        step = tf.train.AdamOptimizer(1e-3).minimize(loss)
        xv = rng.standard_normal((8, 12, 12, 1)).astype(np.float32)
        yv = rng.integers(0, 3, 8)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(2):
                sess.run([step, loss], {x: xv, y: yv, keep: 0.5})


def _keras_model():
    import tfgraph_keras as keras
    keras.backend.clear_session()
    rng = np.random.default_rng(1)
    inp = keras.Input((6, 4))
    h = keras.layers.Masking()(inp)
    h = keras.layers.LSTM(5, return_sequences=True)(h)
    h = keras.layers.GRU(3)(h)
    h = keras.layers.BatchNormalization()(h)
    out = keras.layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inp, out)
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = rng.standard_normal((16, 6, 4)).astype(np.float32)
    x[:5, 4:] = 0.0                                   # padded steps: masked
    model.fit(x, rng.integers(0, 2, 16),
              batch_size=8, epochs=1, verbose=0)
    model.predict(rng.standard_normal((3, 6, 4)).astype(np.float32), verbose=0)
    keras.backend.clear_session()
    lstm = keras.Sequential([keras.Input((6, 4)), keras.layers.LSTM(3)])   # unmasked inference
    lstm.predict(rng.standard_normal((3, 6, 4)).astype(np.float32), verbose=0)
    keras.backend.clear_session()


def _own_kernel_types():
    """Op types with their own kernel that the check can compare: not those that write variables
    or draw random numbers (the training-trajectory and seeded-draw tests cover them)."""
    out = set()
    for t in registered_op_types():
        d = get_op_def(t)
        if type(d).make_kernel is not OpDef.make_kernel and not d.stateful and \
                not d.ref_inputs and not d.must_be_fed:
            out.add(t)
    return out


def test_every_op_with_its_own_kernel_agrees_with_its_reference(checked):
    own = _own_kernel_types()
    not_reached = sorted(own - checked - set(NOT_REACHED))
    assert not_reached == [], "op types with their own kernel that no corpus reached: %s" % (
        not_reached,)
    reached_now = sorted(set(NOT_REACHED) & checked)
    assert reached_now == [], "reached now: remove from NOT_REACHED: %s" % reached_now
    assert len(checked) >= 40   # the corpora ran with the check on
