"""Damaged files (truncated at every 1/16th, random bit flips) of every format tfgraph reads give
one clear error type, or load exactly the saved values; never a raw KeyError/OSError/BadZipFile.
`TFGRAPH_SOAK=1` flips more bits."""
import os
import random

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras

pytest.importorskip("h5py")  # the .h5 formats need the h5 extra (installed for the tests)

FLIPS = 200 if os.environ.get("TFGRAPH_SOAK") else 24
CLEAR = (ValueError, tf.errors.DataLossError, tf.errors.InvalidArgumentError)


def _dense():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d")])


def _keras_case(tmp_path, name, save):
    keras.backend.clear_session()
    model = _dense()
    model.compile("adam", "mse")
    path = str(tmp_path / name)
    save(model, path)
    want = [w.copy() for w in model.get_weights()]

    def load(p):
        keras.backend.clear_session()
        if name.endswith(".weights.h5"):
            m = _dense()
            m.load_weights(p)
        else:
            m = keras.models.load_model(p)
        return m.get_weights()
    return path, load, want


def _checkpoint_case(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(6.0, dtype=np.float32), name="v")
        with tf.Session() as sess:
            sess.run(v.initializer)
            prefix = tf.train.Saver().save(sess, str(tmp_path / "c.ckpt"))

    def load(p):
        with tf.Graph().as_default():
            w = tf.Variable(np.zeros(6, np.float32), name="v")
            with tf.Session() as sess:
                tf.train.Saver().restore(sess, prefix)
                return [sess.run(w)]
    return prefix, load


CASES = ["keras", "weights_h5", "legacy_h5", "ckpt_index", "ckpt_data", "meta"]


@pytest.mark.parametrize("case", CASES)
def test_damaged_files_fail_clearly(tmp_path, case):
    if case == "keras":
        path, load, want = _keras_case(tmp_path, "m.keras", lambda m, p: m.save(p))
    elif case == "weights_h5":
        path, load, want = _keras_case(tmp_path, "w.weights.h5", lambda m, p: m.save_weights(p))
    elif case == "legacy_h5":
        path, load, want = _keras_case(tmp_path, "m.h5", lambda m, p: m.save(p))
    else:
        prefix, restore = _checkpoint_case(tmp_path)
        want = [np.arange(6.0, dtype=np.float32)]
        if case == "meta":
            path = prefix + ".meta"

            def load(p):
                with tf.Graph().as_default():
                    tf.train.import_meta_graph(p)
                return want
        else:
            path = prefix + ".index" if case == "ckpt_index" else \
                prefix + ".data-00000-of-00001"
            load = restore  # noqa: F811 - restores through the prefix
    original = open(path, "rb").read()
    rng = random.Random(case)
    damaged = [original[:len(original) * k // 16] for k in range(16)]
    for _ in range(FLIPS):
        b = bytearray(original)
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
        damaged.append(bytes(b))
    for data in damaged:
        with open(path, "wb") as f:
            f.write(data)
        try:
            got = load(path)
        except CLEAR:
            continue
        except Exception as e:  # noqa: BLE001 - the assertion names it
            raise AssertionError("%s damaged (%d of %d bytes kept or one bit flipped): %s: %s"
                                 % (case, len(data), len(original), type(e).__name__, e)) from e
        if case in ("keras", "weights_h5", "legacy_h5", "ckpt_index", "ckpt_data"):
            for a, b in zip(got, want):  # loaded: must be the saved numbers (flip in metadata)
                np.testing.assert_array_equal(a, b)
