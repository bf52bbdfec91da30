"""A two-hidden-layer MLP trained TF1-style; the same code runs on TensorFlow and on tfgraph.

`tf` is the TF1 namespace of either engine (tf.compat.v1 or tfgraph). Weights and data come from a
fixed numpy seed, so both engines start from identical values.
"""
import numpy as np

OPTIMIZERS = {
    "adam": lambda tf: tf.train.AdamOptimizer(0.01),
    "sgd": lambda tf: tf.train.GradientDescentOptimizer(0.1),
    "momentum_nesterov": lambda tf: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
    "rmsprop_centered": lambda tf: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
    "adagrad": lambda tf: tf.train.AdagradOptimizer(0.1),
    "adadelta": lambda tf: tf.train.AdadeltaOptimizer(1.0),
}
STEPS = 25
SPARSE_OPTIMIZERS = ["sgd", "momentum_nesterov", "rmsprop_centered", "adam", "adagrad"]


def data():
    rng = np.random.RandomState(42)
    x = rng.rand(128, 20).astype(np.float32)
    y = rng.randint(0, 4, size=128).astype(np.int32)
    w = [rng.uniform(-0.3, 0.3, s).astype(np.float32) for s in [(20, 16), (16,), (16, 12), (12,),
                                                                 (12, 4), (4,)]]
    return x, y, w


def build_and_train(tf, optimizer_name):
    x_np, y_np, w_np = data()
    x = tf.placeholder(tf.float32, [None, 20])
    y = tf.placeholder(tf.int32, [None])
    W1, b1, W2, b2, W3, b3 = [tf.Variable(w) for w in w_np]
    h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
    h2 = tf.tanh(tf.matmul(h1, W2) + b2)
    logits = tf.matmul(h2, W3) + b3
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = OPTIMIZERS[optimizer_name](tf).minimize(loss)
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(STEPS):
            lo = (step % 4) * 32
            feed = {x: x_np[lo:lo + 32], y: y_np[lo:lo + 32]}
            losses.append(float(sess.run(loss, feed)))
            sess.run(train, feed)
        final = sess.run(W1)
    return {"losses": losses, "w1_sum": float(np.sum(final)), "w1_abs_sum": float(np.abs(final).sum())}


def build_and_train_embedding(tf, optimizer_name):
    """Embedding lookup: its gradient is sparse rows, applied as TF1 applies IndexedSlices."""
    rng = np.random.RandomState(7)
    ids_np = rng.randint(0, 50, size=(64, 3)).astype(np.int32)
    y_np = rng.randint(0, 4, size=64).astype(np.int32)
    emb_np = rng.uniform(-0.5, 0.5, (50, 8)).astype(np.float32)
    w_np = rng.uniform(-0.5, 0.5, (8, 4)).astype(np.float32)
    ids = tf.placeholder(tf.int32, [None, 3])
    y = tf.placeholder(tf.int32, [None])
    emb = tf.Variable(emb_np)
    W = tf.Variable(w_np)
    h = tf.reduce_mean(tf.nn.embedding_lookup(emb, ids), axis=1)
    logits = tf.matmul(h, W)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = OPTIMIZERS[optimizer_name](tf).minimize(loss)
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(STEPS):
            lo = (step % 4) * 16
            feed = {ids: ids_np[lo:lo + 16], y: y_np[lo:lo + 16]}
            losses.append(float(sess.run(loss, feed)))
            sess.run(train, feed)
        final = sess.run(emb)
    return {"losses": losses, "emb": final.round(6).tolist()}
