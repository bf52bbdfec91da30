"""A TF1 model trained from a tf.data pipeline: the loss falls, and the run equals the same training
fed batch by batch through feed_dict (same batches in the same order)."""
import numpy as np

import tfgraph as tf


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(120, 5).astype(np.float32)
    w = rng.randn(5, 3).astype(np.float32)
    y = np.argmax(x @ w + 0.1 * rng.randn(120, 3), axis=1).astype(np.int64)
    return x, y


def _model(x, y):
    w = tf.get_variable("w", [5, 3], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return loss, tf.train.GradientDescentOptimizer(0.5).minimize(loss)


def _train_dataset(steps):
    x, y = _data()
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices((x, y)).map(
            lambda a, b: (a * 2.0, b)).batch(32).repeat()
        bx, by = tf.data.make_one_shot_iterator(ds).get_next()
        loss, train = _model(bx, by)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return [sess.run([loss, train])[0] for _ in range(steps)]


def _train_feed(steps):
    x, y = _data()
    batches = [(x[i:i + 32] * 2.0, y[i:i + 32]) for i in range(0, 120, 32)]
    with tf.Graph().as_default():
        px = tf.placeholder(tf.float32, [None, 5])
        py = tf.placeholder(tf.int64, [None])
        loss, train = _model(px, py)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = []
            for k in range(steps):
                bx, by = batches[k % len(batches)]
                out.append(sess.run([loss, train], {px: bx, py: by})[0])
            return out


def test_training_from_dataset_matches_feed_dict_and_learns():
    steps = 40
    from_ds = _train_dataset(steps)
    fed = _train_feed(steps)
    np.testing.assert_allclose(from_ds, fed, rtol=1e-6)
    assert from_ds[-1] < 0.5 * from_ds[0]


def test_epochs_with_an_initializable_iterator_and_out_of_range():
    x, y = _data()
    with tf.Graph().as_default():
        px = tf.placeholder(tf.float32, [None, 5])
        py = tf.placeholder(tf.int64, [None])
        it = tf.data.Dataset.from_tensor_slices((px, py)).shuffle(200, seed=1).batch(50) \
            .make_initializable_iterator()
        bx, by = it.get_next()
        loss, train = _model(bx, by)
        size = tf.shape(by)[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            epoch_losses = []
            for _ in range(5):
                sess.run(it.initializer, {px: x, py: y})
                losses, seen = [], 0
                while True:
                    try:
                        lv, _, n = sess.run([loss, train, size])
                    except tf.errors.OutOfRangeError:
                        break
                    losses.append(lv)
                    seen += n
                assert seen == 120 and len(losses) == 3
                epoch_losses.append(np.mean(losses))
    assert epoch_losses[-1] < epoch_losses[0]


def test_monitored_training_session_stops_at_the_end_of_the_dataset():
    x, y = _data()
    with tf.Graph().as_default():
        bx, by = tf.data.Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a, b)) \
            .batch(40).repeat(2).make_one_shot_iterator().get_next()
        loss, train = _model(bx, by)
        steps = 0
        with tf.train.MonitoredTrainingSession() as sess:  # finalizes the graph
            while not sess.should_stop():
                sess.run(train)
                steps += 1
    assert steps == 6
