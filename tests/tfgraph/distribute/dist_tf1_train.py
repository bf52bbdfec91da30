"""TF1 training with DistributedOptimizer, run by test_distribute_tf1.py under `mpirun -np 2`.

Each rank trains on its half of the data (rank-dependent initial weights, made equal by the
broadcast); `reference()` trains one process on the concatenated per-rank batches. Both record
the loss of every step and the final weights, for SGD and Adam, dense and embedding models.
"""
import sys

import numpy as np

import tfgraph as tf

N, B, EPOCHS = 64, 8, 2          # samples, batch per rank, epochs
VOCAB, DIM = 20, 4
CASES = [(model, opt) for model in ("dense", "embedding") for opt in ("sgd", "adam")]


def data():
    rng = np.random.RandomState(7)
    return {"dense": (rng.randn(N, 5).astype(np.float32), rng.randn(N, 1).astype(np.float32)),
            "embedding": (rng.randint(0, VOCAB, (N, 3)).astype(np.int32),
                          rng.randn(N, 1).astype(np.float32))}


def build(model, opt_name, seed, distributed):
    """(graph, x, y, loss, train_op, broadcast op or None, trainable variables)."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        if model == "dense":
            x = tf.placeholder(tf.float32, [None, 5])
            h = tf.layers.dense(x, 8, activation=tf.nn.tanh)
        else:
            x = tf.placeholder(tf.int32, [None, 3])
            table = tf.get_variable("table", [VOCAB, DIM])
            h = tf.reduce_mean(tf.nn.embedding_lookup(table, x), axis=1)
        y = tf.placeholder(tf.float32, [None, 1])
        pred = tf.layers.dense(h, 1)
        loss = tf.reduce_mean(tf.square(pred - y))
        opt = (tf.train.GradientDescentOptimizer(0.1) if opt_name == "sgd"
               else tf.train.AdamOptimizer(0.05))
        bcast, log_loss = None, loss
        if distributed:
            import tfgraph.distribute as dist
            opt = dist.DistributedOptimizer(opt)
            log_loss = dist.allreduce(loss)          # the mean loss over ranks
        train_op = opt.minimize(loss)
        if distributed:
            bcast = dist.broadcast_global_variables(0)
        init = tf.global_variables_initializer()
    return graph, x, y, log_loss, train_op, bcast, init


def train(model, opt_name, batches, seed, distributed):
    graph, x, y, loss, train_op, bcast, init = build(model, opt_name, seed, distributed)
    losses = []
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        if bcast is not None:
            sess.run(bcast)
        for bx, by in batches:
            losses.append(sess.run([loss, train_op], {x: bx, y: by})[0])
        with graph.as_default():
            weights = sess.run(tf.trainable_variables())
    return np.array(losses), weights


def rank_batches(xs, ys, rank, size):
    m = N // size
    xs, ys = xs[rank * m:(rank + 1) * m], ys[rank * m:(rank + 1) * m]
    return [(xs[i:i + B], ys[i:i + B]) for _ in range(EPOCHS) for i in range(0, m, B)]


def reference(model, opt_name):
    """One process, each step on the concatenation of the ranks' batches of that step."""
    xs, ys = data()[model]
    per_rank = [rank_batches(xs, ys, r, 2) for r in range(2)]
    batches = [(np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]))
               for a, b in zip(*per_rank)]
    return train(model, opt_name, batches, seed=0, distributed=False)


def main(out_dir):
    import tfgraph.distribute as dist
    dist.init()
    results = {}
    for model, opt_name in CASES:
        xs, ys = data()[model]
        # a different seed per rank: only the broadcast makes the initial weights equal
        losses, weights = train(model, opt_name, rank_batches(xs, ys, dist.rank(), dist.size()),
                                seed=dist.rank(), distributed=True)
        results["%s_%s_loss" % (model, opt_name)] = losses
        for i, w in enumerate(weights):
            results["%s_%s_w%d" % (model, opt_name, i)] = w
    results["hook_weights"] = train_with_hook(dist)
    np.savez("%s/rank%d.npz" % (out_dir, dist.rank()), **results)


def train_with_hook(dist):
    """MonitoredTrainingSession + BroadcastGlobalVariablesHook: 3 Adam steps from rank-dependent
    initial weights; returns the final kernel."""
    xs, ys = data()["dense"]
    with tf.Graph().as_default():
        tf.set_random_seed(10 + dist.rank())
        x = tf.placeholder(tf.float32, [None, 5])
        y = tf.placeholder(tf.float32, [None, 1])
        kernel = tf.get_variable("kernel", [5, 1])
        loss = tf.reduce_mean(tf.square(tf.matmul(x, kernel) - y))
        step = tf.train.get_or_create_global_step()
        train_op = dist.DistributedOptimizer(tf.train.AdamOptimizer(0.1)).minimize(
            loss, global_step=step)
        hooks = [dist.BroadcastGlobalVariablesHook(0), tf.train.StopAtStepHook(last_step=3)]
        with tf.train.MonitoredTrainingSession(hooks=hooks) as sess:
            while not sess.should_stop():
                sess.run(train_op, {x: xs[dist.rank()::2], y: ys[dist.rank()::2]})
            return sess.run(kernel)


if __name__ == "__main__":
    main(sys.argv[1])
