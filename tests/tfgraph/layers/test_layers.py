"""tf.layers behaviour beyond the recorded parity cases: dropout's training switch, batch-norm
updates driven through UPDATE_OPS in a training loop, layer objects, errors."""
import numpy as np
import pytest

import tfgraph as tf


def test_dropout_training_switch():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        x = tf.ones([200, 50])
        training = tf.placeholder(tf.bool, [])
        y = tf.layers.dropout(x, rate=0.25, training=training)
        z = tf.layers.dropout(x, rate=0.25, training=True)
        with tf.Session() as sess:
            off = sess.run(y, {training: False})
            on = sess.run(y, {training: True})
            always = sess.run(z)
    np.testing.assert_array_equal(off, np.ones((200, 50), np.float32))
    for out in (on, always):
        kept = out != 0
        assert 0.7 < kept.mean() < 0.8
        np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)


def test_batch_norm_update_ops_in_training_loop():
    rng = np.random.RandomState(0)
    data = rng.normal(3.0, 2.0, size=(64, 4)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        training = tf.placeholder(tf.bool, [])
        h = tf.layers.batch_normalization(x, training=training, momentum=0.5)
        loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1) - 1.0))
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        assert len(update_ops) == 2
        with tf.control_dependencies(update_ops):
            train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        mm, mv = [v for v in tf.global_variables() if "moving" in v.name]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(30):
                sess.run(train, {x: data, training: True})
            mean, var = sess.run([mm, mv])
            before = sess.run([mm, mv])
            sess.run(train, {x: data, training: False})  # inference: the stats stay put
            after = sess.run([mm, mv])
    np.testing.assert_allclose(mean, data.mean(0), rtol=1e-4)
    np.testing.assert_allclose(var, data.var(0), rtol=1e-4)  # 2-D input: biased variance
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])


def test_layer_object_shares_weights_and_lists_them():
    with tf.Graph().as_default():
        layer = tf.layers.Dense(3, name="proj")
        a = layer(tf.ones([2, 4]))
        b = layer(tf.zeros([5, 4]))
        assert [v.name for v in layer.trainable_weights] == ["proj/kernel:0", "proj/bias:0"]
        assert len(tf.trainable_variables()) == 2
        assert a.shape.as_list() == [2, 3] and b.shape.as_list() == [5, 3]
        bn = tf.layers.BatchNormalization()
        bn(tf.ones([2, 3]), training=True)
        assert [v.name for v in bn.non_trainable_weights] == [
            "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
        assert len(bn.updates) == 2


def test_bad_inputs_name_the_layer():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="conv2d.*expected ndim=4"):
            tf.layers.conv2d(tf.ones([2, 5, 3]), 4, 3)
        with pytest.raises(ValueError, match="padding"):
            tf.layers.max_pooling2d(tf.ones([1, 4, 4, 1]), 2, 2, padding="full")
        with pytest.raises(ValueError, match="last dimension of the inputs to `Dense`"):
            tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)
        with pytest.raises(ValueError, match="does not exist"):
            tf.layers.dense(tf.ones([1, 2]), 3, name="never", reuse=True)


def test_tf_layers_mlp_learns():
    rng = np.random.RandomState(1)
    xs = rng.normal(size=(256, 2)).astype(np.float32)
    ys = (xs[:, 0] * xs[:, 1] > 0).astype(np.int64)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.int64, [None])
        h = tf.layers.dense(x, 32, activation=tf.nn.relu)
        logits = tf.layers.dense(h, 2)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([train, loss], {x: xs, y: ys})[1] for _ in range(150)]
    assert losses[-1] < 0.25 * losses[0]


def test_gradients_through_layers():
    # float64 graphs: the numeric Jacobian of conv2d_transpose -> batch norm (training) -> dense
    # with respect to the input and to the layers' kernels.
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3, 3, 2])
        init = tf.random_normal_initializer(stddev=0.5, seed=3, dtype=tf.float64)
        h = tf.layers.conv2d_transpose(x, 2, 2, strides=2, kernel_initializer=init)
        h = tf.layers.batch_normalization(h, training=True)
        h = tf.layers.max_pooling2d(h, 2, 2)
        y = tf.layers.dense(tf.layers.flatten(h), 3, kernel_initializer=init,
                            activation=tf.nn.tanh)
        kernels = [v for v in tf.trainable_variables() if v.name.endswith("kernel:0")]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            x0 = np.random.RandomState(0).normal(size=(2, 3, 3, 2))
            err = tf.test.compute_gradient_error(x, [2, 3, 3, 2], y, [2, 3], x_init_value=x0,
                                                 sess=sess)
            werr = tf.test.compute_gradient_error(kernels, [k.shape.as_list() for k in kernels],
                                                  y, [2, 3], extra_feed_dict={x: x0}, sess=sess)
    assert err < 1e-5 and werr < 1e-4, (err, werr)  # central differences, delta 1e-3


def test_user_layer_subclass():
    class Scale(tf.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_variable("w", [input_shape.as_list()[-1]],
                                       initializer=tf.constant_initializer(2.0))

        def call(self, inputs):
            return inputs * self.w

    with tf.Graph().as_default():
        with tf.name_scope("outer"):
            y = Scale()(tf.ones([2, 3]))
        assert [v.name for v in tf.global_variables()] == ["scale/w:0"]
        assert y.name.startswith("outer/scale/")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(y), np.full((2, 3), 2.0, np.float32))
