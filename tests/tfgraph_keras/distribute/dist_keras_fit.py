"""Keras fit with tfgraph_keras.distribute, run by test_keras_distribute.py under `mpirun -np 2`.

Each rank calls fit on the whole data (fit shards it) with a rank-dependent initialization;
`reference()` fits one process on the per-step concatenation of the ranks' batches. Both record
the per-batch logs (loss, mae), the final weights, evaluate and predict.
"""
import sys

import numpy as np

import tfgraph_keras as keras

N, B, EPOCHS = 48, 8, 2
VOCAB = 16
CASES = [(model, opt) for model in ("dense", "embedding") for opt in ("sgd", "adam")]


def data(model):
    rng = np.random.RandomState(3)
    if model == "dense":
        x = rng.randn(N, 6).astype(np.float32)
    else:
        x = rng.randint(0, VOCAB, (N, 4)).astype(np.int32)
    return x, rng.randn(N, 1).astype(np.float32)


def make(model, opt_name, seed, distributed):
    if model == "dense":
        net = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="tanh"),
                                keras.layers.Dense(1)])
    else:
        net = keras.Sequential([keras.Input((4,), dtype="int32"),
                                keras.layers.Embedding(VOCAB, 3),
                                keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    opt = keras.optimizers.SGD(0.1) if opt_name == "sgd" else keras.optimizers.Adam(0.02)
    if distributed:
        import tfgraph_keras.distribute as dist
        opt = dist.DistributedOptimizer(opt)
    net.compile(opt, "mse", metrics=["mae"])
    # initial weights from the seed alone (keras initializers also depend on what the process
    # built before); ranks get different ones: only the broadcast makes them equal
    rng = np.random.RandomState(100 + seed)
    net.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype(w.dtype) for w in net.get_weights()])
    return net


def run(model, opt_name, x, y, seed, distributed, batch_size, callbacks=(), verbose=0,
        test_x=None, test_y=None):
    net = make(model, opt_name, seed, distributed)
    batch_logs = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: batch_logs.append([logs["loss"], logs["mae"]]))
    hist = net.fit(x, y, batch_size=batch_size, epochs=EPOCHS, shuffle=False, verbose=verbose,
                   callbacks=[record, *callbacks])
    if verbose:  # one line, from rank 0
        net.evaluate(test_x, test_y, batch_size=len(test_x), verbose=2)
    return {"batch_logs": np.array(batch_logs), "epoch_loss": np.array(hist.history["loss"]),
            "weights": net.get_weights(),
            "evaluate": np.array(net.evaluate(test_x, test_y, verbose=0)),
            "predict": net.predict(test_x, verbose=0)}


def reference(model, opt_name):
    x, y = data(model)
    half = N // 2
    order = np.concatenate([np.r_[i:i + B, half + i:half + i + B] for i in range(0, half, B)])
    return run(model, opt_name, x[order], y[order], seed=0, distributed=False,
               batch_size=2 * B, test_x=x, test_y=y)


def main(out_dir):
    import tfgraph_keras.distribute as dist
    dist.init()
    saved = {}
    for model, opt_name in CASES:
        x, y = data(model)
        verbose = 1 if (model, opt_name) == CASES[0] else 0
        logger = keras.callbacks.CSVLogger("%s/log_%s_%s_rank%d.csv"
                                           % (out_dir, model, opt_name, dist.rank()))
        callbacks = [logger, dist.callbacks.MetricAverageCallback()]
        if verbose:  # weights written by rank 0 only
            callbacks.append(keras.callbacks.ModelCheckpoint(
                "%s/ckpt_rank%d.weights.h5" % (out_dir, dist.rank()), save_weights_only=True))
        r = run(model, opt_name, x, y, seed=dist.rank(), distributed=True, batch_size=B,
                callbacks=callbacks, verbose=verbose, test_x=x, test_y=y)
        for key, value in r.items():
            if key == "weights":
                for i, w in enumerate(value):
                    saved["%s_%s_w%d" % (model, opt_name, i)] = w
            else:
                saved["%s_%s_%s" % (model, opt_name, key)] = value
    np.savez("%s/rank%d.npz" % (out_dir, dist.rank()), **saved)


if __name__ == "__main__":
    main(sys.argv[1])
