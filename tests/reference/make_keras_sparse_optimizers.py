"""Records Keras 3.15 (TensorFlow) training losses of an Embedding model for
tests/tfgraph_keras/test_keras_sparse_optimizers.py. The Embedding's gradient is sparse rows
with repeated ids; Keras 3 accumulates the squared gradient of such rows per occurrence (a sum
of squares), not as the square of their sum as TF1 and Keras 2 do.

Run with the TensorFlow virtualenv:
    /root/venvs/tf/bin/python tests/reference/make_keras_sparse_optimizers.py
Writes tests/data/keras_sparse_optimizers.json.
"""
import json
import os

import numpy as np
import keras

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                   "keras_sparse_optimizers.json")
OPTIMIZERS = {"adam": lambda: keras.optimizers.Adam(0.005),
              "rmsprop": lambda: keras.optimizers.RMSprop(0.005),
              "adagrad": lambda: keras.optimizers.Adagrad(0.05),
              "nadam": lambda: keras.optimizers.Nadam(0.005),
              "sgd": lambda: keras.optimizers.SGD(0.5)}


def data():
    rng = np.random.RandomState(0)
    x = rng.randint(0, 300, (192, 20))
    x[:, 15:] = 0                       # padding: id 0 repeats in every row
    w = rng.normal(size=300)
    return x, (w[x].mean(1) > 0.05).astype("float32")


def weights():
    r = np.random.RandomState(1)
    return [r.uniform(-0.05, 0.05, (300, 8)), r.uniform(-0.5, 0.5, (8, 1)), np.zeros(1)]


def main():
    x, y = data()
    out = {"keras": keras.__version__, "losses": {}}
    for name, make in OPTIMIZERS.items():
        inputs = keras.Input(shape=(None,), dtype="int64")
        h = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(300, 8)(inputs))
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
        model.set_weights(weights())
        model.compile(loss="binary_crossentropy", optimizer=make())
        hist = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
        out["losses"][name] = hist.history["loss"]
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
