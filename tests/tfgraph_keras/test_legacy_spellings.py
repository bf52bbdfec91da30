"""Keras 1 spellings (as Keras 2.0-2.3's legacy interfaces accepted them): each maps onto the
modern argument with a one-time DeprecationWarning naming it; unknown arguments still fail."""
import warnings

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import _legacy, layers
from tfgraph_keras import backend as K


@pytest.fixture(autouse=True)
def _fresh():
    K.clear_session()
    _legacy._WARNED.clear()
    yield
    K.clear_session()


def _deprecations(record):
    return [str(w.message) for w in record if issubclass(w.category, DeprecationWarning)]


def test_convolution2d_keras1_positional_kernel_and_renamed_kwargs():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        conv = layers.Convolution2D(8, 3, 2, border_mode="same", subsample=(2, 1),
                                    init="zeros", W_regularizer=keras.regularizers.l2(0.1),
                                    b_regularizer="l1", bias=True, dim_ordering="tf",
                                    input_shape=(6, 5, 2))
    assert type(conv) is layers.Conv2D  # saved as Keras saves it
    assert conv.kernel_size == (3, 2) and conv.strides == (2, 1) and conv.padding == "same"
    msgs = _deprecations(rec)
    assert any("Conv2D(filters, (rows, cols))" in m for m in msgs)
    for old, new in (("border_mode", "padding"), ("subsample", "strides"),
                     ("init", "kernel_initializer"), ("W_regularizer", "kernel_regularizer"),
                     ("b_regularizer", "bias_regularizer"), ("dim_ordering", "data_format")):
        assert any("Conv2D(%s=...)" % old in m and "Conv2D(%s=...)" % new in m for m in msgs)
    model = keras.Sequential([conv])
    out = model.predict(np.ones((1, 6, 5, 2), np.float32), verbose=0)
    assert out.shape == (1, 3, 5, 8) and not out.any()  # init="zeros" reached the kernel
    assert len(model.losses) == 2  # both regularizers
    # the same spelling warns only once per process
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        layers.Convolution2D(4, 3, 3, border_mode="valid")
    assert not _deprecations(rec)


def test_conv_keyword_forms_and_modern_positional_meaning():
    with pytest.warns(DeprecationWarning):
        c = layers.Conv2D(nb_filter=4, nb_row=2, nb_col=3)
    assert c.filters == 4 and c.kernel_size == (2, 3)
    assert layers.Convolution2D(4, 5, nb_col=1).kernel_size == (5, 1)
    # Conv2D keeps the Keras 2 (tf_keras) / Keras 3 meaning: the third argument is strides
    c = layers.Conv2D(4, 3, 2)
    assert c.kernel_size == (3, 3) and c.strides == (2, 2)
    assert layers.Convolution2D(4, (3, 3)).kernel_size == (3, 3)
    with pytest.warns(DeprecationWarning):
        c1 = layers.Convolution1D(nb_filter=3, filter_length=5, subsample_length=2,
                                  border_mode="same")
    assert (c1.filters, c1.kernel_size, c1.strides, c1.padding) == (3, (5,), (2,), "same")
    with pytest.raises(ValueError, match="Pass `strides` as a keyword"):
        layers.Convolution2D(4, 3, 3, strides=2)
    with pytest.raises(TypeError, match="at most 3 positional"):
        layers.Convolution2D(4, 3, 3, "zeros")
    with pytest.raises(TypeError, match="both the Keras 1 argument `init`"):
        layers.Conv2D(4, 3, init="zeros", kernel_initializer="ones")
    with pytest.raises(TypeError, match="Keyword argument not understood: 'nb_filters'"):
        layers.Conv2D(4, 3, nb_filters=3)


def test_dense_and_pooling_keras1_arguments():
    with pytest.warns(DeprecationWarning, match="kernel_initializer"):
        d = layers.Dense(3, init="ones", bias=False, W_regularizer="l2", input_shape=(2,))
    m = keras.Sequential([d])
    np.testing.assert_allclose(m.predict(np.array([[1.0, 2.0]]), verbose=0), [[3.0, 3.0, 3.0]])
    assert len(d.weights) == 1 and len(m.losses) == 1
    with pytest.warns(DeprecationWarning, match="padding"):
        p = layers.MaxPooling2D((2, 2), border_mode="same", dim_ordering="default")
    assert p.padding == "same"
    with pytest.warns(DeprecationWarning):
        p1 = layers.MaxPooling1D(pool_length=3, stride=1)
    assert p1.pool_size == (3,) and p1.strides == (1,)
    with pytest.raises(TypeError, match="Keyword argument not understood: 'W_regulariser'"):
        layers.Dense(3, W_regulariser="l2")


def _model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _gen(x, y, batch):
    while True:
        for i in range(0, len(x), batch):
            yield x[i:i + batch], y[i:i + batch]


def test_generator_methods_keras2_positions_and_keras1_names():
    rng = np.random.RandomState(0)
    x, y = rng.randn(8, 4).astype(np.float32), rng.randint(0, 3, 8)
    model = _model()
    with pytest.warns(DeprecationWarning):
        hist = model.fit_generator(_gen(x, y, 4), 2, 3, verbose=0)  # steps_per_epoch, epochs
    assert len(hist.history["loss"]) == 3
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        hist = model.fit_generator(_gen(x, y, 4), samples_per_epoch=2, nb_epoch=2, verbose=0,
                                   nb_val_samples=1, validation_data=_gen(x, y, 4),
                                   nb_worker=1, pickle_safe=False)
    assert len(hist.history["val_loss"]) == 2
    msgs = [str(w.message) for w in rec]
    assert any("fit_generator(nb_epoch=...)" in m and "epochs" in m for m in msgs)
    assert any("counts batches" in m for m in msgs)
    res = model.evaluate_generator(_gen(x, y, 4), val_samples=2)
    assert model.metrics_names == ["loss", "accuracy"]
    np.testing.assert_allclose(res, model.evaluate(x, y, verbose=0), rtol=1e-5)
    pred = model.predict_generator(_gen(x, y, 4), 2)
    np.testing.assert_allclose(pred, model.predict(x, verbose=0), rtol=1e-5)
    with pytest.raises(TypeError, match="Invalid keyword"):
        model.predict_generator(_gen(x, y, 4), 2, bogus=1)
    with pytest.warns(DeprecationWarning):
        classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes, pred.argmax(-1))
    with pytest.warns(DeprecationWarning):
        model.fit(x, y, nb_epoch=1, verbose=0)


def test_np_utils_module_spelling():
    with pytest.warns(DeprecationWarning, match="keras.utils.to_categorical"):
        from tfgraph_keras.utils.np_utils import to_categorical
    np.testing.assert_array_equal(to_categorical([1, 0], 2), [[0, 1], [1, 0]])
    from tfgraph_keras.utils import np_utils
    assert np_utils.normalize is keras.utils.normalize
    with pytest.raises(AttributeError, match="probas_to_classes"):
        getattr(np_utils, "probas_to_classes")  # noqa: B009 - the attribute lookup is the test


def test_keras1_merge_and_keras2_merge_module():
    a, b = keras.Input((3,)), keras.Input((3,))
    xa = np.array([[1.0, 2.0, 3.0]], np.float32)
    xb = np.array([[4.0, 5.0, -6.0]], np.float32)
    want = {"sum": xa + xb, "mul": xa * xb, "ave": (xa + xb) / 2, "max": np.maximum(xa, xb),
            "concat": np.concatenate([xa, xb], -1), "dot": (xa * xb).sum(-1, keepdims=True),
            "cos": ((xa * xb).sum(-1) / np.linalg.norm(xa) / np.linalg.norm(xb))[:, None]}
    for mode, expected in want.items():
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            out = layers.merge([a, b], mode=mode)
        assert any("merge(mode=%r)" % mode in m for m in _deprecations(rec))
        got = keras.Model([a, b], out).predict([xa, xb], verbose=0)
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="Lambda"):
        layers.merge([a, b], mode=lambda t: t[0])
    from tfgraph_keras.layers.merge import Concatenate, concatenate
    assert keras.layers.merge.concatenate is concatenate is layers.concatenate
    assert Concatenate is layers.Concatenate
    with pytest.warns(DeprecationWarning, match="rate"):
        assert layers.Dropout(p=0.3).rate == 0.3


def test_model_input_output_keras1_names():
    a = keras.Input((2,))
    b = layers.Dense(3)(a)
    with pytest.warns(DeprecationWarning, match="Model\\(inputs=...\\)"):
        model = keras.Model(input=a, output=b)
    assert model.inputs == [a] and model.outputs == [b]
    with pytest.raises(TypeError, match="both the Keras 1 argument `input`"):
        keras.Model(input=a, inputs=a, outputs=b)
