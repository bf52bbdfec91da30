"""Small Keras models trained with fixed weights and data; the same code runs on Keras and tfgraph_keras.

`keras` is either `tensorflow.keras` (Keras 3) or `tfgraph_keras`.
"""
import numpy as np


def data(kind):
    rng = np.random.RandomState(3)
    if kind == "mlp":
        return rng.rand(96, 12).astype(np.float32), rng.randint(0, 3, 96).astype(np.int32)
    return rng.rand(64, 8, 8, 1).astype(np.float32), rng.randint(0, 3, 64).astype(np.int32)


def weights_like(model):
    rng = np.random.RandomState(11)
    return [rng.uniform(-0.4, 0.4, w.shape).astype(np.float32) for w in model.get_weights()]


def build(keras, kind):
    L = keras.layers
    if kind == "functional":  # two inputs through one shared Dense layer, two outputs
        left, right = keras.Input((12,), name="left"), keras.Input((12,), name="right")
        shared = L.Dense(16, activation="relu", name="shared")
        a, b = shared(left), shared(right)
        cls = L.Dense(3, activation="softmax", name="cls")(L.Concatenate()([a, b]))
        reg = L.Dense(1, name="reg")(L.Subtract()([a, b]))
        return keras.Model([left, right], [cls, reg])
    if kind == "bn_cnn":  # batch statistics in fit, moving ones in predict/evaluate
        # no biases before batch norm: their true gradient is 0, and Adam would blow the last-bit
        # noise of each framework's 0 up into different drifts of the batch means
        return keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, (3, 3), use_bias=False),
                                 L.BatchNormalization(momentum=0.5), L.Activation("relu"),
                                 L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(8, use_bias=False),
                                 L.BatchNormalization(momentum=0.5, epsilon=1e-2),
                                 L.Activation("tanh"), L.Dense(3, activation="softmax")])
    if kind == "mlp":
        return keras.Sequential([keras.Input((12,)), L.Dense(16, activation="relu"),
                                 L.Dense(8, activation="tanh"), L.Dense(3, activation="softmax")])
    return keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, (3, 3), activation="relu"),
                             L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(3, activation="softmax")])


OPTIMIZERS = {
    "adam": lambda keras: keras.optimizers.Adam(0.01),
    "rmsprop": lambda keras: keras.optimizers.RMSprop(0.01),
    "sgd_momentum": lambda keras: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda keras: keras.optimizers.Adagrad(0.1),
    "adamax": lambda keras: keras.optimizers.Adamax(0.01),
    "nadam": lambda keras: keras.optimizers.Nadam(0.01),
}
CASES = [("mlp", o) for o in OPTIMIZERS] + [("cnn", "adam"), ("functional", "adam"),
                                              ("functional", "rmsprop"), ("bn_cnn", "adam")]


def run_functional(keras, opt):
    x, y = data("mlp")
    inputs = [x, x[::-1].copy()]
    targets = [y, (x.sum(axis=1, keepdims=True) / 12).astype(np.float32)]
    model = build(keras, "functional")
    model.set_weights(weights_like(model))
    model.compile(optimizer=OPTIMIZERS[opt](keras), loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], []])
    hist = model.fit(inputs, targets, batch_size=16, epochs=3, shuffle=False, verbose=0)
    pred = model.predict([a[:5] for a in inputs], verbose=0)
    evaluated = model.evaluate(inputs, targets, verbose=0)
    return {"history": {k: [float(v) for v in hist.history[k]] for k in sorted(hist.history)},
            "pred": [np.asarray(p).round(6).tolist() for p in pred],
            "eval": [float(v) for v in evaluated]}


def run(keras, kind, opt):
    if kind == "functional":
        return run_functional(keras, opt)
    x, y = data(kind)
    model = build(keras, kind)
    model.set_weights(weights_like(model))
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":  # variances must be positive
            layer.set_weights([np.abs(w) + 0.5 for w in layer.get_weights()])
    model.compile(optimizer=OPTIMIZERS[opt](keras), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    pred = model.predict(x[:5], verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    return {"loss": [float(v) for v in hist.history["loss"]],
            "accuracy": [float(v) for v in hist.history["accuracy"]],
            "pred": np.asarray(pred).round(6).tolist(), "eval": [float(loss), float(acc)]}
