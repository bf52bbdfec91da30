"""Benchmark workloads W1-W6 on tfgraph, mirroring benchmarks/peers/tf_workloads.py line for line.

Usage: python -m benchmarks.workloads W1|W2|W3|W4|W5|W6|W9 [--fraction F]   -> prints one JSON line.

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


def keras_model(name):
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


def w9(data, fraction, out):
    """TF1's recurrent MNIST classifier: BasicLSTMCell(128) over the 28 rows of each image through
    tf.nn.dynamic_rnn, a linear layer on the last output, Adam(0.001), batch 128, one epoch."""
    import tfgraph as tf
    xtr, ytr, xte, yte = data
    X, Y = xtr.astype("float32") / 255, np.eye(10, dtype="float32")[ytr]
    Xt, Yt = xte.astype("float32") / 255, np.eye(10, dtype="float32")[yte]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 28, 28])
    y = tf.placeholder(tf.float32, [None, 10])
    W = tf.Variable(tf.random_normal([128, 10]))
    b = tf.Variable(tf.random_normal([10]))
    cell = tf.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    logits = tf.matmul(outputs[:, -1], W) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    step = tf.train.AdamOptimizer(0.001).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=["W1", "W2", "W3", "W4", "W5", "W6", "W9"])
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
    elif args.workload == "W9":
        w9(data, args.fraction, out)
    else:
        keras_fit(args.workload, data, args.fraction, out)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
