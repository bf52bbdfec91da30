"""Keras 2 era snippets run as written (after the import line): K.function on a model's layers
(the Keras FAQ's intermediate outputs), a custom loss/metric written with `K`, and the IMDB
pipeline (offline Keras layout -> pad_sequences -> Embedding model)."""
import os

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import backend as K
from tfgraph_keras.datasets import imdb
from tfgraph_keras.layers import Dense, Dropout, Embedding, GlobalAveragePooling1D
from tfgraph_keras.models import Sequential
from tfgraph_keras.preprocessing import sequence, text

FILES = os.path.join(os.path.dirname(__file__), "..", "data", "keras_datasets")


@pytest.fixture(autouse=True)
def _fresh():
    K.clear_session()
    yield
    K.clear_session()


def test_faq_intermediate_outputs_with_k_function():
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dropout(0.5),
                        Dense(2, activation="softmax")])
    x = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    get_first = K.function([model.layers[0].input], [model.layers[0].output])
    w, b = model.layers[0].get_weights()
    np.testing.assert_allclose(get_first([x])[0], np.maximum(x @ w + b, 0), rtol=1e-5)
    # with the learning phase: dropout active (1) or not (0)
    f = K.function([model.input, K.learning_phase()], [model.layers[1].output])
    test_out = f([x, 0])[0]
    train_out = f([x, 1])[0]
    np.testing.assert_allclose(test_out, get_first([x])[0], rtol=1e-6)
    kept = train_out != 0
    np.testing.assert_allclose(train_out[kept], 2 * test_out[kept], rtol=1e-5)
    np.testing.assert_allclose(K.function([model.input], [model.output])([x])[0],
                               model.predict(x, verbose=0), rtol=1e-5)


def test_custom_loss_and_metric_written_with_k():
    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

    def weighted_bce(y_true, y_pred):
        return K.mean(K.binary_crossentropy(y_true, y_pred) * (1 + y_true), axis=-1)

    rng = np.random.RandomState(1)
    x = rng.randn(64, 4).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(keras.optimizers.SGD(learning_rate=0.5), loss=weighted_bce, metrics=[rmse])
    hist = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    losses = hist.history["loss"]
    assert losses[-1] < 0.6 * losses[0]
    p = model.predict(x, verbose=0)
    eps = 1e-7
    pc = np.clip(p, eps, 1 - eps)
    want_loss = np.mean(-(y * np.log(pc + eps) + (1 - y) * np.log(1 - pc + eps)) * (1 + y))
    want_rmse = np.mean(np.sqrt(np.mean((p - y) ** 2, axis=-1)))
    loss, metric = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose([loss, metric], [want_loss, want_rmse], rtol=1e-4)


def test_imdb_pipeline_offline(monkeypatch):
    monkeypatch.setenv("TFGRAPH_DATASETS_DIR", FILES)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=20)
    x_train = sequence.pad_sequences(x_train, maxlen=8)
    x_test = sequence.pad_sequences(x_test, maxlen=8)
    assert x_train.shape == (8, 8) and x_test.shape == (6, 8)
    word_index = imdb.get_word_index()
    reverse = {i + 3: w for w, i in word_index.items()}
    assert all(isinstance(reverse.get(i, "?"), str) for i in x_train[0])
    keras.utils.set_random_seed(0)
    model = Sequential([Embedding(20, 8, input_length=8), GlobalAveragePooling1D(),
                        Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(learning_rate=0.05), "binary_crossentropy",
                  metrics=["accuracy"])
    hist = model.fit(x_train, y_train, epochs=30, batch_size=4, verbose=0,
                     validation_data=(x_test, y_test))
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    assert len(hist.history["val_accuracy"]) == 30


def test_tokenizer_to_model():
    texts = ["good movie", "great film", "bad movie", "awful film", "good great", "bad awful"]
    labels = np.array([1, 1, 0, 0, 1, 0])
    tok = text.Tokenizer(num_words=10)
    tok.fit_on_texts(texts)
    x = tok.texts_to_matrix(texts, mode="binary")
    keras.utils.set_random_seed(1)
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(10,))])
    model.compile(keras.optimizers.SGD(learning_rate=1.0), "binary_crossentropy")
    model.fit(x, labels, epochs=60, verbose=0)
    pred = model.predict(tok.texts_to_matrix(["good film", "awful movie"]), verbose=0)
    assert pred[0, 0] > 0.5 > pred[1, 0]
