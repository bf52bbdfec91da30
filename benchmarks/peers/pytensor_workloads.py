"""Workloads W1 and W2 on PyTensor (Numba backend), as close to tf_workloads.py as PyTensor allows.

Usage: python pytensor_workloads.py W1|W2    -> prints one JSON line.

PyTensor is a graph engine like TF1: symbolic variables, shared variables for the weights, one
compiled function per training step (`pytensor.function(..., updates=...)`, TF1's sess.run of a
train op). W1 is TF1's softmax regression line for line; W2 is the Keras MLP written out by hand
(PyTensor has no layers or optimizers): glorot-uniform kernels, zero biases, inverted dropout
0.2, RMSprop(lr=1e-3, rho=0.9, eps=1e-7, Keras's update), batch 128 over a shuffled epoch.
"""
import os, sys, time, json
_T_START = time.perf_counter()
import resource
import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.tensor.random.utils import RandomStream

MODE = os.environ.get("PYTENSOR_MODE", "NUMBA")
DATA = os.environ.get("MNIST", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "mnist.npz"))
d = np.load(DATA)
xtr, ytr, xte, yte = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
w = sys.argv[1]
out = {"workload": w, "impl": "pytensor-%s-%s" % (pytensor.__version__, MODE.lower())}
floatX = "float32"

if w == "W1":  # TF1 softmax regression: 1000 steps of batch 100, GradientDescent(0.5)
    X = xtr.reshape(-1, 784).astype("float32") / 255; Y = np.eye(10, dtype="float32")[ytr]
    Xt = xte.reshape(-1, 784).astype("float32") / 255; Yt = np.eye(10, dtype="float32")[yte]
    x = pt.matrix("x", dtype=floatX); y_ = pt.matrix("y_", dtype=floatX)
    W = pytensor.shared(np.zeros((784, 10), floatX), name="W"); b = pytensor.shared(np.zeros(10, floatX), name="b")
    y = pt.special.softmax(pt.dot(x, W) + b, axis=-1)
    ce = pt.mean(-pt.sum(y_ * pt.log(y), axis=1))
    gW, gb = pytensor.grad(ce, [W, b])
    lr = np.float32(0.5)
    step = pytensor.function([x, y_], [], updates=[(W, W - lr * gW), (b, b - lr * gb)], mode=MODE)
    acc_fn = pytensor.function([x, y_], pt.mean(pt.eq(pt.argmax(y, 1), pt.argmax(y_, 1))), mode=MODE)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for i in range(1000):
        idx = rng.integers(0, 60000, 100)
        step(X[idx], Y[idx])
        if i == 0: out["first_step_s"] = time.perf_counter() - _T_START
    t1 = time.perf_counter()
    out.update(train_s=t1 - t0, step_us=(t1 - t0) / 1000 * 1e6, test_acc=float(acc_fn(Xt, Yt)))
elif w == "W2":  # Keras MLP 784-512-512-10, dropout 0.2, RMSprop, batch 128, one epoch
    X = xtr.reshape(-1, 784).astype("float32") / 255; Xt = xte.reshape(-1, 784).astype("float32") / 255
    init = np.random.default_rng(0)

    def glorot(n_in, n_out):
        lim = np.sqrt(6.0 / (n_in + n_out))
        return pytensor.shared(init.uniform(-lim, lim, (n_in, n_out)).astype(floatX))

    params = []
    for n_in, n_out in ((784, 512), (512, 512), (512, 10)):
        params += [glorot(n_in, n_out), pytensor.shared(np.zeros(n_out, floatX))]
    srng = RandomStream(0)
    x = pt.matrix("x", dtype=floatX); labels = pt.ivector("labels")

    def forward(training):
        h = x
        for layer in range(3):
            h = pt.dot(h, params[2 * layer]) + params[2 * layer + 1]
            if layer < 2:
                h = pt.maximum(h, 0)
                if training:  # Keras Dropout(0.2): keep with p 0.8, scale kept values by 1/0.8
                    keep = srng.uniform(size=h.shape) >= np.float32(0.2)
                    h = pt.switch(keep, h / np.float32(0.8), np.float32(0))
        return pt.special.softmax(h, axis=-1)

    probs = forward(True)
    eps = np.float32(1e-7)
    picked = pt.clip(probs[pt.arange(labels.shape[0]), labels], eps, np.float32(1) - eps)
    loss = -pt.mean(pt.log(picked))
    grads = pytensor.grad(loss, params)
    updates = []
    lr, rho = np.float32(1e-3), np.float32(0.9)
    for p, g in zip(params, grads):
        acc = pytensor.shared(np.zeros(p.get_value().shape, floatX))
        new_acc = rho * acc + (np.float32(1) - rho) * g * g
        updates += [(acc, new_acc), (p, p - lr * g / (pt.sqrt(new_acc) + eps))]
    step = pytensor.function([x, labels], loss, updates=updates, mode=MODE)
    predict = pytensor.function([x], pt.argmax(forward(False), axis=1), mode=MODE)
    order = np.random.default_rng(0).permutation(len(X))
    t0 = time.perf_counter()
    for s in range(0, len(X), 128):
        idx = order[s:s + 128]
        step(X[idx], ytr[idx].astype("int32"))
        if s == 0: out["first_step_s"] = time.perf_counter() - _T_START
    t1 = time.perf_counter()
    acc = float(np.mean(np.concatenate([predict(Xt[i:i + 1000]) for i in range(0, len(Xt), 1000)]) == yte))
    out.update(epochs=1, train_s=t1 - t0, epoch_s=t1 - t0, test_acc=acc)
else:
    sys.exit("unknown workload " + w)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
