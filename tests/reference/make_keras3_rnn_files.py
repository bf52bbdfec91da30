"""Writes keras3_rnn.weights.h5, keras3_rnn.keras and keras3_rnn.npz (inputs, Keras's predictions)
from real Keras 3, for tests/tfgraph_keras/layers/test_recurrent.py. Run it in a virtualenv with
tensorflow-cpu (tfgraph never imports it; these files were written by Keras 3.15.1):
    /work/venv-tf/bin/python tests/reference/make_keras3_rnn_files.py
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from tensorflow import keras  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def build(keras):
    """The same code builds the model in Keras and in tfgraph_keras."""
    L = keras.layers
    return keras.Sequential([keras.Input((5, 3)), L.LSTM(4, return_sequences=True),
                             L.GRU(3, return_sequences=True), L.SimpleRNN(3, return_sequences=True),
                             L.GRU(2, reset_after=False)], name="rnn_stack")


def main():
    model = build(keras)
    rng = np.random.RandomState(5)
    model.set_weights([rng.uniform(-0.6, 0.6, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    x = rng.randn(4, 5, 3).astype(np.float32)
    model.save_weights(os.path.join(HERE, "keras3_rnn.weights.h5"))
    model.save(os.path.join(HERE, "keras3_rnn.keras"))
    np.savez(os.path.join(HERE, "keras3_rnn.npz"), x=x, y=model.predict(x, verbose=0),
             keras_version=keras.__version__)


if __name__ == "__main__":
    main()
