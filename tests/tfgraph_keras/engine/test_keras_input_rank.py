"""Keras 3's functional input rank adjustment: (n, 28, 28) feeds Input((28, 28, 1)) (a trailing
axis is added), (n, 4, 1) feeds Input((4,)) (it is dropped); other ranks still fail."""
import numpy as np
import pytest

import tfgraph_keras as keras


def _model(shape):
    inputs = keras.Input(shape)
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="ones")(x))


def test_trailing_axis_added_for_fit_evaluate_predict():
    model = _model((5, 3, 1))
    x = np.random.RandomState(0).rand(8, 5, 3).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x[..., None],
                                                                         verbose=0))
    model.compile("sgd", "mse")
    y = np.zeros((8, 2), np.float32)
    model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(model.evaluate(x, y, verbose=0))


def test_trailing_unit_axis_dropped():
    model = _model((4,))
    x = np.ones((3, 4, 1), np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.full((3, 2), 4.0))


def test_other_ranks_still_fail():
    model = _model((5, 3, 1))
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(np.ones((2, 5), np.float32), verbose=0)
