"""tf.layers graphs built the same way by make_layers_reference.py (TensorFlow) and by the test.

Each case builds a graph with `tf` (tensorflow.compat.v1 or tfgraph), assigns every variable a
fixed value, runs the outputs and returns a JSON record: variables (name, shape, trainable),
output names and values, UPDATE_OPS / REGULARIZATION_LOSSES counts and values after updates.
"""
import numpy as np


def fixed(shape, salt):
    n = int(np.prod(shape)) if len(shape) else 1
    v = np.sin(np.arange(n, dtype=np.float64) * 0.7 + salt) * 0.5
    return v.reshape(shape).astype(np.float32)


def _finish(tf, outputs, feed=None, extra=None):
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    variables = tf.global_variables()
    for i, v in enumerate(variables):
        sess.run(tf.assign(v, fixed(v.shape.as_list(), i + 1)))
    trainable = {v.name for v in tf.trainable_variables()}
    rec = {"variables": [[v.name, v.shape.as_list(), v.name in trainable] for v in variables],
           "names": [t.name for t in outputs],
           "values": [np.asarray(x).tolist() for x in sess.run(outputs, feed)]}
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    rec["n_updates"] = len(updates)
    if updates:
        sess.run(updates, feed)
        rec["after_update"] = {v.name: sess.run(v).tolist() for v in variables
                               if "moving" in v.name}
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    rec["regularization"] = [float(x) for x in sess.run(reg)]
    if extra:
        rec.update(extra(sess))
    sess.close()
    return rec


def case_dense(tf):
    x = tf.constant(fixed([3, 5], 0.3))
    h = tf.layers.dense(x, 4, activation=tf.nn.relu)
    y = tf.layers.dense(h, 2, use_bias=False, name="out")
    x3 = tf.constant(fixed([2, 3, 5], 0.1))
    z = tf.layers.dense(x3, 4)
    layer = tf.layers.Dense(3, activation=tf.nn.tanh)
    a, b = layer(x), layer(x * 2.0)
    return _finish(tf, [h, y, z, a, b])


def case_scopes(tf):
    x = tf.constant(fixed([2, 4], 0.2))
    with tf.variable_scope("model"):
        a = tf.layers.dense(x, 3, name="fc")
        b = tf.layers.dense(x, 3)
    with tf.variable_scope("model", reuse=True):
        c = tf.layers.dense(x * 2.0, 3, name="fc")
    d = tf.layers.dense(x, 2, name="shared")
    e = tf.layers.dense(x, 2, name="shared", reuse=True)
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
        f = tf.layers.dense(x, 2, name="fc")
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
        g = tf.layers.dense(x, 2, name="fc")
    h = tf.layers.dense(x, 2)
    try:
        tf.layers.dense(x, 2, name="shared")
        err = None
    except ValueError as ex:
        err = str(ex).split(" Originally defined at")[0].split("\n")[0]
    return _finish(tf, [a, b, c, d, e, f, g, h], extra=lambda s: {"duplicate_error": err})


def case_conv(tf):
    x = tf.constant(fixed([2, 6, 6, 3], 0.4))
    a = tf.layers.conv2d(x, 4, 3, strides=2, padding="same", activation=tf.nn.relu)
    b = tf.layers.conv2d(x, 2, [3, 2], dilation_rate=2, use_bias=False)
    x1 = tf.constant(fixed([2, 8, 3], 0.5))
    c = tf.layers.conv1d(x1, 4, 3, padding="same")
    d = tf.layers.conv1d(x1, 2, 2, strides=2)
    e = tf.layers.conv2d_transpose(x, 2, 3, strides=2, padding="same")
    f = tf.layers.conv2d_transpose(x, 3, [2, 3], strides=[2, 1], padding="valid")
    g = tf.layers.Conv2D(2, 1, name="pointwise")(x)
    return _finish(tf, [a, b, c, d, e, f, g])


def case_pool_flatten_dropout(tf):
    x = tf.constant(fixed([2, 5, 5, 3], 0.6))
    x1 = tf.constant(fixed([2, 7, 3], 0.7))
    outs = [tf.layers.max_pooling2d(x, 2, 2),
            tf.layers.average_pooling2d(x, 3, 2, padding="same"),
            tf.layers.max_pooling1d(x1, 2, 2, padding="same"),
            tf.layers.average_pooling1d(x1, 3, 1),
            tf.layers.MaxPooling2D([2, 3], [1, 2])(x),
            tf.layers.flatten(x),
            tf.layers.Flatten()(x1),
            tf.layers.dropout(x1, 0.5),
            tf.layers.dropout(x1, rate=0.3, training=False)]
    return _finish(tf, outs)


def case_batch_norm_dense(tf):
    x = tf.constant(fixed([6, 3], 0.8) * 3.0 + 1.0)
    y = tf.layers.batch_normalization(x, training=True)
    return _finish(tf, [y])


def case_batch_norm_conv(tf):
    x = tf.constant(fixed([2, 3, 3, 2], 0.9) * 2.0 - 0.5)
    y = tf.layers.batch_normalization(x, training=True, momentum=0.9, name="bn")
    return _finish(tf, [y])


def case_batch_norm_inference(tf):
    x = tf.constant(fixed([4, 3], 1.0))
    y = tf.layers.batch_normalization(x)
    z = tf.layers.batch_normalization(x, center=False, scale=False, epsilon=0.01, training=False)
    return _finish(tf, [y, z])


def case_batch_norm_placeholder(tf):
    x = tf.constant(fixed([5, 4], 1.1) + 0.5)
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training)
    layer = tf.layers.BatchNormalization(axis=1)
    z = layer(tf.constant(fixed([2, 3, 2, 2], 1.2)), training=True)
    return _finish(tf, [y, z], feed={training: True})


def case_regularizers(tf):
    x = tf.constant(fixed([3, 4], 1.3))

    def l2(w):
        return 0.1 * tf.reduce_sum(tf.square(w))
    a = tf.layers.dense(x, 2, kernel_regularizer=l2, bias_regularizer=l2)
    b = tf.layers.conv1d(tf.reshape(x, [3, 4, 1]), 2, 2, kernel_regularizer=l2)
    with tf.variable_scope("s", regularizer=l2):
        c = tf.layers.dense(x, 1, name="scoped")
    return _finish(tf, [a, b, c])


def case_model_fn_reuse(tf):
    # The TF1 idiom: one model function built twice, the second time in a reusing scope.
    def model(x, training):
        h = tf.layers.conv2d(x, 3, 2, activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 1)
        h = tf.layers.batch_normalization(h, training=training)
        return tf.layers.dense(tf.layers.flatten(h), 2)
    x = tf.constant(fixed([2, 4, 4, 1], 1.4))
    with tf.variable_scope("net"):
        a = model(x, True)
    with tf.variable_scope("net", reuse=True):
        b = model(x * 2.0, False)
    return _finish(tf, [a, b])


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}
