"""Sentiment of movie reviews with an Embedding and a Bidirectional LSTM (Keras's IMDB example).

Each review is a list of word indices (1 = start of review, 2 = out-of-vocabulary word, 3 + i =
the i-th most frequent word). They are cut or zero-padded to `maxlen` words; an Embedding turns
each index into a vector, a Bidirectional LSTM reads the sequence left to right and right to left,
and a sigmoid unit says positive (1) or negative (0). Only the import line differs from the Keras
script: with `from tensorflow import keras` the same file runs on TensorFlow.

The data: keras.datasets.imdb reads Keras's imdb.npz (25,000 training and 25,000 test reviews)
from $TFGRAPH_DATASETS_DIR, then ~/.keras/datasets, else downloads it
(https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz, 17 MB; put it in one of
those folders to work offline). When it is absent (and always with --quick unless it is there),
this script writes a generated corpus in the same layout (imdb.npz and imdb_word_index.json) to a
temporary folder and reads it through the same keras.datasets.imdb.load_data call. Its reviews
are filler words with a few sentiment words, some of them negated ("not good"), so word order
matters, which is what the recurrent layer is for. (Keras 3 itself takes only a file name in
load_data(path=...) and re-downloads a file whose hash differs, so under TensorFlow the generated
corpus was read with a few numpy lines doing what load_data does, for the comparison below.)

    python tutorials/keras_imdb_bilstm.py           # 2 epochs on IMDB (or 10,000 generated
                                                    # reviews of 10-60 words, maxlen 80)
    python tutorials/keras_imdb_bilstm.py --quick   # 2 epochs on 4,000 reviews of 10-30 words

Quick run: test accuracy >= 0.65

Measured 2026-12-07 on the generated corpus (no imdb.npz on this offline machine; 10,000
training reviews, 2 epochs, 2 shared CPU cores): test accuracy 0.9628, loss 0.122. Quick run: 0.8420.
TensorFlow 2.21 / Keras 3.15 on the same script and corpus: 0.9800, loss 0.081; quick run 0.7220 (before
the seed line). Keras's own example reports about 0.85 on the real IMDB.
"""
import argparse
import json
import os
import tempfile

import numpy as np

import tfgraph_keras as keras  # with TensorFlow: from tensorflow import keras
from tfgraph_keras import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true",
                    help="2 epochs on 4,000 short reviews, 5,000-word vocabulary (a check that it runs)")
parser.add_argument("--synthetic", action="store_true", help="use the generated corpus")
args = parser.parse_args()

# Only the max_features most frequent words are kept (the others become 2, out of vocabulary) and
# maxlen words per review (the first ones are cut)
max_features, maxlen = (5000, 40) if args.quick else (20000, 200)
batch_size = 32
epochs = 2
keras.utils.set_random_seed(0)  # the same weights and shuffling at every run


def imdb_file_present():
    """Whether imdb.npz is where keras.datasets.imdb looks first (no download)."""
    dirs = [os.environ.get("TFGRAPH_DATASETS_DIR", ""),
            os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets")]
    return any(d and os.path.exists(os.path.join(d, "imdb.npz")) for d in dirs)


def write_generated_corpus(folder, n_train, n_test, lengths, seed=0):
    """A corpus in Keras's IMDB layout: imdb.npz with x_train/x_test object arrays of lists of word
    ranks (1 = most frequent word) and y_train/y_test labels, and imdb_word_index.json
    ({word: rank}). The label is the sign of the review's sentiment words, "not" flipping the next
    one. Reviews have lengths[0] to lengths[1] filler words."""
    rng = np.random.default_rng(seed)
    positive = ["good", "great", "excellent", "wonderful", "loved", "brilliant", "superb", "fun"]
    negative = ["bad", "awful", "boring", "terrible", "worst", "dull", "poor", "waste"]
    common = ["the", "a", "and", "of", "to", "is", "in", "it", "this", "that", "was", "as", "with",
              "for", "film", "movie", "but", "on", "story", "one", "plot", "actors", "scene"]
    words = common + ["not"] + positive + negative
    words += ["word%d" % i for i in range(5000 - len(words))]
    rank = {w: i + 1 for i, w in enumerate(words)}
    zipf = 1.0 / np.arange(1, len(words) + 1)
    filler = np.array([rank[w] for w in words if w not in positive + negative + ["not"]])
    filler_p = zipf[filler - 1] / zipf[filler - 1].sum()

    def review():
        tokens = list(rng.choice(filler, size=rng.integers(*lengths), p=filler_p))
        score = 0
        while score == 0:
            for _ in range(rng.integers(1, 4)):
                sign = rng.choice([1, -1])
                word = rng.choice(positive if sign > 0 else negative)
                phrase = [rank[word]]
                if rng.random() < 0.3:  # "not good" is negative
                    phrase, sign = [rank["not"], rank[word]], -sign
                at = rng.integers(0, len(tokens) + 1)
                tokens[at:at] = phrase
                score += sign
        return [int(t) for t in tokens], int(score > 0)

    def split(n):
        reviews, labels = zip(*(review() for _ in range(n)))
        xs = np.empty(n, dtype=object)
        xs[:] = [list(r) for r in reviews]
        return xs, np.array(labels, dtype="int64")

    x_train, y_train = split(n_train)
    x_test, y_test = split(n_test)
    np.savez(os.path.join(folder, "imdb.npz"), x_train=x_train, y_train=y_train, x_test=x_test,
             y_test=y_test)
    with open(os.path.join(folder, "imdb_word_index.json"), "w") as f:
        json.dump(rank, f)


use_real = not args.synthetic and (imdb_file_present() or not args.quick)
tmp = tempfile.TemporaryDirectory()
npz_path, index_path = "imdb.npz", "imdb_word_index.json"
if use_real:
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=max_features)
    except Exception as e:  # offline and not in TFGRAPH_DATASETS_DIR / ~/.keras/datasets
        print("IMDB not available (%s): %s" % (type(e).__name__, str(e).splitlines()[0][:200]))
        use_real = False
if not use_real:
    print("Using a generated corpus in the IMDB layout. For the real reviews, put imdb.npz "
          "(https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz) in "
          "$TFGRAPH_DATASETS_DIR or ~/.keras/datasets.")
    n_train, n_test, lengths = (4000, 500, (10, 30)) if args.quick else (10000, 2500, (10, 60))
    write_generated_corpus(tmp.name, n_train, n_test, lengths)
    maxlen = min(maxlen, lengths[1] + 20)  # room for every generated review, and no more
    npz_path = os.path.join(tmp.name, "imdb.npz")
    index_path = os.path.join(tmp.name, "imdb_word_index.json")
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(path=npz_path,
                                                                          num_words=max_features)
elif args.quick:
    x_train, y_train, x_test, y_test = x_train[:4000], y_train[:4000], x_test[:500], y_test[:500]
print(len(x_train), "train sequences,", len(x_test), "test sequences")

# Reading a review back: load_data shifted every rank by index_from=3 (0 = padding, 1 = start,
# 2 = out of vocabulary)
try:
    word_index = keras.datasets.imdb.get_word_index(path=index_path)
except Exception as e:  # imdb.npz found offline without imdb_word_index.json
    print("No word index (%s): reviews are shown as indices" % type(e).__name__)
    word_index = {}
index_word = {rank + 3: word for word, rank in word_index.items()}
index_word.update({0: "<pad>", 1: "<start>", 2: "<oov>"})
print("First training review (label %d):" % y_train[0],
      " ".join(index_word.get(i, str(i)) for i in x_train[0][:40]), "...")

# Reviews shorter than maxlen get zeros in front, longer ones lose their first words
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
x_test = keras.utils.pad_sequences(x_test, maxlen=maxlen)
print("x_train shape:", x_train.shape, " x_test shape:", x_test.shape)

model = keras.Sequential([
    keras.Input(shape=(None,), dtype="int32"),
    layers.Embedding(max_features, 128),
    layers.Bidirectional(layers.LSTM(64, return_sequences=True)),
    layers.Bidirectional(layers.LSTM(64)),
    layers.Dense(1, activation="sigmoid"),
])
model.summary()  # 2,757,761 parameters (full run); the Embedding holds 2,560,000 of them

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
          validation_data=(x_test, y_test))
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print("Test loss: %.4f" % loss)


def encode(text):
    """Word indices as load_data gives them (start mark, ranks shifted by 3, unknown words -> 2)."""
    ranks = [word_index.get(w) for w in text.lower().split()]
    return [1] + [r + 3 if r is not None and r + 3 < max_features else 2 for r in ranks]


examples = ["this movie was great and the story was wonderful",
            "this movie was not good and the plot was boring",
            "the actors were not bad and the scene was fun"]
scores = model.predict(keras.utils.pad_sequences([encode(t) for t in examples], maxlen=maxlen),
                       verbose=0)
for text, p in zip(examples, scores[:, 0]):
    print("%.3f %s  %r" % (p, "positive" if p > 0.5 else "negative", text))
print("Test accuracy: %.4f" % accuracy)
tmp.cleanup()
