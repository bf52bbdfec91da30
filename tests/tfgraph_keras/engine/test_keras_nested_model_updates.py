"""A model with BatchNormalization called on new inputs inside another model (transfer learning):
fit runs only the updates of that call, as Keras 3 does: the moving statistics move when the base
is trainable and called in training mode, and stay when it is frozen or called training=False.
(Before, fit also ran the updates of the base's own first call and asked for its placeholder.)"""
import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import backend, layers


@pytest.mark.parametrize("frozen,training,moves", [
    (False, None, True), (False, False, False), (True, None, False), (True, False, False)])
def test_nested_batchnorm_updates(frozen, training, moves):
    backend.clear_session()
    i = keras.Input((4,))
    bn = layers.BatchNormalization()
    base = keras.Model(i, layers.Dense(3)(bn(i)))
    base.trainable = not frozen
    j = keras.Input((4,))
    h = base(j) if training is None else base(j, training=training)
    model = keras.Model(j, layers.Dense(2)(h))
    model.compile("sgd", "mse")
    x = np.random.RandomState(0).rand(8, 4).astype(np.float32) + 1.0
    model.fit(x, np.ones((8, 2)), batch_size=8, epochs=1, verbose=0)
    mean = backend.get_value(bn.moving_mean)
    if moves:  # one update with momentum 0.99 from zeros: 0.01 * batch mean
        np.testing.assert_allclose(mean, 0.01 * x.mean(0), rtol=1e-5)
    else:
        np.testing.assert_array_equal(mean, np.zeros(4, np.float32))
    assert len(model.trainable_weights) == (2 if frozen else 6)
