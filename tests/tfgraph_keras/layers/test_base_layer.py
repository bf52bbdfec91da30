import numpy as np
import pytest

import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.input_layer import Input


class TinyDense(Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), regularizer="l2")
        self.bias = self.add_weight("bias", (self.units,), initializer="zeros")

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.bias

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def test_names_weights_and_symbolic_call():
    x = Input((3,))
    d = TinyDense(2)
    y = d(x)
    assert d.name == "tiny_dense" and TinyDense(1).name == "tiny_dense_1"
    assert [w.name for w in d.weights] == ["tiny_dense/kernel:0", "tiny_dense/bias:0"]
    assert y.shape.as_list() == [None, 2] and y._keras_history[0] is d
    assert d.input_shape == (None, 3) and d.output_shape == (None, 2) and d.count_params() == 8
    assert len(d.losses) == 1


def test_numpy_call_matches_weights_and_set_weights():
    d = TinyDense(2)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    d(x)
    k = np.arange(6, dtype=np.float32).reshape(3, 2)
    d.set_weights([k, np.ones(2)])
    np.testing.assert_allclose(d(x), x @ k + 1)
    assert [w.shape for w in d.get_weights()] == [(3, 2), (2,)]
    with pytest.raises(ValueError, match="expecting 2 weights"):
        d.set_weights([k])


def test_wrong_input_shape_names_layer():
    d = TinyDense(2, name="head")
    d(Input((3,)))
    with pytest.raises(ValueError, match=r'layer "head".*value 3.*\(None, 4\)'):
        d(Input((4,)))


def test_trainable_flag_moves_weights():
    d = TinyDense(2)
    d(Input((3,)))
    d.trainable = False
    assert d.trainable_weights == [] and len(d.non_trainable_weights) == 2


def test_unknown_kwarg_and_input_dim():
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        TinyDense(2, foo=1)
    assert TinyDense(2, input_dim=5)._batch_input_shape == (None, 5)
    assert TinyDense.from_config(TinyDense(3, name="z").get_config()).units == 3


def test_training_phase_reaches_call():
    seen = []

    class Probe(Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return backend.in_train_phase(inputs * 2.0, inputs, training)

    p = Probe()
    y = p(Input((2,)))
    assert isinstance(seen[0], tf.Tensor)
    sess = backend.get_session()
    x = np.ones((1, 2), np.float32)
    inp = p.input
    np.testing.assert_allclose(sess.run(y, {inp: x}), x)
    np.testing.assert_allclose(sess.run(y, {inp: x, backend.learning_phase(): True}), 2 * x)
    np.testing.assert_allclose(p(x, training=True), 2 * x)
