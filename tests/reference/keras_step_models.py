"""The custom-step models of Keras's examples (VAE, Distiller, GAN, an add_loss endpoint), written
once for both sides: `build(keras, ops, tf)` runs with Keras 3.15 on TensorFlow (the generator
make_keras_train_step.py) and with tfgraph_keras / tfgraph (tests/tfgraph_keras/engine/
test_keras_train_step.py), so the recorded trajectories come from the same code.
"""
import numpy as np


def data():
    rng = np.random.RandomState(7)
    d = {}
    d["vae_x"] = rng.rand(96, 4, 3, 1).astype(np.float32)
    d["kd_x"] = rng.randn(80, 6).astype(np.float32)
    d["kd_y"] = (d["kd_x"][:, :3].argmax(-1) + (d["kd_x"][:, 3] > 1)).astype(np.int64) % 4
    d["gan_x"] = (rng.randn(64, 5) * 0.5 + 1.0).astype(np.float32)
    d["gan_z"] = rng.randn(64, 3).astype(np.float32)
    d["end_x"] = rng.randn(60, 5).astype(np.float32)
    d["end_t"] = (d["end_x"][:, :1] > 0).astype(np.float32)
    return d


def build(keras, ops, tf):
    layers = keras.layers
    m = {}

    class Sampling(layers.Layer):
        """z = z_mean + exp(z_log_var / 2) * epsilon, epsilon ~ N(0, 1) (scaled by `noise`)."""

        def __init__(self, noise=1.0, **kwargs):
            super().__init__(**kwargs)
            self.noise = noise
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon * self.noise

    def vae_parts(noise):
        latent_dim = 2
        enc_in = keras.Input(shape=(4, 3, 1))
        x = layers.Flatten()(enc_in)
        x = layers.Dense(16, activation="relu")(x)
        z_mean = layers.Dense(latent_dim, name="z_mean")(x)
        z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
        z = Sampling(noise)([z_mean, z_log_var])
        encoder = keras.Model(enc_in, [z_mean, z_log_var, z], name="encoder")
        lat_in = keras.Input(shape=(latent_dim,))
        x = layers.Dense(16, activation="relu")(lat_in)
        x = layers.Dense(12, activation="sigmoid")(x)
        decoder = keras.Model(lat_in, layers.Reshape((4, 3, 1))(x), name="decoder")
        return encoder, decoder

    class VAE(keras.Model):
        """keras.io's VAE: the three losses tracked by Mean metrics, a train_step with a tape."""

        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [self.total_loss_tracker, self.reconstruction_loss_tracker,
                    self.kl_loss_tracker]

        def train_step(self, data):
            with tf.GradientTape() as tape:
                z_mean, z_log_var, z = self.encoder(data)
                reconstruction = self.decoder(z)
                reconstruction_loss = ops.mean(ops.sum(
                    keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
                kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
                kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
                total_loss = reconstruction_loss + kl_loss
            grads = tape.gradient(total_loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.total_loss_tracker.update_state(total_loss)
            self.reconstruction_loss_tracker.update_state(reconstruction_loss)
            self.kl_loss_tracker.update_state(kl_loss)
            return {"loss": self.total_loss_tracker.result(),
                    "reconstruction_loss": self.reconstruction_loss_tracker.result(),
                    "kl_loss": self.kl_loss_tracker.result()}

    m["vae_parts"], m["VAE"] = vae_parts, VAE

    def kd_parts():
        teacher = keras.Sequential([keras.Input((6,)), layers.Dense(16, activation="relu"),
                                    layers.Dense(4)], name="teacher")
        student = keras.Sequential([keras.Input((6,)), layers.Dense(5, activation="relu"),
                                    layers.Dense(4)], name="student")
        return teacher, student

    class Distiller(keras.Model):
        """keras.io's knowledge distillation (Keras 3 version: compute_loss and call)."""

        def __init__(self, student, teacher):
            super().__init__()
            self.teacher = teacher
            self.student = student

        def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1,
                    temperature=3):
            super().compile(optimizer=optimizer, metrics=metrics)
            self.student_loss_fn = student_loss_fn
            self.distillation_loss_fn = distillation_loss_fn
            self.alpha = alpha
            self.temperature = temperature

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            teacher_pred = self.teacher(x, training=False)
            student_loss = self.student_loss_fn(y, y_pred)
            distillation_loss = self.distillation_loss_fn(
                ops.softmax(teacher_pred / self.temperature, axis=1),
                ops.softmax(y_pred / self.temperature, axis=1),
            ) * (self.temperature ** 2)
            return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

        def call(self, x):
            return self.student(x)

    class TapeDistiller(Distiller):
        """The Keras 2-era version of the example: its own train_step with a tape."""

        def train_step(self, data):
            x, y = data
            teacher_pred = self.teacher(x, training=False)
            with tf.GradientTape() as tape:
                student_pred = self.student(x, training=True)
                student_loss = self.student_loss_fn(y, student_pred)
                distillation_loss = self.distillation_loss_fn(
                    ops.softmax(teacher_pred / self.temperature, axis=1),
                    ops.softmax(student_pred / self.temperature, axis=1),
                ) * (self.temperature ** 2)
                loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
            grads = tape.gradient(loss, self.student.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.student.trainable_variables))
            self.student_loss_tracker.update_state(student_loss)
            return {"student_loss": self.student_loss_tracker.result(), "distillation_loss": distillation_loss}

        def compile(self, *args, **kwargs):
            super().compile(*args, **kwargs)
            self.student_loss_tracker = keras.metrics.Mean(name="student_loss")

    m["kd_parts"], m["Distiller"], m["TapeDistiller"] = kd_parts, Distiller, TapeDistiller

    def gan_parts():
        generator = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="relu"),
                                      layers.Dense(5)], name="generator")
        discriminator = keras.Sequential([keras.Input((5,)), layers.Dense(8, activation="relu"),
                                          layers.Dense(1, activation="sigmoid")],
                                         name="discriminator")
        return generator, discriminator

    class GAN(keras.Model):
        """keras.io's GAN overriding train_step: two optimizers in one step. `random=False`
        takes the latent vectors from the data and drops the label noise (deterministic)."""

        def __init__(self, discriminator, generator, latent_dim, random=True):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.random = random
            self.seed_generator = keras.random.SeedGenerator(1337)

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def train_step(self, data):
            if self.random:
                real = data
                batch_size = ops.shape(real)[0]
                latent = keras.random.normal(shape=(batch_size, self.latent_dim),
                                             seed=self.seed_generator)
            else:
                real, latent = data
                batch_size = ops.shape(real)[0]
            generated = self.generator(latent)
            combined = ops.concatenate([generated, real], axis=0)
            labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))],
                                     axis=0)
            if self.random:
                labels += 0.05 * keras.random.uniform(ops.shape(labels),
                                                      seed=self.seed_generator)
            with tf.GradientTape() as tape:
                predictions = self.discriminator(combined)
                d_loss = self.loss_fn(labels, predictions)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            if self.random:
                latent = keras.random.normal(shape=(batch_size, self.latent_dim),
                                             seed=self.seed_generator)
            misleading = ops.zeros((batch_size, 1))
            with tf.GradientTape() as tape:
                predictions = self.discriminator(self.generator(latent))
                g_loss = self.loss_fn(misleading, predictions)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {"d_loss": self.d_loss_metric.result(),
                    "g_loss": self.g_loss_metric.result()}

    m["gan_parts"], m["GAN"] = gan_parts, GAN

    class LogisticEndpoint(layers.Layer):
        """keras.io's endpoint layer: add_loss and a metric updated inside call."""

        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
            self.accuracy_fn = keras.metrics.BinaryAccuracy()

        def call(self, targets, logits, sample_weights=None):
            loss = self.loss_fn(targets, logits, sample_weights)
            self.add_loss(loss)
            self.accuracy_fn.update_state(targets, logits, sample_weights)
            return ops.softmax(logits)

    def endpoint_model():
        inputs = keras.Input(shape=(5,), name="inputs")
        targets = keras.Input(shape=(1,), name="targets")
        logits = layers.Dense(1)(inputs)
        predictions = LogisticEndpoint(name="predictions")(targets, logits)
        return keras.Model(inputs=[inputs, targets], outputs=predictions)

    m["endpoint_model"] = endpoint_model
    return m
