"""A two-hidden-layer MLP trained with tf.train.AdamOptimizer, TF1 style, against the same network
and TF1's Adam update written out in numpy (forward, backward and update) from the same initial
weights."""
import numpy as np

import tfgraph as tf


def _numpy_trajectory(params, x, y, steps, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    params = [p.astype(np.float64) for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    losses = []
    for t in range(1, steps + 1):
        W1, c1, W2, c2, W3, c3 = params
        h1 = np.maximum(x @ W1 + c1, 0)
        h2 = np.maximum(h1 @ W2 + c2, 0)
        logits = h2 @ W3 + c3
        z = logits - logits.max(1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        losses.append(-np.mean(np.sum(y * np.log(p), 1)))
        d3 = (p - y) / len(x)
        d2 = (d3 @ W3.T) * (h2 > 0)
        d1 = (d2 @ W2.T) * (h1 > 0)
        grads = [x.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ d3, d3.sum(0)]
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            params[i] = params[i] - lr_t * m[i] / (np.sqrt(v[i]) + eps)
    return np.array(losses)


def test_mlp_adam_matches_numpy_trajectory():
    rng = np.random.RandomState(0)
    x = rng.randn(64, 20).astype(np.float32)
    y = np.eye(5, dtype=np.float32)[rng.randint(0, 5, 64)]
    init = [rng.randn(20, 32) * 0.3, np.zeros(32), rng.randn(32, 16) * 0.3, np.zeros(16),
            rng.randn(16, 5) * 0.3, np.zeros(5)]
    init = [a.astype(np.float32) for a in init]
    with tf.Graph().as_default():
        xs = tf.placeholder(tf.float32, [None, 20])
        ys = tf.placeholder(tf.float32, [None, 5])
        W1, c1, W2, c2, W3, c3 = [tf.Variable(a) for a in init]
        h1 = tf.nn.relu(tf.matmul(xs, W1) + c1)
        h2 = tf.nn.relu(tf.matmul(h1, W2) + c2)
        logits = tf.matmul(h2, W3) + c3
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=ys, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, train], {xs: x, ys: y})[0] for _ in range(30)]
    expected = _numpy_trajectory(init, x, y, 30)
    np.testing.assert_allclose(losses, expected, rtol=2e-4, atol=1e-5)
    assert losses[-1] < 0.5 * losses[0]
