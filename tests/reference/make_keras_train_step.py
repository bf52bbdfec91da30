"""Records Keras 3.15's training trajectories for the custom-step models of keras_step_models.py
(VAE with a Sampling layer and train_step, Distiller with compute_loss or train_step, GAN with two
optimizers, an add_loss/in-call-metric endpoint model, custom test_step/predict_step) into
tests/data/keras_train_step.json (+ .npz inputs and initial weights), for
tests/tfgraph_keras/engine/test_keras_train_step.py.

    /root/venvs/tf/bin/python tests/reference/make_keras_train_step.py
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
OUT = os.path.join(HERE, "..", "data", "keras_train_step")


def weights(model):
    return [w.tolist() for w in model.get_weights()]


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf
    from keras import ops

    import keras_step_models as ksm
    d = ksm.data()
    np.savez(OUT + ".npz", **d)
    m = ksm.build(keras, ops, tf)
    rec = {"keras_version": keras.__version__}

    for key, noise, epochs in (("vae", 1.0, 6), ("vae_det", 0.0, 3)):
        keras.utils.set_random_seed(11)
        enc, dec = m["vae_parts"](noise)
        vae = m["VAE"](enc, dec)
        vae.compile(optimizer=keras.optimizers.Adam(0.01))
        w0 = {"encoder": weights(enc), "decoder": weights(dec)}
        hist = vae.fit(d["vae_x"], epochs=epochs, batch_size=16, shuffle=False, verbose=0)
        rec[key] = {"weights": w0, "history": hist.history,
                    "final": {"encoder": weights(enc), "decoder": weights(dec)}}

    for key, cls in (("kd", "Distiller"), ("kd_tape", "TapeDistiller")):
        keras.utils.set_random_seed(12)
        teacher, student = m["kd_parts"]()
        w0 = {"teacher": weights(teacher), "student": weights(student)}
        dist = m[cls](student=student, teacher=teacher)
        dist.compile(optimizer=keras.optimizers.Adam(0.02),
                     metrics=[keras.metrics.SparseCategoricalAccuracy()] if cls == "Distiller"
                     else None,
                     student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                     distillation_loss_fn=keras.losses.KLDivergence(), alpha=0.1,
                     temperature=10)
        hist = dist.fit(d["kd_x"], d["kd_y"], epochs=3, batch_size=16, shuffle=False, verbose=0)
        entry = {"weights": w0, "history": hist.history, "final": weights(student)}
        if cls == "Distiller":
            entry["evaluate"] = dist.evaluate(d["kd_x"], d["kd_y"], batch_size=32,
                                              return_dict=True, verbose=0)
        rec[key] = entry

    for key, random in (("gan", True), ("gan_det", False)):
        keras.utils.set_random_seed(13)
        gen, disc = m["gan_parts"]()
        w0 = {"generator": weights(gen), "discriminator": weights(disc)}
        gan = m["GAN"](discriminator=disc, generator=gen, latent_dim=3, random=random)
        gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
                    g_optimizer=keras.optimizers.SGD(learning_rate=0.05),
                    loss_fn=keras.losses.BinaryCrossentropy())
        data = d["gan_x"] if random else (d["gan_x"], d["gan_z"])
        if random:
            hist = gan.fit(data, epochs=4, batch_size=16, shuffle=False, verbose=0)
        else:
            hist = gan.fit(d["gan_x"], d["gan_z"], epochs=3, batch_size=16, shuffle=False,
                           verbose=0)
        rec[key] = {"weights": w0, "history": hist.history,
                    "final": {"generator": weights(gen), "discriminator": weights(disc)}}

    keras.utils.set_random_seed(14)
    model = m["endpoint_model"]()
    w0 = weights(model)
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    hist = model.fit({"inputs": d["end_x"], "targets": d["end_t"]}, epochs=3, batch_size=20,
                     shuffle=False, verbose=0)
    rec["endpoint"] = {"weights": w0, "history": hist.history}

    # compile(loss=...) with overridden test_step and predict_step on a Sequential-like model
    keras.utils.set_random_seed(15)

    class Custom(keras.Model):
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

    model = Custom()
    model(d["end_x"][:1])
    w0 = weights(model)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y2 = np.stack([d["end_x"][:, 0] * 2, d["end_x"][:, 1] - d["end_x"][:, 2]], 1)
    hist = model.fit(d["end_x"], y2, epochs=2, batch_size=16, shuffle=False, verbose=0)
    ev = model.evaluate(d["end_x"], y2, batch_size=25, return_dict=True, verbose=0)
    pred = model.predict(d["end_x"][:7], verbose=0)
    rec["custom"] = {"weights": w0, "history": hist.history,
                     "evaluate": {k: float(v) for k, v in ev.items()},
                     "predict": pred.tolist(), "metrics": [mm.name for mm in model.metrics]}

    def plain(o):
        if isinstance(o, dict):
            return {k: plain(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [plain(v) for v in o]
        if isinstance(o, (np.floating, np.integer)):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
        return o
    with open(OUT + ".json", "w") as f:
        json.dump(plain(rec), f)
    print({k: v.get("history") for k, v in rec.items() if isinstance(v, dict)})


if __name__ == "__main__":
    main()
