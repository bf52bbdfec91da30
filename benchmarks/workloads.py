"""Benchmark workloads W1-W9 on tfgraph, mirroring benchmarks/peers/tf_workloads.py line for line.

Usage: python -m benchmarks.workloads W1|...|W9 [--fraction F]   -> prints one JSON line.

`--fraction` trains on that fraction of an epoch (W1: of its 1000 steps) for quick runs; the reported
`train_s` is then the measured time, and `epoch_s_est` the time of a full epoch estimated from it: the
first step (which includes building the plan) once, the other steps scaled to the epoch's count.
"""
import time

_T_START = time.perf_counter()  # before importing tfgraph: time-to-first-step includes the import

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402

import numpy as np  # noqa: E402


def mnist_path():
    for d in (os.environ.get("TFGRAPH_DATASETS_DIR"),
              os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")):
        if d and os.path.exists(os.path.join(d, "mnist.npz")):
            return os.path.join(d, "mnist.npz")
    raise FileNotFoundError("mnist.npz not found: set TFGRAPH_DATASETS_DIR to its directory")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def w1(data, fraction, out):
    """TF1 softmax regression: 1000 sess.run(train_step) of batch 100."""
    import tfgraph as tf
    xtr, ytr, xte, yte = data
    X = xtr.reshape(-1, 784).astype("float32") / 255
    Y = np.eye(10, dtype="float32")[ytr]
    Xt = xte.reshape(-1, 784).astype("float32") / 255
    Yt = np.eye(10, dtype="float32")[yte]
    x = tf.placeholder(tf.float32, [None, 784])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, W) + b)
    y_ = tf.placeholder(tf.float32, [None, 10])
    ce = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), axis=[1]))
    step = tf.train.GradientDescentOptimizer(0.5).minimize(ce)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    rng = np.random.default_rng(0)
    steps = max(1, int(1000 * fraction))
    idx = rng.integers(0, 60000, 100)
    sess.run(step, feed_dict={x: X[idx], y_: Y[idx]})
    out["first_step_s"] = time.perf_counter() - _T_START
    t0 = time.perf_counter()
    for _ in range(steps - 1):
        idx = rng.integers(0, 60000, 100)
        sess.run(step, feed_dict={x: X[idx], y_: Y[idx]})
    t1 = time.perf_counter()
    acc = sess.run(tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)), tf.float32)),
                   feed_dict={x: Xt, y_: Yt})
    per_step = (t1 - t0) / max(steps - 1, 1)
    out.update(train_s=t1 - t0, epoch_s_est=per_step * 1000, step_us=per_step * 1e6,
               test_acc=float(acc))


def keras_model(name, keras=None):
    """W2-W6's compiled model, built with `keras` (tfgraph_keras unless given: benchmarks/seeds.py
    builds W4's with Keras itself)."""
    if keras is None:
        import tfgraph_keras as keras
    if name == "W2":
        m = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(10, activation="softmax")])
        m.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
                  metrics=["accuracy"])
    elif name in ("W3", "W5"):
        m = keras.Sequential([keras.Input((28, 28, 1)),
                              keras.layers.Conv2D(32, (3, 3), activation="relu"),
                              keras.layers.MaxPooling2D((2, 2)), keras.layers.Flatten(),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    elif name == "W4":
        m = keras.Sequential([keras.Input((28, 28)), keras.layers.LSTM(128),
                              keras.layers.Dense(10, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    elif name == "W6":
        m = keras.Sequential([keras.Input((28, 28, 1)),
                              keras.layers.Conv2D(32, (3, 3), activation="relu"),
                              keras.layers.Conv2D(64, (3, 3), activation="relu"),
                              keras.layers.MaxPooling2D((2, 2)), keras.layers.Dropout(0.25),
                              keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    else:
        raise ValueError(name)
    return m


def keras_inputs(name, data):
    xtr, ytr, xte, yte = data
    if name == "W2":
        return xtr.reshape(-1, 784).astype("float32") / 255, xte.reshape(-1, 784).astype(
            "float32") / 255
    if name == "W4":
        return xtr.astype("float32") / 255, xte.astype("float32") / 255
    return (xtr.reshape(-1, 28, 28, 1).astype("float32") / 255,
            xte.reshape(-1, 28, 28, 1).astype("float32") / 255)


def keras_fit(name, data, fraction, out):
    X, Xt = keras_inputs(name, data)
    ytr, yte = data[1], data[3]
    import tfgraph_keras as keras
    m = keras_model(name)
    n = max(128, int(len(X) * fraction))

    first = []

    class FirstStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if not first:
                first.append(time.perf_counter())
                out["first_step_s"] = first[0] - _T_START

    t0 = time.perf_counter()  # cold, as the peers time it: includes building the training plan
    m.fit(X[:n], ytr[:n], batch_size=128, epochs=1, verbose=0, callbacks=[FirstStep()])
    t1 = time.perf_counter()
    loss, acc = m.evaluate(Xt, yte, verbose=0)
    out.update(train_s=t1 - t0, epoch_s_est=epoch_estimate(t0, first[0], t1, n, len(X)),
               test_acc=float(acc))


def epoch_estimate(t0, t_first, t1, n, n_epoch, batch=128):
    """Seconds for a full epoch of `n_epoch` samples from a run over the first `n`: the first step
    (plan building, kernel loading: paid once per epoch either way) counted once, the remaining
    steps scaled. Equals t1 - t0 when n == n_epoch."""
    steps, steps_epoch = -(-n // batch), -(-n_epoch // batch)
    if steps <= 1:
        return (t1 - t0) * steps_epoch
    return (t_first - t0) + (t1 - t_first) * (steps_epoch - 1) / (steps - 1)


def w5(data, fraction, out):
    X, Xt = keras_inputs("W5", data)
    m = keras_model("W5")
    m.predict(Xt[:1], verbose=0)
    t0 = time.perf_counter()
    for i in range(200):
        m.predict(Xt[i:i + 1], verbose=0)
    t1 = time.perf_counter()
    t2 = time.perf_counter()
    m.predict(Xt, batch_size=256, verbose=0)
    t3 = time.perf_counter()
    out.update(predict_1_us=(t1 - t0) / 200 * 1e6, predict_10k_s=t3 - t2)
    t0 = time.perf_counter()
    for i in range(200):
        m(Xt[i:i + 1], training=False)
    out.update(call_1_us=(time.perf_counter() - t0) / 200 * 1e6)


def w9_graph(tf, xent):
    """W9's graph in the default graph, through `tf` (tfgraph, or TensorFlow's compat.v1 for
    benchmarks/seeds.py) and its softmax cross-entropy `xent`: (x, y, train step, accuracy)."""
    x = tf.placeholder(tf.float32, [None, 28, 28])
    y = tf.placeholder(tf.float32, [None, 10])
    W = tf.Variable(tf.random_normal([128, 10]))
    b = tf.Variable(tf.random_normal([10]))
    cell = tf.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    logits = tf.matmul(outputs[:, -1], W) + b
    loss = tf.reduce_mean(xent(labels=y, logits=logits))
    step = tf.train.AdamOptimizer(0.001).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
    return x, y, step, accuracy


def w9(data, fraction, out):
    """TF1's recurrent MNIST classifier: BasicLSTMCell(128) over the 28 rows of each image through
    tf.nn.dynamic_rnn, a linear layer on the last output, Adam(0.001), batch 128, one epoch."""
    import tfgraph as tf
    xtr, ytr, xte, yte = data
    X, Y = xtr.astype("float32") / 255, np.eye(10, dtype="float32")[ytr]
    Xt, Yt = xte.astype("float32") / 255, np.eye(10, dtype="float32")[yte]
    tf.set_random_seed(0)
    x, y, step, accuracy = w9_graph(tf, tf.nn.softmax_cross_entropy_with_logits_v2)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    order = np.random.default_rng(0).permutation(len(X))
    steps_epoch = -(-len(X) // 128)
    steps = max(1, int(steps_epoch * fraction))
    t0 = time.perf_counter()
    for i in range(steps):
        idx = order[i * 128:(i + 1) * 128]
        sess.run(step, feed_dict={x: X[idx], y: Y[idx]})
        if i == 0:
            t_first = time.perf_counter()
            out["first_step_s"] = t_first - _T_START
    t1 = time.perf_counter()
    acc = sess.run(accuracy, feed_dict={x: Xt, y: Yt})
    out.update(train_s=t1 - t0, test_acc=float(acc),
               epoch_s_est=epoch_estimate(t0, t_first, t1, min(len(X), steps * 128), len(X)))


def deep_mnist_batches(data, steps, batch=50):
    """W7's batches: a fixed permutation of the training set read in order (like next_batch)."""
    xtr, ytr = data[0], data[1]
    X = xtr.reshape(-1, 784).astype("float32") / 255
    Y = np.eye(10, dtype="float32")[ytr]
    order = np.random.default_rng(0).permutation(len(X))
    return X, Y, [order[i * batch:(i + 1) * batch] for i in range(steps)]


def w7_graph():
    """W7's graph in the default graph: (x, y_, keep_prob, train_step, accuracy)."""
    import tfgraph as tf
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    def weight(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bias(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))

    def conv2d(a, w):
        return tf.nn.conv2d(a, w, strides=[1, 1, 1, 1], padding="SAME")

    def max_pool_2x2(a):
        return tf.nn.max_pool(a, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    x_image = tf.reshape(x, [-1, 28, 28, 1])
    h_pool1 = max_pool_2x2(tf.nn.relu(conv2d(x_image, weight([5, 5, 1, 32])) + bias([32])))
    h_pool2 = max_pool_2x2(tf.nn.relu(conv2d(h_pool1, weight([5, 5, 32, 64])) + bias([64])))
    h_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64])
    h_fc1 = tf.nn.relu(tf.matmul(h_flat, weight([7 * 7 * 64, 1024])) + bias([1024]))
    h_drop = tf.nn.dropout(h_fc1, keep_prob)
    y_conv = tf.matmul(h_drop, weight([1024, 10])) + bias([10])
    cross_entropy = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y_conv))
    train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy)
    correct = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return x, y_, keep_prob, train_step, accuracy


def w7(data, fraction, out):
    """TF1's deep MNIST tutorial: conv 5x5 SAME 32, pool, conv 5x5 SAME 64, pool, dense 1024,
    dropout through a keep_prob placeholder, dense 10; Adam(1e-4), 1000 steps of 50, with the
    tutorial's training-accuracy check every 100 steps."""
    import tfgraph as tf
    x, y_, keep_prob, train_step, accuracy = w7_graph()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    steps = max(1, int(1000 * fraction))
    X, Y, batches = deep_mnist_batches(data, steps)
    t0 = time.perf_counter()
    for i, idx in enumerate(batches):
        if i % 100 == 0:
            accuracy.eval(session=sess, feed_dict={x: X[idx], y_: Y[idx], keep_prob: 1.0})
        sess.run(train_step, feed_dict={x: X[idx], y_: Y[idx], keep_prob: 0.5})
        if i == 0:
            t_first = time.perf_counter()
            out["first_step_s"] = t_first - _T_START
    t1 = time.perf_counter()
    Xt, Yt = data[2].reshape(-1, 784).astype("float32") / 255, np.eye(10, dtype="float32")[data[3]]
    acc = np.mean([sess.run(accuracy, {x: Xt[i:i + 1000], y_: Yt[i:i + 1000], keep_prob: 1.0})
                   for i in range(0, len(Xt), 1000)])
    out.update(train_s=t1 - t0, test_acc=float(acc),
               epoch_s_est=(t_first - t0) + (t1 - t_first) * 999 / max(steps - 1, 1))


def w8(data, fraction, out):
    """TF1's MNIST-with-summaries loop: 784-500-10 with dropout, Adam(0.001), batch 100, 1000
    steps; every step runs merge_all() over scalars and histograms of each weight, bias,
    gradient and activation and writes the Summary with a FileWriter."""
    import tempfile

    import tfgraph as tf
    xtr, ytr, xte, yte = data
    X = xtr.reshape(-1, 784).astype("float32") / 255
    Y = np.eye(10, dtype="float32")[ytr]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    def variable_summaries(var):
        with tf.name_scope("summaries"):
            mean = tf.reduce_mean(var)
            tf.summary.scalar("mean", mean)
            tf.summary.scalar("stddev", tf.sqrt(tf.reduce_mean(tf.square(var - mean))))
            tf.summary.scalar("max", tf.reduce_max(var))
            tf.summary.scalar("min", tf.reduce_min(var))
            tf.summary.histogram("histogram", var)

    def nn_layer(a, in_dim, out_dim, name, act=tf.nn.relu):
        with tf.name_scope(name):
            with tf.name_scope("weights"):
                weights = tf.Variable(tf.truncated_normal([in_dim, out_dim], stddev=0.1))
                variable_summaries(weights)
            with tf.name_scope("biases"):
                biases = tf.Variable(tf.constant(0.1, shape=[out_dim]))
                variable_summaries(biases)
            pre = tf.matmul(a, weights) + biases
            tf.summary.histogram("pre_activations", pre)
            act_out = act(pre, name="activation")
            tf.summary.histogram("activations", act_out)
            return act_out

    hidden1 = nn_layer(x, 784, 500, "layer1")
    with tf.name_scope("dropout"):
        tf.summary.scalar("dropout_keep_probability", keep_prob)
        dropped = tf.nn.dropout(hidden1, keep_prob)
    y = nn_layer(dropped, 500, 10, "layer2", act=tf.identity)
    with tf.name_scope("cross_entropy"):
        cross_entropy = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y))
    tf.summary.scalar("cross_entropy", cross_entropy)
    with tf.name_scope("train"):
        opt = tf.train.AdamOptimizer(0.001)
        grads_and_vars = opt.compute_gradients(cross_entropy)
        for g, v in grads_and_vars:
            tf.summary.histogram(v.op.name + "/gradient", g)
        train_step = opt.apply_gradients(grads_and_vars)
    with tf.name_scope("accuracy"):
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)),
                                          tf.float32))
    tf.summary.scalar("accuracy", accuracy)
    merged = tf.summary.merge_all()
    sess = tf.Session()
    logdir = tempfile.mkdtemp(prefix="w8_")
    writer = tf.summary.FileWriter(logdir + "/train", sess.graph)
    sess.run(tf.global_variables_initializer())
    rng = np.random.default_rng(0)
    steps = max(1, int(1000 * fraction))
    t0 = time.perf_counter()
    for i in range(steps):
        idx = rng.integers(0, 60000, 100)
        summary, _ = sess.run([merged, train_step], feed_dict={x: X[idx], y_: Y[idx],
                                                               keep_prob: 0.9})
        writer.add_summary(summary, i)
        if i == 0:
            t_first = time.perf_counter()
            out["first_step_s"] = t_first - _T_START
    writer.close()
    t1 = time.perf_counter()
    acc = sess.run(accuracy, {x: xte.reshape(-1, 784).astype("float32") / 255,
                              y_: np.eye(10, dtype="float32")[yte], keep_prob: 1.0})
    out.update(train_s=t1 - t0, test_acc=float(acc), event_bytes=_dir_bytes(logdir),
               epoch_s_est=(t_first - t0) + (t1 - t_first) * 999 / max(steps - 1, 1))


def _dir_bytes(path):
    import shutil
    n = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
    shutil.rmtree(path, ignore_errors=True)
    return n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"])
    parser.add_argument("--fraction", type=float, default=1.0)
    args = parser.parse_args(argv)
    d = np.load(mnist_path())
    data = (d["x_train"], d["y_train"], d["x_test"], d["y_test"])
    import tfgraph
    out = {"workload": args.workload, "impl": "tfgraph-" + tfgraph.__version__,
           "fraction": args.fraction}
    if args.workload == "W1":
        w1(data, args.fraction, out)
    elif args.workload == "W5":
        w5(data, args.fraction, out)
    elif args.workload in ("W7", "W8", "W9"):
        {"W7": w7, "W8": w8, "W9": w9}[args.workload](data, args.fraction, out)
    else:
        keras_fit(args.workload, data, args.fraction, out)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
