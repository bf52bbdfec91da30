"""A variational autoencoder on MNIST with Keras 3's `train_step` override (keras.io's VAE).

The model code is Keras 3 code: with `import keras`, `from keras import ops` and `import
tensorflow as tf` the same classes run on Keras 3. Under tfgraph_keras, `fit` calls `train_step`
once on placeholders (the step becomes graph ops: the tape's gradient is `tf.gradients`,
`apply_gradients` an update op) and then runs that graph once per batch. The Sampling layer
draws its noise with `keras.random.normal(shape=(ops.shape(z_mean)[0], dim))`, whose batch size
is only known when the graph runs.

    python tutorials/keras_vae.py            # 10 epochs on 60,000 images
    python tutorials/keras_vae.py --quick    # 2 epochs on 3,000 images (a few seconds)

Full run, measured 2026-12-07 on this project's shared 2-core CPU box (losses per image:
reconstruction + KL; batch 128, Adam 1e-3, latent dim 2; test reconstruction through z_mean):
    tfgraph_keras:          epoch 1 loss 189.2, epoch 10 loss 147.3, test reconstruction 140.4
    Keras 3.15 (TF 2.21):   epoch 1 loss 190.1, epoch 10 loss 147.9, test reconstruction 141.2
(the same code with the keras imports; initial weights and noise streams differ, so the curves
agree within noise, not digit for digit; the latent plane is a rotation/reflection of Keras's.)
"""
import argparse
import time

import numpy as np

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph_keras import layers, ops

LATENT_DIM = 2


class Sampling(layers.Layer):
    """z = z_mean + exp(z_log_var / 2) * epsilon, epsilon ~ N(0, I): the reparameterization."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def build_encoder():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Flatten()(inputs)
    x = layers.Dense(512, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    z_mean = layers.Dense(LATENT_DIM, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    return keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")


def build_decoder():
    latent = keras.Input(shape=(LATENT_DIM,))
    x = layers.Dense(64, activation="relu")(latent)
    x = layers.Dense(512, activation="relu")(x)
    x = layers.Dense(784, activation="sigmoid")(x)
    return keras.Model(latent, layers.Reshape((28, 28, 1))(x), name="decoder")


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

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


def main(quick=False):
    (x_train, _), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = np.expand_dims(x_train, -1).astype("float32") / 255
    x_test = np.expand_dims(x_test, -1).astype("float32") / 255
    epochs = 10
    if quick:
        x_train, x_test, y_test, epochs = x_train[:3000], x_test[:1000], y_test[:1000], 2
    keras.utils.set_random_seed(1)
    encoder, decoder = build_encoder(), build_decoder()
    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    start = time.time()
    history = vae.fit(x_train, epochs=epochs, batch_size=128, verbose=2)
    print("trained %d epochs on %d images in %.1f s" % (epochs, len(x_train),
                                                        time.time() - start))
    losses = history.history["loss"]
    print("loss per image: epoch 1 %.1f -> epoch %d %.1f" % (losses[0], epochs, losses[-1]))

    # reconstruction of unseen digits through the means of their latent codes
    z_mean, _, _ = encoder.predict(x_test, batch_size=500, verbose=0)
    recon = np.clip(decoder.predict(z_mean, batch_size=500, verbose=0), 1e-7, 1 - 1e-7)
    bce = -(x_test * np.log(recon) + (1 - x_test) * np.log(1 - recon)).sum(axis=(1, 2, 3))
    print("test reconstruction loss per image: %.1f" % bce.mean())
    # the latent space separates digits: class centres spread over the plane
    centres = np.array([z_mean[y_test == d].mean(0) for d in range(10)])
    print("digit centres in the latent plane:")
    for d, (a, b) in enumerate(centres):
        print("  %d: (%+.2f, %+.2f)" % (d, a, b))
    print("Done: test reconstruction loss per image %.1f" % bce.mean())
    return losses[-1], float(bce.mean())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run for tests")
    main(parser.parse_args().quick)
