"""Writes the keras_wrappers_* fixtures (tests/data) from real Keras 3, for
tests/tfgraph_keras/layers/test_wrappers.py, test_masking.py and test_keras_rnn_cells.py:
Bidirectional, TimeDistributed, masking (Embedding mask_zero / Masking + RNNs), RNN(cells) and
stateful RNNs. Each model is built by a `build_*(keras)` function that the tests run on
tfgraph_keras too; the weights are set from a seeded RandomState, saved as .keras / .weights.h5
(and legacy .h5 for one model), and Keras's predictions and weight paths go to an .npz.
keras_wrappers_keras2.* come from tf_keras (Keras 2) in the same virtualenv.
Run it in a virtualenv with tensorflow-cpu (tfgraph never imports it; Keras 3.15.1 wrote them):
    /root/venvs/tf/bin/python tests/reference/make_keras_wrappers.py
"""
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def build_bidi(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((6, 3)),
                             L.Bidirectional(L.LSTM(4, return_sequences=True)),
                             L.Bidirectional(L.GRU(3), merge_mode="sum"),
                             L.Dense(2)], name="bidi")


def build_bidi_modes(keras):
    L = keras.layers
    x = keras.Input((5, 3))
    ave = L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="ave")(x)
    mul = L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="mul")(ave)
    fwd, bwd = L.Bidirectional(L.LSTM(2), merge_mode=None)(mul)
    seq, hf, hb = L.Bidirectional(
        L.GRU(2, return_sequences=True, return_state=True),
        backward_layer=L.GRU(3, return_sequences=True, return_state=True, go_backwards=True,
                             reset_after=False))(x)
    return keras.Model(x, [fwd, bwd, seq, hf, hb], name="bidi_modes")


def build_tdist(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((5, 4)),
                             L.TimeDistributed(L.Dense(3, activation="relu")),
                             L.LSTM(3, return_sequences=True),
                             L.TimeDistributed(L.Dense(2))], name="tdist")


def build_tdist_conv(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((3, 6, 6, 2)),
                             L.TimeDistributed(L.Conv2D(3, 3, activation="relu")),
                             L.TimeDistributed(L.MaxPooling2D(2)),
                             L.TimeDistributed(L.Flatten()),
                             L.GRU(2)], name="tdist_conv")


def build_masked(keras):
    L = keras.layers
    x = keras.Input((7,), dtype="int32")
    e = L.Embedding(12, 4, mask_zero=True)(x)
    s = L.LSTM(5, return_sequences=True)(e)
    b = L.Bidirectional(L.GRU(3))(s)
    return keras.Model(x, L.Dense(1)(b), name="masked")


def build_masking(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((6, 3)), L.Masking(0.0),
                             L.SimpleRNN(3, return_sequences=True),
                             L.Bidirectional(L.LSTM(2, return_sequences=True), merge_mode="sum"),
                             L.LSTM(2, go_backwards=True)], name="masking")


def build_masked_seq(keras):
    """A per-step output: the loss and the metric skip the masked steps."""
    L = keras.layers
    return keras.Sequential([keras.Input((6,), dtype="int32"),
                             L.Embedding(9, 3, mask_zero=True),
                             L.GRU(4, return_sequences=True),
                             L.TimeDistributed(L.Dense(1))], name="masked_seq")


def build_masked_pool(keras):
    """GlobalAveragePooling1D averages over the kept steps only."""
    L = keras.layers
    return keras.Sequential([keras.Input((6,), dtype="int32"),
                             L.Embedding(9, 3, mask_zero=True),
                             L.GlobalAveragePooling1D(), L.Dense(2)], name="masked_pool")


def build_merged_masks(keras):
    """Masks through merge layers: Add/Average (OR), Multiply (1 at masked steps), Maximum
    (a masked value defers), Concatenate on features (an unmasked input unmasks all) and on
    time (the masks concatenated); each feeds a GRU that skips the masked steps."""
    L = keras.layers
    a, b = keras.Input((5,), dtype="int32"), keras.Input((5,), dtype="int32")
    ea, eb = L.Embedding(7, 3, mask_zero=True)(a), L.Embedding(7, 3, mask_zero=True)(b)
    plain = L.Embedding(7, 3)(a)
    merged = [L.Add()([ea, eb]), L.Average()([ea, eb]), L.Multiply()([ea, eb]),
              L.Maximum()([ea, eb]), L.Minimum()([ea, eb]), L.Concatenate()([ea, plain]),
              L.Concatenate(axis=1)([ea, eb]), L.Add()([ea, plain])]
    return keras.Model([a, b], [L.GRU(2, return_sequences=True)(m) for m in merged],
                       name="merged_masks")


def build_cells(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((5, 3)),
                             L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]),
                                   return_sequences=True),
                             L.RNN(L.SimpleRNNCell(2), return_sequences=True, go_backwards=True),
                             L.RNN(L.LSTMCell(2))], name="cells")


def minimal_cell_class(keras, matmul=None):
    """The user-defined cell of Keras's RNN docs (state_size, build, call(inputs, states)).
    `matmul`: keras.ops.matmul here; the tests pass tfgraph's."""
    matmul = matmul or keras.ops.matmul

    class MinimalRNNCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="uniform",
                                                    name="recurrent_kernel")
            self.built = True

        def call(self, inputs, states):
            prev_output = states[0]
            h = matmul(inputs, self.kernel)
            output = h + matmul(prev_output, self.recurrent_kernel)
            return output, [output]

        def get_config(self):
            return {**super().get_config(), "units": self.units}
    return MinimalRNNCell


def build_custom_cell(keras, matmul=None):
    cell = minimal_cell_class(keras, matmul)
    x = keras.Input((4, 3))
    return keras.Model(x, keras.layers.RNN(cell(2), return_sequences=True)(x), name="custom")


def build_stateful(keras):
    L = keras.layers
    return keras.Sequential([keras.Input(batch_shape=(2, 4, 3)),
                             L.LSTM(3, stateful=True, return_sequences=True),
                             L.RNN(L.SimpleRNNCell(2), stateful=True, return_sequences=True),
                             L.GRU(2, stateful=True)], name="stateful")


def set_weights(model, seed):
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-0.6, 0.6, w.shape).astype(np.float32)
                       for w in model.get_weights()])


def save(name, model, arrays, h5=False, zipped=True):
    model.save_weights(os.path.join(HERE, "keras_wrappers_%s.weights.h5" % name))
    if zipped:
        model.save(os.path.join(HERE, "keras_wrappers_%s.keras" % name))
    if h5:
        model.save(os.path.join(HERE, "keras_wrappers_%s.h5" % name))
    arrays["weight_paths"] = np.array(json.dumps([w.path for w in model.weights]))
    arrays["weight_shapes"] = np.array(json.dumps([list(w.shape) for w in model.weights]))
    np.savez(os.path.join(HERE, "keras_wrappers_%s.npz" % name), **arrays)


def predict(model, x):
    y = model.predict(x, verbose=0)
    return {"y%d" % i: v for i, v in enumerate(y)} if isinstance(y, list) else {"y0": y}


def main():
    import keras
    rng = np.random.RandomState(0)
    for name, build, x, h5, zipped in (
            ("bidi", build_bidi, rng.randn(3, 6, 3), True, True),
            ("bidi_modes", build_bidi_modes, rng.randn(3, 5, 3), False, False),
            ("tdist", build_tdist, rng.randn(3, 5, 4), True, True),
            ("tdist_conv", build_tdist_conv, rng.randn(2, 3, 6, 6, 2), False, False),
            ("cells", build_cells, rng.randn(3, 5, 3), True, True)):
        model = build(keras)
        set_weights(model, 1)
        x = x.astype(np.float32)
        save(name, model, dict(x=x, **predict(model, x)), h5=h5, zipped=zipped)

    # masking: right-padded, left-padded, holes, all masked, none masked
    ids = np.array([[3, 5, 1, 0, 0, 0, 0], [0, 0, 4, 7, 2, 9, 11], [6, 0, 2, 0, 8, 0, 1],
                    [0, 0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7]], np.int32)
    model = build_masked(keras)
    set_weights(model, 2)
    save("masked", model, dict(x=ids, **predict(model, ids)), h5=True)

    xm = rng.randn(4, 6, 3).astype(np.float32)
    xm[0, 3:] = 0.0
    xm[1, :2] = 0.0
    xm[2, 2] = 0.0
    xm[3, 4, 1] = 0.0       # one zero feature: not masked
    model = build_masking(keras)
    set_weights(model, 3)
    save("masking", model, dict(x=xm, **predict(model, xm)), zipped=False)

    # a training trajectory through a masked loss and metric
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [0, 6, 7, 8, 1, 2],
                    [3, 3, 3, 3, 3, 0]], np.int32)
    target = rng.randn(4, 6, 1).astype(np.float32)
    model = build_masked_seq(keras)
    set_weights(model, 4)
    w0 = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    hist = model.fit(ids, target, batch_size=4, epochs=5, shuffle=False, verbose=0)
    ev = model.evaluate(ids, target, verbose=0)
    model.set_weights(w0)
    save("masked_seq", model, dict(x=ids, target=target, loss=np.array(hist.history["loss"]),
                                   mae=np.array(hist.history["mae"]), evaluate=np.array(ev),
                                   **predict(model, ids)), zipped=False)

    model = build_masked_pool(keras)
    set_weights(model, 9)
    ids = np.array([[1, 2, 0, 0, 0, 0], [0, 3, 4, 5, 0, 6], [7, 8, 1, 2, 3, 4]], np.int32)
    save("masked_pool", model, dict(x=ids, **predict(model, ids)), zipped=False)

    model = build_merged_masks(keras)
    set_weights(model, 10)
    ids_a = np.array([[1, 2, 0, 0, 0], [0, 3, 4, 0, 6], [5, 6, 1, 2, 3]], np.int32)
    ids_b = np.array([[2, 0, 3, 0, 0], [0, 0, 4, 5, 1], [0, 0, 0, 0, 0]], np.int32)
    y = model.predict([ids_a, ids_b], verbose=0)
    save("merged_masks", model, dict(a=ids_a, b=ids_b, **{"y%d" % i: v for i, v in enumerate(y)}),
         zipped=False)

    model = build_custom_cell(keras)
    set_weights(model, 5)
    x = rng.randn(3, 4, 3).astype(np.float32)
    model.save_weights(os.path.join(HERE, "keras_wrappers_custom.weights.h5"))
    np.savez(os.path.join(HERE, "keras_wrappers_custom.npz"), x=x, **predict(model, x),
             weight_paths=np.array(json.dumps([w.path for w in model.weights])))

    model = build_stateful(keras)
    set_weights(model, 6)
    x1, x2 = rng.randn(2, 4, 3).astype(np.float32), rng.randn(2, 4, 3).astype(np.float32)
    y1 = model.predict(x1, verbose=0)
    y2 = model.predict(x2, verbose=0)
    for layer in model.layers:     # Keras 3 models have no reset_states(); the layers do
        layer.reset_states()
    y3 = model.predict(x2, verbose=0)
    for layer in model.layers:
        layer.reset_states()
    save("stateful", model, dict(x1=x1, x2=x2, y1=y1, y2=y2, y3=y3), zipped=False)




def batchnorm_training_call():
    """model(x, training=True) on a model with BatchNormalization: Keras 3 updates the moving
    statistics (momentum 0.99), so the following predict changes."""
    import keras
    L = keras.layers
    model = keras.Sequential([keras.Input((3,)), L.Dense(4), L.BatchNormalization()])
    set_weights(model, 7)
    w0 = [w.copy() for w in model.get_weights()]
    w0[-1] = np.abs(w0[-1]) + 0.2        # a positive moving variance
    model.set_weights(w0)
    x = np.random.RandomState(8).randn(6, 3).astype(np.float32) * 2 + 1
    y_train = [np.asarray(model(x, training=True)) for _ in range(2)]
    np.savez(os.path.join(HERE, "keras_wrappers_bn_call.npz"), x=x, y_train=np.stack(y_train),
             y_predict=model.predict(x, verbose=0),
             **{"w%d" % i: w for i, w in enumerate(w0)},
             moving_mean=model.layers[1].moving_mean.numpy(),
             moving_variance=model.layers[1].moving_variance.numpy())


def build_keras2(keras):
    """A Keras 2 (tf_keras) model with Embedding(mask_zero), Bidirectional, TimeDistributed and
    a stateless RNN(cell), saved as a Keras 2 .h5 file."""
    L = keras.layers
    return keras.Sequential([L.Embedding(9, 3, mask_zero=True, input_length=6),
                             L.Bidirectional(L.LSTM(3, return_sequences=True)),
                             L.TimeDistributed(L.Dense(2, activation="tanh")),
                             L.RNN(L.GRUCell(2), return_sequences=True),
                             L.Bidirectional(L.GRU(2), merge_mode="ave")], name="keras2")


def keras2_files():
    import tf_keras
    model = build_keras2(tf_keras)
    set_weights(model, 11)
    ids = np.array([[1, 2, 3, 0, 0, 0], [0, 0, 4, 5, 6, 7], [8, 1, 0, 2, 0, 3]], np.int32)
    model.save(os.path.join(HERE, "keras_wrappers_keras2.h5"))
    np.savez(os.path.join(HERE, "keras_wrappers_keras2.npz"), x=ids,
             y0=model.predict(ids, verbose=0), keras_version=tf_keras.__version__,
             weight_names=np.array(json.dumps([w.name for w in model.weights])))


if __name__ == "__main__":
    main()
    batchnorm_training_call()
    keras2_files()
