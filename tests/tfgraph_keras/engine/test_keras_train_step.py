"""Keras 3 custom training steps (train_step/test_step/predict_step, compute_loss, the metrics
property, add_loss with compile() without a loss, metrics updated inside call, two optimizers in
one step) against trajectories recorded from Keras 3.15 with the same model code
(tests/reference/keras_step_models.py, make_keras_train_step.py ->
tests/data/keras_train_step.{json,npz}). Random streams differ from TensorFlow's, so the VAE and
GAN with noise are compared within noise; their deterministic variants (noise scaled by 0,
latents from the data) exactly."""
import contextlib
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import backend, ops

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import keras_step_models as ksm  # noqa: E402

DATA = os.path.join(HERE, "..", "..", "data", "keras_train_step")
with open(DATA + ".json") as _f:
    REF = json.load(_f)
ARR = dict(np.load(DATA + ".npz"))


@pytest.fixture
def m():
    backend.clear_session()
    yield ksm.build(keras, ops, tf)
    backend.clear_session()


def _set(model, weights):
    model.set_weights([np.asarray(w, np.float32) for w in weights])


def _close(got, want, rtol=2e-4, atol=1e-5, what=""):
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=rtol, atol=atol, err_msg=what)


def _history(hist, ref, **tol):
    assert sorted(hist.history) == sorted(ref["history"])
    for k, v in ref["history"].items():
        _close(hist.history[k], v, what=k, **tol)


def _vae(m, key, noise, epochs):
    ref = REF[key]
    enc, dec = m["vae_parts"](noise)
    _set(enc, ref["weights"]["encoder"])
    _set(dec, ref["weights"]["decoder"])
    vae = m["VAE"](enc, dec)
    vae.compile(optimizer=keras.optimizers.Adam(0.01))
    hist = vae.fit(ARR["vae_x"], epochs=epochs, batch_size=16, shuffle=False, verbose=0)
    return vae, enc, dec, hist, ref


def test_vae_deterministic_matches_keras_exactly(m):
    """The VAE of keras.io (Sampling layer with keras.random.normal(shape=(ops.shape(z)[0],
    dim)), train_step with a tape, three Mean trackers in `metrics`), its noise scaled by 0."""
    vae, enc, dec, hist, ref = _vae(m, "vae_det", 0.0, 3)
    _history(hist, ref)
    for got, want in zip(enc.get_weights() + dec.get_weights(),
                         ref["final"]["encoder"] + ref["final"]["decoder"]):
        _close(got, want, rtol=1e-3, atol=2e-5, what="weights after 3 epochs")


def test_vae_with_noise_follows_keras_within_noise(m):
    vae, enc, dec, hist, ref = _vae(m, "vae", 1.0, 6)
    assert sorted(hist.history) == ["kl_loss", "loss", "reconstruction_loss"]
    # other random numbers than TensorFlow's: the same trajectory within the sampling noise
    _close(hist.history["loss"], ref["history"]["loss"], rtol=0.02)
    _close(hist.history["reconstruction_loss"], ref["history"]["reconstruction_loss"], rtol=0.02)
    _close(hist.history["kl_loss"], ref["history"]["kl_loss"], rtol=0.6, atol=0.01)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert hist.history["kl_loss"][-1] < hist.history["kl_loss"][0]
    # the noise is live: two predictions of z differ, z_mean does not
    z1 = enc.predict(ARR["vae_x"][:4], verbose=0)
    z2 = enc.predict(ARR["vae_x"][:4], verbose=0)
    _close(z1[0], z2[0])
    assert not np.allclose(z1[2], z2[2])


def _distiller(m, key, cls):
    ref = REF[key]
    teacher, student = m["kd_parts"]()
    _set(teacher, ref["weights"]["teacher"])
    _set(student, ref["weights"]["student"])
    dist = m[cls](student=student, teacher=teacher)
    dist.compile(optimizer=keras.optimizers.Adam(0.02),
                 metrics=[keras.metrics.SparseCategoricalAccuracy()] if cls == "Distiller"
                 else None,
                 student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 distillation_loss_fn=keras.losses.KLDivergence(), alpha=0.1, temperature=10)
    hist = dist.fit(ARR["kd_x"], ARR["kd_y"], epochs=3, batch_size=16, shuffle=False, verbose=0)
    _history(hist, ref)
    for got, want in zip(student.get_weights(), ref["final"]):
        _close(got, want, rtol=1e-3, atol=2e-5, what="student weights")
    return dist, ref


def test_distiller_compute_loss_override_matches_keras(m):
    """keras.io's Distiller (Keras 3): compile(student_loss_fn, distillation_loss_fn),
    compute_loss overridden, call = student; the default train_step and test_step use them."""
    dist, ref = _distiller(m, "kd", "Distiller")
    ev = dist.evaluate(ARR["kd_x"], ARR["kd_y"], batch_size=32, return_dict=True, verbose=0)
    assert sorted(ev) == sorted(ref["evaluate"])
    for k, v in ref["evaluate"].items():
        _close(ev[k], v, what=k)


def test_distiller_train_step_with_tape_matches_keras(m):
    _distiller(m, "kd_tape", "TapeDistiller")


def _gan(m, key, random, epochs):
    ref = REF[key]
    gen, disc = m["gan_parts"]()
    _set(gen, ref["weights"]["generator"])
    _set(disc, ref["weights"]["discriminator"])
    gan = m["GAN"](discriminator=disc, generator=gen, latent_dim=3, random=random)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
                g_optimizer=keras.optimizers.SGD(learning_rate=0.05),
                loss_fn=keras.losses.BinaryCrossentropy())
    if random:
        hist = gan.fit(ARR["gan_x"], epochs=epochs, batch_size=16, shuffle=False, verbose=0)
    else:
        hist = gan.fit(ARR["gan_x"], ARR["gan_z"], epochs=epochs, batch_size=16, shuffle=False,
                       verbose=0)
    return gan, gen, disc, hist, ref


def test_gan_two_optimizers_deterministic_matches_keras(m):
    """Two optimizers in one train_step: the generator's step sees the discriminator after its
    update, as in eager Keras."""
    gan, gen, disc, hist, ref = _gan(m, "gan_det", False, 3)
    _history(hist, ref)
    for got, want in zip(gen.get_weights() + disc.get_weights(),
                         ref["final"]["generator"] + ref["final"]["discriminator"]):
        _close(got, want, rtol=1e-3, atol=2e-5, what="weights after 3 epochs")


def _np_bce(t, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))


def _np_mlp(ws, x):
    h = np.maximum(x @ ws[0] + ws[1], 0)
    return h @ ws[2] + ws[3]


def test_gan_one_step_against_numpy(m):
    """One deterministic GAN step: the discriminator's Adam update from numerically checked
    gradients, then the generator's SGD step through the *updated* discriminator."""
    ref = REF["gan_det"]
    g0 = [np.asarray(w, np.float64) for w in ref["weights"]["generator"]]
    d0 = [np.asarray(w, np.float64) for w in ref["weights"]["discriminator"]]
    x, z = ARR["gan_x"][:16].astype(np.float64), ARR["gan_z"][:16].astype(np.float64)
    labels = np.concatenate([np.ones((16, 1)), np.zeros((16, 1))])

    def d_loss(dw):
        comb = np.concatenate([_np_mlp(g0, z), x])
        return _np_bce(labels, 1 / (1 + np.exp(-_np_mlp(dw, comb))))

    def num_grad(f, ws):
        grads = []
        for i, w in enumerate(ws):
            g = np.zeros_like(w)
            for idx in np.ndindex(w.shape):
                for sign in (1, -1):
                    wp = [v.copy() for v in ws]
                    wp[i][idx] += sign * 1e-6
                    g[idx] += sign * f(wp) / 2e-6
            grads.append(g)
        return grads
    # Keras 3's Adam, first step: lr * sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps) with
    # m = (1 - b1) g, v = (1 - b2) g^2, i.e. lr * g / (|g| + eps / sqrt(1 - b2))
    d1 = [w - 0.003 * g / (np.abs(g) + 1e-7 / np.sqrt(0.001))
          for w, g in zip(d0, num_grad(d_loss, d0))]

    def g_loss(gw):
        return _np_bce(np.zeros((16, 1)), 1 / (1 + np.exp(-_np_mlp(d1, _np_mlp(gw, z)))))
    g1 = [w - 0.05 * g for w, g in zip(g0, num_grad(g_loss, g0))]

    gen, disc = m["gan_parts"]()
    _set(gen, ref["weights"]["generator"])
    _set(disc, ref["weights"]["discriminator"])
    gan = m["GAN"](discriminator=disc, generator=gen, latent_dim=3, random=False)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
                g_optimizer=keras.optimizers.SGD(learning_rate=0.05),
                loss_fn=keras.losses.BinaryCrossentropy())
    logs = gan.train_on_batch(ARR["gan_x"][:16], ARR["gan_z"][:16], return_dict=True)
    _close(logs["d_loss"], d_loss(d0), rtol=1e-5)
    _close(logs["g_loss"], g_loss(g0), rtol=1e-5)
    for got, want in zip(disc.get_weights(), d1):
        _close(got, want, rtol=1e-4, atol=1e-6, what="discriminator after its Adam step")
    for got, want in zip(gen.get_weights(), g1):
        _close(got, want, rtol=1e-4, atol=1e-6, what="generator after its SGD step")


def test_gan_with_noise_trains(m):
    gan, gen, disc, hist, ref = _gan(m, "gan", True, 4)
    assert sorted(hist.history) == ["d_loss", "g_loss"]
    # other random latents than TensorFlow's: the discriminator's loss falls as in Keras
    _close(hist.history["d_loss"], ref["history"]["d_loss"], rtol=0.1)
    assert hist.history["d_loss"][-1] < hist.history["d_loss"][0]
    assert all(np.isfinite(hist.history["g_loss"]))


def test_add_loss_and_metric_in_call_with_compile_without_loss(m):
    ref = REF["endpoint"]
    model = m["endpoint_model"]()
    _set(model, ref["weights"])
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    hist = model.fit({"inputs": ARR["end_x"], "targets": ARR["end_t"]}, epochs=3, batch_size=20,
                     shuffle=False, verbose=0)
    _history(hist, ref)


class _Custom(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2)
        self.mae = keras.metrics.MeanAbsoluteError(name="my_mae")

    def call(self, x):
        return self.dense(x)

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.mae.update_state(y, y_pred)
        return {"my_mae": self.mae.result(), "batch_max": ops.max(y_pred)}

    def predict_step(self, data):
        return ops.tanh(self(data))


def test_test_step_and_predict_step_overrides():
    ref = REF["custom"]
    backend.clear_session()
    model = _Custom()
    model(ARR["end_x"][:1])
    _set(model, ref["weights"])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = ARR["end_x"]
    y2 = np.stack([x[:, 0] * 2, x[:, 1] - x[:, 2]], 1)
    hist = model.fit(x, y2, epochs=2, batch_size=16, shuffle=False, verbose=0)
    _history(hist, ref)
    assert [mm.name for mm in model.metrics] == ref["metrics"]
    ev = model.evaluate(x, y2, batch_size=25, return_dict=True, verbose=0)
    assert sorted(ev) == sorted(ref["evaluate"])
    for k, v in ref["evaluate"].items():
        _close(ev[k], v, what=k)
    _close(model.predict(x[:7], verbose=0), ref["predict"])


def test_model_with_only_train_step_and_apply():
    """No call, no compile loss: a train_step using backend.gradients and optimizer.apply."""
    backend.clear_session()

    class OnlyStep(keras.Model):
        def __init__(self):
            super().__init__()
            self.w = keras.layers.Dense(1, use_bias=False)
            self.tracker = keras.metrics.Mean(name="loss")

        def train_step(self, data):
            x, y = data
            loss = ops.mean(ops.square(self.w(x) - y))
            grads = backend.gradients(loss, self.trainable_weights)
            self.optimizer.apply(grads, self.trainable_weights)
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result(), "last": loss}

    rng = np.random.RandomState(0)
    x = rng.randn(40, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    model = OnlyStep()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    hist = model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    (w0,) = model.w.get_weights()
    # one full-batch SGD step in numpy from the weights before it
    model2 = OnlyStep()
    model2.compile(optimizer=keras.optimizers.SGD(0.1))
    model2.w.build((None, 3))
    model2.w.set_weights([w0])
    hist = model2.fit(x, y, epochs=1, batch_size=40, verbose=0)
    grad = 2 * x.T @ (x @ w0 - y) / len(x)
    _close(model2.w.get_weights()[0], w0 - 0.1 * grad, rtol=1e-5)
    _close(hist.history["loss"], [np.mean((x @ w0 - y) ** 2)], rtol=1e-5)
    assert sorted(hist.history) == ["last", "loss"]


def test_gradient_tape_is_graph_mode_gradients():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([1.0, 2.0])
        v = tf.Variable([3.0, 4.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(x * v * v)
        (dv,) = tape.gradient(y, [v])
        with pytest.raises(RuntimeError, match="non-persistent"):
            tape.gradient(y, [v])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _close(sess.run(dv), [6.0, 16.0])


def test_guide_train_step_with_compute_loss_matches_default_fit():
    """keras.io's "customizing fit" step: self.compute_loss, optimizer.apply, then every metric
    of self.metrics updated (the compiled ones through 'compile_metrics'): the same logs and
    weights as the default train_step."""
    class Guide(keras.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    rng = np.random.RandomState(3)
    x = rng.randn(48, 4).astype(np.float32)
    y = (x[:, :2] @ np.array([[1.0], [-1.0]], np.float32) > 0).astype(np.float32)
    runs = []
    for cls in (keras.Sequential, Guide):
        backend.clear_session()
        model = cls([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                     keras.layers.Dense(1, activation="sigmoid")])
        if runs:
            model.set_weights(runs[0][1])
        w0 = model.get_weights()
        model.compile(keras.optimizers.SGD(0.2), "binary_crossentropy",
                      metrics=["accuracy", keras.metrics.AUC(name="auc")])
        hist = model.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0)
        runs.append((hist.history, w0, model.get_weights()))
        assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    (h1, _, w1), (h2, _, w2) = runs
    assert sorted(h2) == sorted(h1) == ["accuracy", "auc", "loss"]
    for k in h1:
        _close(h2[k], h1[k], rtol=1e-5, what=k)
    for a, b in zip(w1, w2):
        _close(a, b, rtol=1e-5)


def test_compute_metrics_override_with_class_weight_and_validation():
    """The default train_step/test_step with compute_metrics overridden: loss, class weights,
    weighted metrics and validation logs as the plain fit gives them, plus the extra log."""
    class Extra(keras.Sequential):
        def compute_metrics(self, x, y, y_pred, sample_weight=None):
            logs = super().compute_metrics(x, y, y_pred, sample_weight)
            logs["pred_mean"] = ops.mean(y_pred)
            return logs

    rng = np.random.RandomState(4)
    x = rng.randn(60, 4).astype(np.float32)
    y = (x[:, :1] - x[:, 1:2] > 0.3).astype(np.float32)
    runs = []
    for cls in (keras.Sequential, Extra):
        backend.clear_session()
        model = cls([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                     keras.layers.Dense(1, activation="sigmoid")])
        if runs:
            model.set_weights(runs[0][1])
        w0 = model.get_weights()
        model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy",
                      metrics=[keras.metrics.AUC(name="auc")], weighted_metrics=["accuracy"])
        hist = model.fit(x[:45], y[:45], batch_size=10, epochs=2, shuffle=False, verbose=0,
                         class_weight={0: 1.0, 1: 3.0}, validation_data=(x[45:], y[45:]))
        runs.append((hist.history, w0))
    (h1, _), (h2, _) = runs
    assert sorted(h2) == sorted(list(h1) + ["pred_mean", "val_pred_mean"])
    for k in h1:
        _close(h2[k], h1[k], rtol=1e-5, what=k)
    assert all(0 < v < 1 for v in h2["pred_mean"] + h2["val_pred_mean"])


def test_custom_step_errors():
    backend.clear_session()

    class NoDict(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def train_step(self, data):
            return ops.mean(self.dense(data))

    model = NoDict()
    x = np.ones((4, 2), np.float32)
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, verbose=0)
    model.compile("sgd")
    with pytest.raises(TypeError, match="train_step.*dict"):
        model.fit(x, verbose=0)
    with pytest.raises(ValueError, match="gradients for"):
        keras.optimizers.SGD().apply([None], [])


def test_keras2_style_compiled_loss_and_compiled_metrics():
    """A Keras 2-era train_step (self.compiled_loss with the regularization losses,
    self.compiled_metrics.update_state), deprecated in Keras 3: the default fit's numbers."""
    class Old(keras.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            self._loss_tracker.update_state(loss)
            return {m.name: m.result() for m in self.metrics}

    rng = np.random.RandomState(5)
    x = rng.randn(40, 3).astype(np.float32)
    y = x @ np.array([[0.5], [-1.0], [2.0]], np.float32)
    runs = []
    for cls in (keras.Sequential, Old):
        backend.clear_session()
        model = cls([keras.Input((3,)), keras.layers.Dense(
            4, kernel_regularizer=keras.regularizers.l2(0.01)), keras.layers.Dense(1)])
        if runs:
            model.set_weights(runs[0][1])
        w0 = model.get_weights()
        model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
        with pytest.warns(DeprecationWarning) if cls is Old else contextlib.nullcontext():
            hist = model.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0)
        runs.append((hist.history, w0))
    (h1, _), (h2, _) = runs
    assert sorted(h1) == sorted(h2) == ["loss", "mae"]
    for k in h1:
        _close(h2[k], h1[k], rtol=1e-5, what=k)


def test_pack_and_unpack_x_y_sample_weight():
    u, p = keras.utils.unpack_x_y_sample_weight, keras.utils.pack_x_y_sample_weight
    assert u((1,)) == (1, None, None) and u((1, 2)) == (1, 2, None) and u([1, 2, 3]) == (1, 2, 3)
    assert u(5) == (5, None, None)
    assert p(1) == 1 and p((1, 2)) == ((1, 2),) and p(1, 2) == (1, 2) and p(1, 2, 3) == (1, 2, 3)
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        u((1, 2, 3, 4))


def test_metric_updated_in_call_with_a_compiled_loss():
    """A layer that updates a metric in `call` (on its input): logged next to the compiled
    loss and metrics, which match the same model without that layer's metric."""
    class Watch(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.mean_act = keras.metrics.Mean(name="mean_activation")

        def call(self, x):
            self.mean_act.update_state(x)
            return x

    rng = np.random.RandomState(6)
    x = rng.randn(30, 3).astype(np.float32)
    y = x.sum(1, keepdims=True)
    runs = []
    for watch in (False, True):
        backend.clear_session()
        stack = [keras.Input((3,)), keras.layers.Dense(2, activation="relu")]
        stack += [Watch()] if watch else []
        model = keras.Sequential(stack + [keras.layers.Dense(1)])
        if runs:
            model.set_weights(runs[0][1])
        w0 = model.get_weights()
        model.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
        hist = model.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0)
        runs.append((hist.history, w0, model))
        if watch:
            model.predict(x[:2], verbose=0)  # a numpy call: its metric update stays apart
    (h1, _, _), (h2, w0, model) = runs
    assert sorted(h2) == ["loss", "mae", "mean_activation"]
    for k in h1:
        _close(h2[k], h1[k], rtol=1e-5, what=k)
    # the last epoch's mean activation of the hidden layer, from the weights of each batch
    ev = model.evaluate(x, y, batch_size=30, return_dict=True, verbose=0)
    hidden = np.maximum(x @ model.layers[0].get_weights()[0] + model.layers[0].get_weights()[1],
                        0)
    _close(ev["mean_activation"], hidden.mean(), rtol=1e-5)


def test_add_loss_model_fed_a_dict_out_of_name_order(m):
    """Inputs given by name reach the Input of that name whatever the dict's key order."""
    ref = REF["endpoint"]
    inputs = keras.Input(shape=(5,), name="z_inputs")
    targets = keras.Input(shape=(1,), name="a_targets")
    logits = keras.layers.Dense(1)(inputs)
    endpoint = type(m["endpoint_model"]().layers[-1])
    model = keras.Model([inputs, targets], endpoint(name="predictions")(targets, logits))
    _set(model, ref["weights"])
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    hist = model.fit({"z_inputs": ARR["end_x"], "a_targets": ARR["end_t"]}, epochs=3,
                     batch_size=20, shuffle=False, verbose=0)
    _history(hist, ref)
