"""Sequential and functional models: construction, layers, nesting, weights, summary, config."""
import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import layers


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def test_sequential_add_pop_and_input_shape_on_first_layer():
    model = keras.Sequential()
    model.add(layers.Dense(4, input_shape=(3,)))
    model.add(layers.Dense(2))
    assert [lay.name for lay in model.layers] == ["dense", "dense_1"]
    assert model.output_shape == (None, 2) and model.input_shape == (None, 3)
    assert model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    popped = model.pop()
    assert popped.name == "dense_1" and model.output_shape == (None, 4)
    assert model.get_layer("dense") is model.layers[0] and model.get_layer(index=0).name == "dense"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_sequential_without_input_builds_on_first_data():
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.outputs
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 5)), np.ones((4, 1)), verbose=0)
    assert model.input_shape == (None, 5)
    assert model.predict(np.ones((2, 5)), verbose=0).shape == (2, 1)


def test_weights_hold_values_once_the_model_is_built():
    """As in Keras 3, a built model's weights have their initial values before any fit: the
    session reads them without running an initializer first."""
    x = keras.Input((3,))
    functional = keras.Model(x, layers.Dense(2)(layers.Dense(4)(x)))
    stacked = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    stacked.add(layers.BatchNormalization())
    sess = keras.backend.get_session()
    for model in (functional, stacked):
        values = sess.run([w.value() for w in model.weights])
        assert [v.shape for v in values] == [tuple(w.shape.as_list()) for w in model.weights]
    np.testing.assert_array_equal(values[-1], np.ones(2))   # moving_variance starts at 1


def test_functional_shared_layer_and_nested_model():
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    a, b = keras.Input((3,)), keras.Input((3,))
    out = layers.Add()([inner(a), inner(b)])
    model = keras.Model([a, b], out)
    assert len(model.weights) == 2  # shared: one kernel, one bias
    xa, xb = np.random.rand(4, 3).astype(np.float32), np.random.rand(4, 3).astype(np.float32)
    k, bias = inner.get_weights()
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0),
                               xa @ k + bias + xb @ k + bias, rtol=1e-5)
    assert model.get_layer("inner") is inner
    seq = keras.Sequential([keras.Input((3,)), inner, layers.Dense(1)])
    assert seq.predict(xa, verbose=0).shape == (4, 1)


def test_get_set_weights_roundtrip_and_errors():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    w = [np.arange(6, dtype=np.float32).reshape(3, 2), np.ones(2, np.float32)]
    model.set_weights(w)
    for a, b in zip(model.get_weights(), w):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        model.set_weights(w[:1])


def test_model_trainable_flag_freezes_all_layers():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    model.trainable = True
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2


def test_summary_sequential_text():
    model = keras.Sequential([keras.Input((784,)), layers.Dense(512, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(10)], name="mlp")
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[:4] == ['Model: "mlp"', "_" * 65,
                         " Layer (type)                Output Shape              Param #   ",
                         "=" * 65]
    assert lines[4] == " dense (Dense)               (None, 512)               401920    "
    assert lines[5] == " " * 65
    assert lines[-4:] == ["Total params: 407,050", "Trainable params: 407,050",
                          "Non-trainable params: 0", "_" * 65]


def test_summary_functional_has_connected_to():
    a = keras.Input((3,), name="a")
    h = layers.Dense(2, name="d")(a)
    out = layers.Concatenate(name="cat")([h, a])
    model = keras.Model(a, out)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Connected to" in lines[2] and len(lines[1]) == 98
    assert any(line.startswith(" cat (Concatenate)") and "d[0][0]" in line for line in lines)
    assert any(line.strip() == "a[0][0]" for line in lines)


def test_graph_disconnected_error():
    a, b = keras.Input((3,)), keras.Input((3,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)


def test_wrong_input_shape_on_layer_call_names_the_layer():
    x = keras.Input((5,))
    dense = layers.Dense(3, name="fc")
    dense(keras.Input((4,)))
    with pytest.raises(ValueError, match=r'(?s)layer "fc".*4.*\(None, 5\)'):
        dense(x)

    class Bare(layers.Layer):  # no InputSpec: the op's shape error is wrapped with the layer name
        def build(self, input_shape):
            self.k = self.add_weight("k", (input_shape[-1], 2))

        def call(self, inputs):
            import tfgraph as tf
            return tf.matmul(inputs, self.k)
    bare = Bare(name="bare")
    bare(keras.Input((4,)))
    with pytest.raises(ValueError, match=r'(?s)calling layer "bare" \(type Bare\).*5 and 4.*'
                                         r'inputs shape=\(None, 5\)'):
        bare(x)


def test_subclassed_model_trains():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = layers.Dense(8, activation="relu")
            self.d2 = layers.Dense(1)

        def call(self, inputs, training=None):
            return self.d2(self.d1(inputs))

    keras.utils.set_random_seed(0)   # unseeded, some initial draws fell short of the 5x
    model = Net()
    model.compile(keras.optimizers.Adam(0.01), "mse")
    x = np.random.RandomState(0).rand(64, 2).astype(np.float32)
    y = x.sum(1, keepdims=True)
    hist = model.fit(x, y, epochs=20, verbose=0)
    assert hist.history["loss"][-1] < 0.2 * hist.history["loss"][0]
    assert len(model.trainable_weights) == 4 and model.name == "net"


def test_functional_config_roundtrip():
    a = keras.Input((3,), name="a")
    shared = layers.Dense(3, name="shared")
    out = layers.Dense(1, name="out")(shared(shared(a)))
    model = keras.Model(a, out, name="m")
    config = model.get_config()
    assert [entry["name"] for entry in config["layers"]] == ["a", "shared", "out"]
    assert config["layers"][1]["inbound_nodes"] == [[["a", 0, 0, {}]], [["shared", 0, 0, {}]]]
    clone = keras.Model.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.random.rand(2, 3).astype(np.float32)
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_outputs_of_a_shared_layer_get_keras2_names_and_their_own_losses():
    """Keras 2 names them dense, dense_1 (Keras 3 repeats `dense` and loses a loss)."""
    a, b = keras.Input((3,)), keras.Input((3,))
    shared = layers.Dense(1, name="dense", kernel_initializer="ones")
    model = keras.Model([a, b], [shared(a), shared(b), layers.Dense(1, name="dense_1")(a)])
    assert model.output_names == ["dense", "dense_1", "dense_1_1"]
    model.compile("sgd", "mse")
    x = np.ones((4, 3), np.float32)
    ys = [np.zeros((4, 1)), np.full((4, 1), 3.0), np.zeros((4, 1))]
    model.layers[-1].set_weights([np.zeros((3, 1)), np.zeros(1)])
    hist = model.fit([x, 2 * x], ys, epochs=1, verbose=0, shuffle=False)
    assert set(hist.history) == {"loss", "dense_loss", "dense_1_loss", "dense_1_1_loss"}
    np.testing.assert_allclose(hist.history["dense_loss"][0], 9.0, rtol=1e-6)   # (3 - 0)^2
    np.testing.assert_allclose(hist.history["dense_1_loss"][0], 9.0, rtol=1e-6)  # (6 - 3)^2
    assert model.metrics_names == ["loss", "dense_loss", "dense_1_loss", "dense_1_1_loss"]


def test_summary_of_an_unbuilt_model_says_so():
    """As Keras 3 ('?' and '0 (unbuilt)' per layer), in Keras 2's narrower table; was
    'multiple' and 0, and an empty table for a subclassed model."""
    model = keras.Sequential([layers.Dense(4, name="d1"), layers.Dense(2, name="d2")])
    lines = []
    model.summary(print_fn=lines.append)
    rows = [line for line in lines if line.startswith(" d")]
    assert [row.split() for row in rows] == [["d1", "(Dense)", "?", "unbuilt"],
                                             ["d2", "(Dense)", "?", "unbuilt"]]
    assert "not built" in lines[-1] and "multiple" not in "".join(lines)

    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = layers.Dense(3, name="inner")

        def call(self, x):
            return self.dense(x)
    lines = []
    Net().summary(print_fn=lines.append)
    assert any(line.startswith(" inner (Dense)") and "unbuilt" in line for line in lines)
    model.build((None, 5))
    lines = []
    model.summary(print_fn=lines.append)
    assert "unbuilt" not in "".join(lines) and "Total params: 34" in lines
