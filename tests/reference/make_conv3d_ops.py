"""Writes tests/data/tf_conv3d_ops.npz from TensorFlow 2.x (tf.compat.v1 ops) for
tests/tfgraph/ops/test_conv3d_ops.py: conv3d, conv3d_transpose, max_pool3d, avg_pool3d and
their gradients for the CASES below, on seeded inputs.
Run it with the TensorFlow virtualenv (tfgraph never imports TensorFlow):
    /root/venvs/tf/bin/python tests/reference/make_conv3d_ops.py
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")

# name: (x shape, filter shape (KD, KH, KW, C, F) or ksize, strides, padding, dilations)
CONV = {"valid": ((2, 4, 5, 6, 2), (2, 3, 2, 2, 3), (1, 1, 1), "VALID", (1, 1, 1)),
        "same_strided": ((2, 5, 4, 7, 3), (3, 2, 3, 3, 2), (2, 1, 3), "SAME", (1, 1, 1)),
        "same_even": ((1, 6, 5, 4, 2), (2, 2, 3, 2, 2), (2, 2, 2), "SAME", (1, 1, 1))}
# TensorFlow's CPU Conv3D has no dilations: tfgraph's are tested against numpy loops only.
POOL = {"valid": ((2, 4, 5, 6, 2), (2, 2, 3), (2, 1, 3), "VALID"),
        "same": ((2, 5, 4, 3, 2), (3, 2, 2), (2, 2, 1), "SAME")}
TRANSPOSE = {"same": ((2, 3, 2, 4, 3), (2, 3, 2, 2, 3), (2, 2, 1), "SAME", (2, 6, 4, 4, 2)),
             "valid": ((1, 2, 3, 2, 2), (3, 2, 2, 3, 2), (1, 2, 2), "VALID", (1, 4, 6, 5, 3))}


def main():
    import tensorflow as tf
    rng = np.random.RandomState(9)
    out = {}
    for name, (xs, ws, st, pad, dil) in CONV.items():
        x = tf.constant(rng.randn(*xs))
        w = tf.constant(rng.randn(*ws))
        dy = None
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([x, w])
            y = tf.nn.conv3d(x, w, strides=(1,) + st + (1,), padding=pad,
                             dilations=(1,) + dil + (1,))
            dy = tf.constant(rng.randn(*y.shape))
            loss = tf.reduce_sum(y * dy)
        gx, gw = tape.gradient(loss, [x, w])
        out.update({"conv_%s_%s" % (name, k): np.asarray(v) for k, v in
                    dict(x=x, w=w, y=y, dy=dy, gx=gx, gw=gw).items()})
    for name, (xs, ks, st, pad) in POOL.items():
        x = tf.constant(rng.randn(*xs).astype(np.float32))   # TF pools 3-D in float32 only
        for kind, fn in (("max", tf.nn.max_pool3d), ("avg", tf.nn.avg_pool3d)):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = fn(x, ksize=(1,) + ks + (1,), strides=(1,) + st + (1,), padding=pad)
                dy = tf.constant(rng.randn(*y.shape).astype(np.float32))
                loss = tf.reduce_sum(y * dy)
            out.update({"%s_%s_%s" % (kind, name, k): np.asarray(v) for k, v in
                        dict(x=x, y=y, dy=dy, gx=tape.gradient(loss, x)).items()})
    for name, (xs, ws, st, pad, os_) in TRANSPOSE.items():
        x = tf.constant(rng.randn(*xs))
        w = tf.constant(rng.randn(*ws))
        y = tf.nn.conv3d_transpose(x, w, os_, strides=(1,) + st + (1,), padding=pad)
        out.update({"transpose_%s_%s" % (name, k): np.asarray(v)
                    for k, v in dict(x=x, w=w, y=y).items()})
    np.savez(os.path.join(HERE, "tf_conv3d_ops.npz"), **out)
    print(sorted(out))


if __name__ == "__main__":
    main()
