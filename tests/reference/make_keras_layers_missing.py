"""Writes the keras_layers_missing_* fixtures (tests/data) from real Keras 3, for
tests/tfgraph_keras/layers/test_keras_missing_layers.py: Attention, AdditiveAttention,
MultiHeadAttention, the regularization/reshaping layers issue 19 lists, Conv1DTranspose and
SeparableConv1D. Each model is built by a `build_*(keras)` function that the tests run on
tfgraph_keras too; weights are set from a seeded RandomState, Keras's predictions, weight paths,
shapes and layer configs go to an .npz, and some models are saved as .weights.h5 / .keras.
ThresholdedReLU left Keras 3: its case comes from tf_keras (Keras 2) in the same virtualenv.
Run it with the TensorFlow virtualenv (tfgraph never imports TensorFlow; Keras 3.15.1 wrote them):
    /root/venvs/tf/bin/python tests/reference/make_keras_layers_missing.py
"""
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def build_attention(keras):
    L = keras.layers
    q, v, k = keras.Input((4, 3)), keras.Input((5, 3)), keras.Input((5, 3))
    a1 = L.Attention(use_scale=True)([q, v])
    a2, s2 = L.Attention(score_mode="concat", use_scale=True)([q, v, k],
                                                             return_attention_scores=True)
    a3 = L.Attention()([q, q], use_causal_mask=True)
    a4 = L.AdditiveAttention()([q, v, k])
    a5 = L.AdditiveAttention(use_scale=False)([q, v])
    return keras.Model([q, v, k], [a1, a2, s2, a3, a4, a5], name="attention")


def build_attention_masked(keras):
    L = keras.layers
    x = keras.Input((5,), dtype="int32")
    e = L.Embedding(10, 3, mask_zero=True)(x)
    a = L.Attention()([e, e])
    b = L.AdditiveAttention()([e, e])
    return keras.Model(x, [a, b], name="attention_masked")


def build_mha(keras):
    L = keras.layers
    q, v, k = keras.Input((4, 6)), keras.Input((5, 6)), keras.Input((5, 2))
    am = keras.Input((4, 5), dtype="int32")
    m1 = L.MultiHeadAttention(2, 3)(q, v)
    m2, s2 = L.MultiHeadAttention(2, 3, value_dim=4, output_shape=5)(
        q, v, key=k, return_attention_scores=True)
    m3 = L.MultiHeadAttention(1, 2, use_bias=False)(q, q, use_causal_mask=True)
    m4 = L.MultiHeadAttention(3, 2)(q, v, attention_mask=am)
    return keras.Model([q, v, k, am], [m1, m2, s2, m3, m4], name="mha")


def build_mha_masked(keras):
    L = keras.layers
    x = keras.Input((5,), dtype="int32")
    e = L.Embedding(10, 4, mask_zero=True)(x)
    m = L.MultiHeadAttention(2, 2)(e, e)
    return keras.Model(x, L.GlobalAveragePooling1D()(m), name="mha_masked")


def build_misc(keras):
    L = keras.layers
    x = keras.Input((6, 4))
    y = L.GaussianDropout(0.3)(x)
    y = L.AlphaDropout(0.2)(y)
    y = L.ActivityRegularization(l1=0.01, l2=0.02)(y)
    u = L.UnitNormalization()(y)
    u2 = L.UnitNormalization(axis=[1, 2])(y)
    c = L.Cropping1D((1, 2))(u)
    c2 = L.Cropping1D(1)(y)
    return keras.Model(x, [u, u2, c, c2], name="misc")


def build_pad3d(keras):
    L = keras.layers
    x = keras.Input((3, 4, 5, 2))
    p = L.ZeroPadding3D(((1, 0), (0, 2), (1, 1)))(x)
    p2 = L.ZeroPadding3D(1)(x)
    c = L.Cropping3D(((1, 1), (0, 1), (2, 0)))(p)
    c2 = L.Cropping3D(1)(p2)
    u = L.UpSampling3D((2, 1, 2))(x)
    u2 = L.UpSampling3D(2)(x)
    return keras.Model(x, [p, p2, c, c2, u, u2], name="pad3d")


def build_conv1d(keras):
    L = keras.layers
    x = keras.Input((7, 2))
    t1 = L.Conv1DTranspose(3, 3, strides=2, padding="same")(x)
    t2 = L.Conv1DTranspose(2, 4, strides=3, padding="valid", activation="relu")(x)
    t3 = L.Conv1DTranspose(2, 3, use_bias=False)(x)
    s1 = L.SeparableConv1D(4, 3, depth_multiplier=2)(x)
    s2 = L.SeparableConv1D(3, 2, strides=2, padding="same", activation="tanh")(x)
    return keras.Model(x, [t1, t2, t3, s1, s2], name="conv1d")


def build_conv3d(keras):
    L = keras.layers
    x = keras.Input((4, 5, 6, 2))
    c1 = L.Conv3D(3, (2, 3, 2), strides=(1, 2, 1), padding="same", activation="relu")(x)
    c2 = L.Conv3D(2, 2, use_bias=False)(x)
    t1 = L.Conv3DTranspose(2, (2, 2, 3), strides=(2, 1, 2), padding="valid")(c1)
    t2 = L.Conv3DTranspose(3, 3, strides=2, padding="same")(x)
    m1 = L.MaxPooling3D((2, 2, 2))(x)
    m2 = L.MaxPooling3D((2, 3, 2), strides=(1, 2, 2), padding="same")(x)
    a1 = L.AveragePooling3D(2, strides=1, padding="same")(x)
    a2 = L.AveragePooling3D((2, 2, 3))(x)
    g1 = L.GlobalMaxPooling3D()(c1)
    g2 = L.GlobalAveragePooling3D(keepdims=True)(x)
    return keras.Model(x, [c1, c2, t1, t2, m1, m2, a1, a2, g1, g2], name="conv3d")


CASES = {"attention": build_attention, "attention_masked": build_attention_masked,
         "mha": build_mha, "mha_masked": build_mha_masked, "misc": build_misc,
         "pad3d": build_pad3d, "conv1d": build_conv1d,
         "conv3d": build_conv3d}
SAVED = {"attention": (".weights.h5", ".keras"), "mha": (".weights.h5", ".keras"),
         "mha_masked": (".keras",), "conv1d": (".weights.h5",),
         "conv3d": (".weights.h5",)}


def inputs_for(name, model, rng):
    xs = []
    for t in model.inputs:
        shape = (3,) + tuple(t.shape[1:])
        if name == "mha" and "int" in str(t.dtype):
            xs.append((rng.rand(*shape) > 0.3).astype(np.int32))
            xs[-1][..., 0] = 1   # every query keeps one key
        elif "int" in str(t.dtype):
            ids = rng.randint(1, 10, shape).astype(np.int32)
            ids[0, 3:] = 0
            ids[1, :1] = 0
            ids[2, 4:] = 0
            xs.append(ids)
        else:
            xs.append(rng.randn(*shape).astype(np.float32))
    return xs


def record(keras, name, build):
    rng = np.random.RandomState(7)
    keras.utils.clear_session() if hasattr(keras.utils, "clear_session") else None
    model = build(keras)
    model.set_weights([np.asarray(rng.randn(*w.shape) * 0.5, np.float32)
                       for w in model.get_weights()])
    xs = inputs_for(name, model, rng)
    ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    ys = ys if isinstance(ys, list) else [ys]
    out = {"x%d" % i: x for i, x in enumerate(xs)}
    out.update({"y%d" % i: np.asarray(y) for i, y in enumerate(ys)})
    out["weight_paths"] = json.dumps([w.path for w in model.weights])
    out["weight_shapes"] = json.dumps([list(w.shape) for w in model.weights])
    out["configs"] = json.dumps([{"class_name": type(layer).__name__,
                                  "config": layer.get_config()}
                                 for layer in model.layers], default=str)
    if name == "misc":
        model(xs[0])
        out["activity_loss"] = np.float32(sum(float(v) for v in model.losses))
    np.savez(os.path.join(HERE, "keras_layers_missing_%s.npz" % name), **out)
    for ext in SAVED.get(name, ()):
        path = os.path.join(HERE, "keras_layers_missing_%s%s" % (name, ext))
        if ext == ".weights.h5":
            model.save_weights(path)
        else:
            model.save(path)
    print(name, [y.shape for y in ys])


ADAPT = np.random.RandomState(4).randn(50, 3, 4).astype(np.float32) * [1, 2, 3, 4] + [0, 1, 2, 3]


def build_prep(keras, adapt=True):
    """CategoryEncoding modes and Normalization adapted on ADAPT (axis -1, None, (1, 2)), given
    mean/variance, and inverted."""
    L = keras.layers
    ids = keras.Input((3,), dtype="int32")
    one = keras.Input((1,), dtype="int32")
    x = keras.Input((3, 4))
    e1 = L.CategoryEncoding(6)(ids)
    e2 = L.CategoryEncoding(6, output_mode="count")(ids)
    e3 = L.CategoryEncoding(6, output_mode="one_hot")(ids)
    e4 = L.CategoryEncoding(5, output_mode="one_hot")(one)
    n1, n2, n3 = L.Normalization(), L.Normalization(axis=None), L.Normalization(axis=(1, 2))
    if adapt:
        for layer in (n1, n2, n3):
            layer.adapt(ADAPT)
    y1, y2, y3 = n1(x), n2(x), n3(x)
    y4 = L.Normalization(mean=[0.5, 1.0, -1.0, 2.0], variance=[4.0, 1.0, 0.25, 9.0])(x)
    y5 = L.Normalization(mean=2.0, variance=9.0, invert=True)(x)
    return keras.Model([ids, one, x], [e1, e2, e3, e4, y1, y2, y3, y4, y5], name="prep")


def record_prep():
    import keras
    rng = np.random.RandomState(6)
    model = build_prep(keras)
    xs = [rng.randint(0, 6, (4, 3)).astype(np.int32), rng.randint(0, 5, (4, 1)).astype(np.int32),
          rng.randn(4, 3, 4).astype(np.float32) * 2]
    ys = model.predict(xs, verbose=0)
    out = {"x%d" % i: x for i, x in enumerate(xs)}
    out.update({"y%d" % i: np.asarray(y) for i, y in enumerate(ys)})
    out["weight_paths"] = json.dumps([w.path for w in model.weights])
    out["weight_shapes"] = json.dumps([list(w.shape) for w in model.weights])
    out["weight_dtypes"] = json.dumps([str(w.dtype) for w in model.weights])
    out["weights"] = json.dumps([np.asarray(w).tolist() for w in model.get_weights()])
    out["configs"] = json.dumps([{"class_name": type(layer).__name__,
                                  "config": layer.get_config()}
                                 for layer in model.layers], default=str)
    layer = keras.layers.CategoryEncoding(4, output_mode="count")
    out["count_weighted"] = np.asarray(layer(np.array([[0, 1, 1], [3, 3, 2]]),
                                             count_weights=np.array([[0.5, 1.0, 2.0],
                                                                     [1.0, 1.0, 0.5]])))
    np.savez(os.path.join(HERE, "keras_layers_missing_prep.npz"), **out)
    model.save(os.path.join(HERE, "keras_layers_missing_prep.keras"))
    print("prep", [y.shape for y in ys])


def build_train(keras):
    """A small attention + 3-D conv model trained by SGD: the loss trajectory checks gradients."""
    L = keras.layers
    x = keras.Input((4, 6))
    a = L.MultiHeadAttention(2, 3)(x, x)
    b = L.Attention(use_scale=True)([a, x])
    c = L.Reshape((2, 2, 6, 1))(L.UnitNormalization()(b))
    c = L.Conv3D(2, (1, 2, 3), padding="same", activation="tanh")(c)
    c = L.AveragePooling3D((1, 2, 2))(c)
    y = L.Dense(1)(L.Flatten()(c))
    return keras.Model(x, y, name="train")


def record_train():
    import keras
    rng = np.random.RandomState(8)
    model = build_train(keras)
    model.set_weights([np.asarray(rng.randn(*w.shape) * 0.3, np.float32)
                       for w in model.get_weights()])
    x = rng.randn(16, 4, 6).astype(np.float32)
    y = rng.randn(16, 1).astype(np.float32)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=6, shuffle=False, verbose=0)
    np.savez(os.path.join(HERE, "keras_layers_missing_train.npz"), x=x, y=y,
             loss=np.asarray(history.history["loss"]),
             weight_shapes=json.dumps([list(w.shape) for w in model.weights]))
    print("train", history.history["loss"])


def record_thresholded():
    """ThresholdedReLU from Keras 2 (tf_keras): Keras 3 dropped it."""
    import tf_keras
    rng = np.random.RandomState(5)
    x = rng.randn(4, 5).astype(np.float32)
    layer = tf_keras.layers.ThresholdedReLU(theta=0.3)
    y = layer(x).numpy()
    y_default = tf_keras.layers.ThresholdedReLU()(x).numpy()
    np.savez(os.path.join(HERE, "keras_layers_missing_thresholded.npz"), x=x, y=y,
             y_default=y_default, config=json.dumps(layer.get_config()))


def main(names=None):
    """All cases, or those named on the command line."""
    import keras
    for name, build in CASES.items():
        if not names or name in names:
            record(keras, name, build)
    if not names or "thresholded" in names:
        record_thresholded()
    if not names or "prep" in names:
        record_prep()
    if not names or "train" in names:
        record_train()


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
