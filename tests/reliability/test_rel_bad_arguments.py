"""Invalid arguments are refused at the call with a ValueError/TypeError naming the argument and
the value (they used to train to NaN, compute nonsense or fail later with unrelated errors)."""
import os

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import layers

HERE = os.path.basename(__file__)


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def _model():
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    m.compile("sgd", "mse")
    return m


def test_optimizer_with_learning_rate_none():
    with tf.Graph().as_default():
        w = tf.Variable(1.0)
        loss = tf.square(w)
        with pytest.raises(ValueError, match="AdamOptimizer.*learning_rate.*None") as info:
            tf.train.AdamOptimizer(None).minimize(loss)
        assert HERE in str(info.value)
        with pytest.raises(ValueError, match="learning_rate"):
            tf.train.GradientDescentOptimizer(None).minimize(loss)


@pytest.mark.parametrize("make, arg", [
    (lambda: layers.Conv2D(4, kernel_size=0), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, strides=(1, -1)), "strides"),
    (lambda: layers.MaxPooling2D(pool_size=0), "pool_size"),
])
def test_non_positive_conv_and_pool_sizes(make, arg):
    with pytest.raises(ValueError, match="`%s`.*value > 0" % arg):
        make()


def test_reshape_to_a_different_size_fails_when_built():
    with pytest.raises(ValueError, match=r"total size of new array must be unchanged, "
                                         r"input_shape = \[6\], output_shape = \[4, 2\]"):
        keras.Sequential([keras.Input((6,)), layers.Reshape((4, 2))])
    with pytest.raises(ValueError, match="total size"):
        keras.Sequential([keras.Input((7,)), layers.Reshape((-1, 2))])
    assert keras.Sequential([keras.Input((6,)), layers.Reshape((-1, 2))]).output_shape == \
        (None, 3, 2)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_zero_rows(call):
    m = _model()
    x, y = np.zeros((0, 3), np.float32), np.zeros((0, 2), np.float32)
    with pytest.raises(ValueError, match="`%s\\(\\)` received empty input data" % call):
        if call == "predict":
            m.predict(x, verbose=0)
        else:
            getattr(m, call)(x, y, verbose=0)


@pytest.mark.parametrize("bad", [0, -2, 2.5, True])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_bad_batch_size(call, bad):
    m = _model()
    w0 = [w.copy() for w in m.get_weights()]
    x, y = np.ones((4, 3), np.float32), np.ones((4, 2), np.float32)
    with pytest.raises(ValueError, match="`batch_size`.*batch_size=%r" % bad):
        if call == "predict":
            m.predict(x, batch_size=bad, verbose=0)
        else:
            getattr(m, call)(x, y, batch_size=bad, verbose=0)
    for a, b in zip(m.get_weights(), w0):
        np.testing.assert_array_equal(a, b)


def test_predict_of_none_and_of_objects_holding_none():
    m = _model()
    with pytest.raises(ValueError, match="Argument `x` is None"):
        m.predict(None, verbose=0)
    x = np.array([[1.0, None, 2.0]], dtype=object)
    with pytest.raises(TypeError, match="holds None"):
        m.predict(x, verbose=0)
