"""Writes tests/data/keras3_text_vectorization.keras (a Keras 3.15 model: an adapted
TextVectorization, Embedding, pooling, Dense) and tests/data/keras3_text_vectorization.json
(its predictions), for tests/tfgraph_keras/layers/test_keras_preprocessing_text.py.

Run with the TensorFlow virtualenv:
    /root/venvs/tf/bin/python tests/reference/make_keras3_text_vectorization_file.py
"""
import json
import os

import keras
import tensorflow as tf

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
QUERIES = [["the cat ate a mat"], ["zebra"], ["Dogs, and CATS!"]]


def main():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(1,), dtype="string")
    vectorize = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=6)
    vectorize.adapt(["the cat sat on the mat", "a dog ate the cat", "cats and dogs"])
    x = keras.layers.Embedding(20, 3)(vectorize(inputs))
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(x))
    model = keras.Model(inputs, outputs)
    model.save(os.path.join(DATA, "keras3_text_vectorization.keras"))
    with open(os.path.join(DATA, "keras3_text_vectorization.json"), "w") as f:
        json.dump({"queries": QUERIES, "vocabulary": vectorize.get_vocabulary(),
                   "predictions": model.predict(tf.constant(QUERIES), verbose=0).tolist()}, f)


if __name__ == "__main__":
    main()
