"""compile/fit/evaluate/predict: numbers against numpy, data handling, progress output, errors."""
import warnings

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


def _linear_model(units=1, lr=0.1, loss="mse", metrics=None, optimizer=None):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(units, kernel_initializer="zeros")])
    model.compile(optimizer or keras.optimizers.SGD(lr), loss, metrics=metrics)
    return model


def _data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
    return x, y


def test_sgd_step_matches_numpy_gradient_descent():
    x, y = _data(8)
    model = _linear_model()
    w, b = np.zeros((3, 1), np.float32), np.zeros(1, np.float32)
    for _ in range(3):
        loss = model.train_on_batch(x, y)
        err = x @ w + b - y
        assert loss == pytest.approx(float(np.mean(err ** 2)), rel=1e-5)
        w -= 0.1 * (2 * x.T @ err / len(x))
        b -= 0.1 * (2 * err.mean(0))
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)


def test_fit_learns_and_history_keys():
    x, y = _data()
    model = _linear_model(metrics=["mae"])
    hist = model.fit(x, y, batch_size=16, epochs=30, verbose=0, validation_split=0.25)
    assert set(hist.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert len(hist.history["loss"]) == 30 and hist.epoch == list(range(30))
    assert hist.history["loss"][-1] < 0.01 * hist.history["loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss < 1e-4 and mae < 1e-2


def test_epoch_loss_is_batch_size_weighted_mean_and_eval_matches():
    x, y = _data(10)
    model = _linear_model(lr=0.0)
    hist = model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    expected = float(np.mean((y - 0.0) ** 2))
    assert hist.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y, batch_size=3, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_validation_split_takes_the_last_fraction():
    x, y = _data(10)
    model = _linear_model(lr=0.0)
    hist = model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_split=0.3)
    assert hist.history["val_loss"][0] == pytest.approx(float(np.mean(y[7:] ** 2)), rel=1e-5)
    assert hist.history["loss"][0] == pytest.approx(float(np.mean(y[:7] ** 2)), rel=1e-5)


def test_sample_weight_and_class_weight():
    x, y = _data(6)
    model = _linear_model(lr=0.0)
    sw = np.array([1, 0, 0, 2, 0, 1], np.float32)
    got = model.evaluate(x, y, sample_weight=sw, verbose=0)
    assert got == pytest.approx(float(np.sum(sw * y[:, 0] ** 2) / 6), rel=1e-5)
    clf = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax",
                                                            kernel_initializer="zeros")])
    clf.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    labels = np.array([0, 1, 1, 0, 1, 1])
    hist = clf.fit(x, labels, class_weight={0: 3.0, 1: 0.0}, verbose=0, batch_size=6)
    assert hist.history["loss"][0] == pytest.approx(3.0 * 2 * np.log(2) / 6, rel=1e-5)


def test_accuracy_resolution_follows_the_loss():
    x = np.random.RandomState(1).randn(20, 3).astype(np.float32)
    labels = (x[:, 0] > 0).astype(np.int64)
    for loss, y, units, act in [("sparse_categorical_crossentropy", labels, 2, "softmax"),
                                ("categorical_crossentropy", np.eye(2)[labels], 2, "softmax"),
                                ("binary_crossentropy", labels.astype(np.float32), 1, "sigmoid")]:
        keras.backend.clear_session()
        model = keras.Sequential([keras.Input((3,)), layers.Dense(units, activation=act)])
        model.compile("adam", loss, metrics=["accuracy"])
        p = model.predict(x, verbose=0)
        pred = p.argmax(-1) if units > 1 else (p[:, 0] > 0.5)
        _, acc = model.evaluate(x, y, verbose=0)
        assert acc == pytest.approx(float(np.mean(pred == labels)))


def test_acc_alias_and_old_history_keys():
    x, y = _data(16)
    model = _linear_model(metrics=["accuracy"])
    hist = model.fit(x, (y > 0).astype(np.float32), epochs=1, verbose=0, validation_split=0.5)
    with pytest.warns(DeprecationWarning):
        assert hist.history["acc"] == hist.history["accuracy"]
    with pytest.warns(DeprecationWarning):
        assert hist.history["val_acc"] == hist.history["val_accuracy"]


def test_predict_batches_without_rebuilding_the_graph():
    x, _ = _data(70)
    model = _linear_model()
    model.set_weights([np.ones((3, 1), np.float32), np.zeros(1, np.float32)])
    p1 = model.predict(x, batch_size=32, verbose=0)
    n_ops = len(tf.get_default_graph().get_operations())
    p2 = model.predict(x[:5], verbose=0)
    np.testing.assert_allclose(model(x[:5]), p2, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), p2, rtol=1e-6)
    assert len(tf.get_default_graph().get_operations()) == n_ops
    np.testing.assert_allclose(p1, x.sum(1, keepdims=True), rtol=1e-5)
    assert p1.shape == (70, 1)


def test_generators_and_sequence():
    x, y = _data(32)

    class Seq(keras.utils.Sequence):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    def gen():
        while True:
            for i in range(4):
                yield x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]
    model = _linear_model(lr=0.05)
    h1 = model.fit(Seq(), epochs=3, verbose=0)
    h2 = model.fit(gen(), steps_per_epoch=4, epochs=3, verbose=0, validation_data=Seq())
    assert h2.history["loss"][-1] < h1.history["loss"][0]
    assert "val_loss" in h2.history
    assert model.predict(Seq(), verbose=0).shape == (32, 1)
    assert model.evaluate(Seq(), verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0),
                                                             rel=1e-5)


def test_initial_epoch_and_nb_epoch():
    x, y = _data(8)
    model = _linear_model()
    assert model.fit(x, y, epochs=5, initial_epoch=3, verbose=0).epoch == [3, 4]
    with pytest.warns(DeprecationWarning):
        assert len(model.fit(x, y, nb_epoch=2, verbose=0).history["loss"]) == 2


def test_progress_output_verbose_2_and_1(capsys):
    x, y = _data(100)
    model = _linear_model(metrics=["mae"])
    model.fit(x, y, batch_size=32, epochs=2, verbose=2, validation_split=0.2)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2"
    import re
    assert re.fullmatch(r"3/3 - \d+s - \d+(ms|us|s)/step - loss: \d\.\d{4} - mae: \d\.\d{4} - "
                        r"val_loss: \d\.\d{4} - val_mae: \d\.\d{4}", out[1]), out[1]
    model.fit(x, y, batch_size=32, epochs=1, verbose=1)
    raw = capsys.readouterr().out
    assert "Epoch" not in raw  # only printed when epochs > 1
    final = raw.split("\r")[-1]
    assert final.startswith("\x1b[1m4/4\x1b[0m \x1b[32m" + "\u2501" * 20 + "\x1b[0m\x1b[37m\x1b[0m")
    assert final.endswith("\n") and " - loss: " in final and " - mae: " in final
    model.predict(x, verbose=1)
    assert "\x1b[1m4/4\x1b[0m" in capsys.readouterr().out


def test_multi_input_multi_output_model_with_loss_weights():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    h = layers.concatenate([shared(layers.Dense(4, name="pa")(a)),
                            shared(layers.Dense(4, name="pb")(b))])
    out1 = layers.Dense(1, name="reg")(h)
    out2 = layers.Dense(3, activation="softmax", name="cls")(h)
    model = keras.Model([a, b], [out1, out2])
    model.compile("adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"]})
    rng = np.random.RandomState(0)
    xa, xb = rng.randn(20, 2).astype(np.float32), rng.randn(20, 3).astype(np.float32)
    y1, y2 = rng.randn(20, 1).astype(np.float32), rng.randint(0, 3, 20)
    hist = model.fit({"a": xa, "b": xb}, {"reg": y1, "cls": y2}, epochs=2, verbose=0)
    assert set(hist.history) == {"loss", "reg_loss", "cls_loss", "cls_accuracy"}
    loss, reg_loss, cls_loss, acc = model.evaluate([xa, xb], [y1, y2], verbose=0)
    assert loss == pytest.approx(0.5 * reg_loss + 2.0 * cls_loss, rel=1e-5)
    p1, p2 = model.predict([xa, xb], verbose=0)
    assert reg_loss == pytest.approx(float(np.mean((p1 - y1) ** 2)), rel=1e-4)
    assert acc == pytest.approx(float(np.mean(p2.argmax(-1) == y2)))


def test_regularization_loss_is_added():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(
        1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.l2(0.1))])
    model.compile("sgd", "mse")
    x = np.zeros((4, 3), np.float32)
    assert model.evaluate(x, np.zeros((4, 1)), verbose=0) == pytest.approx(0.3, rel=1e-5)


def test_freezing_takes_effect_after_recompile():
    x, y = _data(16)
    model = _linear_model()
    dense = model.layers[0]
    dense.trainable = False
    model.compile(keras.optimizers.SGD(0.1), "mse")
    before = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    dense.trainable = True
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(before[0], model.get_weights()[0])


def test_dropout_is_active_only_in_training():
    model = keras.Sequential([keras.Input((100,)), layers.Dropout(0.5)])
    model.compile("sgd", "mse")
    x = np.ones((4, 100), np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    out = model(x, training=True)
    assert 0.2 < np.mean(out == 0) < 0.8


def test_predict_classes_is_deprecated():
    model = _linear_model(units=3)
    model.set_weights([np.eye(3, dtype=np.float32), np.zeros(3, np.float32)])
    with pytest.warns(DeprecationWarning):
        np.testing.assert_array_equal(model.predict_classes(np.eye(3)[[2, 0]]), [2, 0])


def test_errors_are_keras_style():
    x, y = _data(8)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(10, activation="softmax",
                                                              name="head")])
    with pytest.raises(RuntimeError, match="You must compile your model before training"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamm'"):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="Unknown loss function: 'msee'"):
        model.compile("adam", "msee")
    with pytest.raises(ValueError, match="Unknown metric function: 'accurracy'"):
        model.compile("adam", "mse", metrics=["accurracy"])
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"target.shape=\(None, 1\), output.shape=\(None, 10\)"):
        model.fit(x, np.zeros((8, 1)), verbose=0)
    with pytest.raises(ValueError, match=r'layer "sequential.*expected shape=\(None, 3\), '
                                         r'found shape=\(8, 4\)'):
        model.predict(np.zeros((8, 4)), verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"label value of 10 .* valid range of \[0, 10\)"):
        model.fit(x, np.arange(8) + 3, verbose=0)
    with pytest.raises(ValueError, match="rank"):
        model.fit(x, np.zeros((8, 10)), verbose=0)


def test_optimizer_old_spellings_warn():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        opt = keras.optimizers.SGD(lr=0.5, decay=0.1)
    assert any(issubclass(i.category, DeprecationWarning) for i in w)
    x, y = _data(4)
    model = _linear_model(optimizer=opt)
    model.train_on_batch(x, y)
    assert keras.backend.get_value(model.optimizer.learning_rate) == pytest.approx(0.5)
    assert keras.backend.get_value(model.optimizer.iterations) == 1


def test_layer_updates_run_in_fit_only():
    model = keras.Sequential([keras.Input((3,)), layers.BatchNormalization(momentum=0.5)])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    x = np.random.RandomState(0).randn(16, 3).astype(np.float32) + 4.0
    model.evaluate(x, np.zeros((16, 3)), verbose=0)
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(model.get_weights()[2], np.zeros(3))  # moving mean untouched
    model.fit(x, np.zeros((16, 3)), batch_size=16, epochs=1, verbose=0)
    np.testing.assert_allclose(model.get_weights()[2], 0.5 * x.mean(0), rtol=1e-5)


def test_backend_math_for_custom_losses_and_k_function():
    K = keras.backend

    def my_loss(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="ones"),
                              layers.Lambda(lambda z: K.clip(z, -1.0, 1.5))])
    model.compile("sgd", my_loss)
    assert model.evaluate(np.ones((4, 2)), np.zeros((4, 1)), verbose=0) == pytest.approx(2.25)
    f = K.function([model.input], [model.output])
    np.testing.assert_allclose(f([np.ones((2, 2))])[0], [[1.5], [1.5]])


@pytest.mark.parametrize("n", [1, 31, 32, 33, 70])
def test_predict_returns_fresh_float32_arrays_for_any_sample_count(n):
    # Dropout is an identity at inference: the output must still be a new array, not the input
    model = keras.Sequential([keras.Input((3,)), layers.Dropout(0.5)])
    x = np.arange(3 * n, dtype=np.float64).reshape(n, 3)
    for out in (model.predict(x, verbose=0), model.predict(x.astype(np.float32), verbose=0),
                model(x.astype(np.float32)), model.predict_on_batch(x)):
        assert out.dtype == np.float32 and out.shape == (n, 3)
        np.testing.assert_array_equal(out, x)
    x32 = x.astype(np.float32)
    out = model.predict(x32, verbose=0)
    out[:] = -1
    np.testing.assert_array_equal(x32, x)


def test_predict_of_one_tensor_fetched_twice_gives_two_arrays():
    inp = keras.Input((2,))
    out = layers.Dense(2)(inp)
    model = keras.Model(inp, [out, out])
    a, b = model.predict(np.ones((1, 2), np.float32), verbose=0)
    assert a is not b
    np.testing.assert_array_equal(a, b)


def test_predict_input_checks_still_apply():
    model = _linear_model()
    with pytest.raises(ValueError, match="expected shape=\\(None, 3\\), found shape=\\(2, 4\\)"):
        model.predict(np.zeros((2, 4), np.float32), verbose=0)
    with pytest.raises(ValueError, match="expected shape"):
        model(np.zeros((2, 3, 2), np.float32))  # (2, 3, 1) is squeezed, as in Keras 3
    fixed = keras.Sequential([keras.Input(batch_shape=(2, 3)), layers.Dense(1)])
    assert fixed.predict(np.zeros((2, 3), np.float32), verbose=0).shape == (2, 1)
    with pytest.raises(ValueError, match="expected shape=\\(2, 3\\), found shape=\\(1, 3\\)"):
        fixed(np.zeros((1, 3), np.float32))


def test_predict_and_evaluate_hooks_run_only_when_something_listens(capsys):
    calls = []

    class Recorder(keras.callbacks.Callback):
        def on_predict_begin(self, logs=None):
            calls.append("begin")

        def on_predict_batch_end(self, batch, logs=None):
            calls.append(("batch", batch, logs["outputs"][0].shape))

        def on_predict_end(self, logs=None):
            calls.append("end")

        def on_test_batch_end(self, batch, logs=None):
            calls.append(("test", batch, sorted(logs)))

    x, y = _data(70)
    model = _linear_model(metrics=["mae"])
    model.predict(x, batch_size=32, verbose=0, callbacks=[Recorder()])
    assert calls == ["begin", ("batch", 0, (32, 1)), ("batch", 1, (32, 1)),
                     ("batch", 2, (6, 1)), "end"]
    calls.clear()
    loss = model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[Recorder()])
    assert calls == [("test", i, ["loss", "mae"]) for i in range(3)]
    assert model.evaluate(x, y, batch_size=32, verbose=0) == loss
    assert capsys.readouterr().out == ""


def test_batch_logs_only_for_overriding_callbacks_and_unchanged_epoch_logs():
    x, y = _data(64)
    seen = {"old": [], "new": [], "lambda": []}

    class OldName(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen["old"].append(dict(logs))

    class NewName(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["new"].append(dict(logs))

    lam = keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen["lambda"].append(b))
    cbs = keras.callbacks.CallbackList([keras.callbacks.History(), OldName()])
    assert cbs.batch_hook("on_train_batch_begin") is None
    assert cbs.batch_hook("on_test_batch_end") is None
    assert cbs.batch_hook("on_train_batch_end") is not None
    np.random.seed(0)
    plain = _linear_model(metrics=["mae"]).fit(x, y, batch_size=16, epochs=2, verbose=0)
    keras.backend.clear_session()
    np.random.seed(0)
    hooked = _linear_model(metrics=["mae"]).fit(x, y, batch_size=16, epochs=2, verbose=0,
                                                callbacks=[OldName(), NewName(), lam])
    assert plain.history == hooked.history
    assert len(seen["old"]) == len(seen["new"]) == 8 and seen["lambda"] == [0, 1, 2, 3] * 2
    assert seen["old"][3] == {k: v[0] for k, v in hooked.history.items()}


def test_a_batch_begin_hook_can_stop_training():
    class StopAt(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = _data(64)
    model = _linear_model()
    hist = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[StopAt()])
    assert hist.epoch == [0]


def test_in_order_batches_are_views_and_shuffled_ones_cover_every_sample():
    from tfgraph_keras.engine import data
    a = np.arange(10)
    parts = [data.take([a], idx)[0] for idx in data.batch_indices(10, 4, shuffle=False)]
    assert [p.tolist() for p in parts] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(np.shares_memory(p, a) for p in parts)
    np.random.seed(0)
    shuffled = [data.take([a], idx)[0] for idx in data.batch_indices(10, 4, shuffle=True)]
    assert [len(p) for p in shuffled] == [4, 4, 2]
    assert sorted(np.concatenate(shuffled).tolist()) == list(range(10))
