"""Keras fit/evaluate/predict on a tf.data Dataset of (x, y) batches: the same numbers as on the
arrays it was made from, one pass per epoch (or steps_per_epoch of a repeated dataset)."""
import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import layers


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def _model():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="tanh",
                                                              kernel_initializer="ones"),
                              layers.Dense(1, kernel_initializer="ones")])
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return model


def _data(n=40):
    rng = np.random.RandomState(0)
    x = rng.randn(n, 3).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3)


def test_fit_evaluate_predict_on_a_dataset_equal_the_arrays():
    x, y = _data()
    a = _model()
    ha = a.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    ev_a = a.evaluate(x, y, batch_size=8, verbose=0)
    pr_a = a.predict(x, batch_size=8, verbose=0)
    keras.backend.clear_session()
    b = _model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    hb = b.fit(ds, epochs=3, verbose=0)
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(hb.history["mae"], ha.history["mae"], rtol=1e-5)
    assert hb.history["loss"][-1] < hb.history["loss"][0]
    np.testing.assert_allclose(b.evaluate(ds, verbose=0), ev_a, rtol=1e-5)
    np.testing.assert_allclose(b.predict(ds, verbose=0), pr_a, rtol=1e-5)
    x_only = tf.data.Dataset.from_tensor_slices(x).batch(16)
    np.testing.assert_allclose(b.predict(x_only, verbose=0), pr_a, rtol=1e-5)


def test_repeated_dataset_with_steps_and_validation_dataset():
    x, y = _data()
    model = _model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).map(lambda u, v: (u, v * 1.0)) \
        .shuffle(40, seed=2).batch(10).repeat()
    val = tf.data.Dataset.from_tensor_slices((x[:20], y[:20])).batch(10)
    h = model.fit(ds, steps_per_epoch=4, epochs=4, validation_data=val, verbose=0)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 4
    assert h.history["loss"][-1] < h.history["loss"][0]
    np.testing.assert_allclose(h.history["val_loss"][-1],
                               model.evaluate(x[:20], y[:20], batch_size=10, verbose=0)[0],
                               rtol=1e-5)
