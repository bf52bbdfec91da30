"""A custom layer written only with keras.ops trains under tfgraph_keras as in Keras 3: same
initial weights, same batches, per-epoch losses and predictions against the recorded run
(tests/reference/make_keras_ops_layer.py, which also holds the model code)."""
import os
import sys

import numpy as np

import tfgraph_keras as keras
from tfgraph_keras import ops

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
from make_keras_ops_layer import build, data  # noqa: E402

REC = np.load(os.path.join(HERE, "..", "..", "data", "keras_ops_layer.npz"))


def test_ops_layer_trains_like_keras3():
    keras.backend.clear_session()
    model = build(keras, ops)
    n = len([k for k in REC.files if k.startswith("w")])
    model.set_weights([REC["w%d" % i] for i in range(n)])
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    x, y = data()
    np.testing.assert_array_equal(x, REC["x"])
    history = model.fit(x, y, batch_size=16, epochs=6, shuffle=False, verbose=0)
    losses = np.array(history.history["loss"])
    np.testing.assert_allclose(losses, REC["losses"], rtol=2e-4)
    assert losses[-1] < 0.25 * losses[0]
    np.testing.assert_allclose(model.predict(x, verbose=0), REC["predictions"], atol=2e-4)

