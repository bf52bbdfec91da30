"""Keras Dropout with a learning-phase tensor: the phase switches the mask's rate and noise shape,
so training applies one dropout mask, inference multiplies by a broadcast 1 (nothing drawn), and
the gradient is a single Mul."""
import numpy as np

import tfgraph as tf
import tfgraph_keras as keras


def test_dropout_switches_the_mask_with_the_learning_phase():
    keras.backend.clear_session()
    inp = keras.Input((64,))
    out = keras.layers.Dropout(0.25, seed=3)(inp)
    g = out.graph
    phase = keras.backend.learning_phase()
    x = np.random.RandomState(0).randn(32, 64).astype(np.float32)
    with g.as_default():
        dx = tf.gradients(tf.reduce_sum(out * 3.0), inp)[0]
        noise = [op for op in g.get_operations() if op.type == "RandomUniform"][0].outputs[0]
    sess = keras.backend.get_session(g)
    infer = sess.run(out, {inp: x})
    np.testing.assert_array_equal(infer, x)
    yv, nv, dv = sess.run([out, noise, dx], {inp: x, phase: True})
    keep = nv >= np.float32(0.25)
    np.testing.assert_array_equal(yv, x * np.where(keep, np.float32(1 / 0.75), np.float32(0)))
    np.testing.assert_allclose(dv, 3 * np.where(keep, np.float32(1 / 0.75), 0), rtol=1e-6)
    assert 0.65 < keep.mean() < 0.85
    ops = _ancestors(dx.op)                            # what running the gradient executes
    types = [op.type for op in ops]
    assert "ZerosLike" not in types and "AddN" not in types
    assert all(op.outputs[0].shape.ndims <= 1 for op in ops if op.type == "SelectV2")
    assert sess.run(noise, {inp: x}).shape == (1, 1)   # inference: one draw, broadcast


def _ancestors(op):
    seen, stack = {op}, [op]
    while stack:
        for t in stack.pop().inputs:
            if t.op not in seen:
                seen.add(t.op)
                stack.append(t.op)
    return seen


def test_dropout_with_python_training_flag():
    keras.backend.clear_session()
    layer = keras.layers.Dropout(0.5)
    x = tf.constant(np.ones((20, 30), np.float32))
    assert layer(x, training=False).op.type == "Identity"
    y = layer(x, training=True)
    out = keras.backend.get_session(y.graph).run(y)
    assert set(np.unique(out)) == {0, 2}
