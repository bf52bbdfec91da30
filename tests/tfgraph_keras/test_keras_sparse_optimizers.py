"""Adam, RMSprop, Adagrad and Nadam on an Embedding's sparse gradient follow Keras 3 (squares of
a repeated row summed per occurrence): losses recorded by
tests/reference/make_keras_sparse_optimizers.py from Keras 3.15."""
import json
import os

import numpy as np
import pytest

import tfgraph_keras as keras

REF = json.load(open(os.path.join(os.path.dirname(__file__), "..", "data",
                                  "keras_sparse_optimizers.json")))
OPTIMIZERS = {"adam": lambda: keras.optimizers.Adam(0.005),
              "rmsprop": lambda: keras.optimizers.RMSprop(0.005),
              "adagrad": lambda: keras.optimizers.Adagrad(0.05),
              "nadam": lambda: keras.optimizers.Nadam(0.005),
              "sgd": lambda: keras.optimizers.SGD(0.5)}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_embedding_training_matches_keras3(name):
    rng = np.random.RandomState(0)
    x = rng.randint(0, 300, (192, 20))
    x[:, 15:] = 0
    y = (rng.normal(size=300)[x].mean(1) > 0.05).astype("float32")
    r = np.random.RandomState(1)
    weights = [r.uniform(-0.05, 0.05, (300, 8)), r.uniform(-0.5, 0.5, (8, 1)), np.zeros(1)]
    inputs = keras.Input(shape=(None,), dtype="int64")
    h = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(300, 8)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
    model.set_weights(weights)
    model.compile(loss="binary_crossentropy", optimizer=OPTIMIZERS[name]())
    hist = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], REF["losses"][name], rtol=2e-5)
