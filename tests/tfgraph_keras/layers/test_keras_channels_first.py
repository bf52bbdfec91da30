"""data_format="channels_first" on the conv/pool/reshaping layers and
keras.config.set_image_data_format, against Keras 3.15
(tests/reference/make_keras_channels_first.py wrote tests/data/keras_channels_first.npz)."""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph_keras as keras
from tests.tfgraph_keras.layers.layer_check import check_gradients
from tfgraph_keras import backend, layers

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference"))
import make_keras_channels_first as ref_models  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "keras_channels_first.npz")
RNG = np.random.RandomState(5)


@pytest.fixture(scope="module")
def ref():
    with np.load(DATA) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.set_image_data_format("channels_last")
    backend.clear_session()


def _set_weights(model):
    rng = np.random.RandomState(7)
    model.set_weights([np.asarray(rng.randn(*w.shape.as_list()) * 0.5, np.float32)
                       for w in model.weights])


def _formats(model):
    return [layer.get_config().get("data_format") for layer in model.layers]


@pytest.mark.parametrize("name", ref_models.CASES)
def test_layers_match_keras(ref, name):
    model = getattr(ref_models, "build_" + name)(keras)
    assert [w.shape.as_list() for w in model.weights] == json.loads(
        str(ref[name + "_weight_shapes"]))
    names = [n for n in ref if n.startswith(name + "_y")]
    assert len(model.outputs) == len(names)
    # Keras's functional model.layers lists the InputLayer first (config without data_format)
    assert [None] + [f for f in _formats(model) if f is not None] == json.loads(
        str(ref[name + "_formats"]))
    _set_weights(model)
    got = model.predict(ref[name + "_x"], verbose=0)
    for i, g in enumerate(got):
        want = ref["%s_y%d" % (name, i)]
        assert g.shape == want.shape, (i, g.shape, want.shape)
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-5, err_msg="output %d" % i)
        assert tuple(model.outputs[i].shape.as_list()[1:]) == want.shape[1:]


def test_set_image_data_format_builds_channels_first_layers_and_trains(ref):
    keras.config.set_image_data_format("channels_first")
    try:
        model = ref_models.build_default_cnn(keras)
    finally:
        keras.config.set_image_data_format("channels_last")
    assert _formats(model) == json.loads(str(ref["default_formats"]))
    _set_weights(model)
    x, y = ref["default_x"], ref["default_y"]
    np.testing.assert_allclose(model.predict(x, verbose=0), ref["default_pred"], rtol=1e-5,
                               atol=1e-5)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    hist = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], ref["default_losses"], rtol=1e-4)
    np.testing.assert_allclose(model.predict(x, verbose=0), ref["default_pred_after"], rtol=1e-4,
                               atol=1e-4)


def test_channels_first_equals_transposed_channels_last():
    """The numpy view: a channels_first layer is its channels_last twin between transposes."""
    x = RNG.randn(2, 3, 5, 4).astype(np.float32)
    first = layers.Conv2D(2, 3, padding="same", data_format="channels_first")
    last = layers.Conv2D(2, 3, padding="same")
    y_first = first(x)
    last(np.transpose(x, (0, 2, 3, 1)))
    last.set_weights(first.get_weights())
    np.testing.assert_allclose(y_first, np.transpose(last(np.transpose(x, (0, 2, 3, 1))),
                                                     (0, 3, 1, 2)), rtol=1e-6, atol=1e-6)
    assert first.kernel.shape.as_list() == [3, 3, 3, 2]  # the kernel layout is Keras's either way


def test_channels_first_input_spec_checks_the_channel_axis():
    layer = layers.Conv2D(2, 3, data_format="channels_first")
    layer(keras.Input((3, 8, 8)))
    with pytest.raises(ValueError, match="expected axis 1 of input shape to have value 3"):
        layer(keras.Input((4, 8, 8)))


def test_gradients_channels_first():
    check_gradients(layers.Conv2D(2, 2, strides=2, data_format="channels_first", dtype="float64"),
                    RNG.randn(2, 3, 4, 5))
    check_gradients(layers.MaxPooling2D(data_format="channels_first", dtype="float64"),
                    RNG.randn(1, 2, 4, 4))
    check_gradients(layers.Conv1D(2, 2, data_format="channels_first", dtype="float64"),
                    RNG.randn(2, 3, 5))


def test_bad_data_format_names_the_argument():
    for cls in (layers.Conv2D, layers.MaxPooling2D, layers.Flatten, layers.ZeroPadding3D):
        with pytest.raises(ValueError, match="data_format=NCHW_"):
            if cls is layers.Conv2D:
                cls(2, 3, data_format="NCHW_")
            else:
                cls(data_format="NCHW_")


def test_keras1_dim_ordering_th_is_channels_first():
    with pytest.warns(DeprecationWarning):
        layer = layers.Conv2D(2, 3, dim_ordering="th")
    assert layer.data_format == "channels_first"
    assert layer(keras.Input((3, 6, 6))).shape.as_list() == [None, 2, 4, 4]
