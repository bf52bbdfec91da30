"""tf.train.Coordinator / start_queue_runners as TF1 training loops use them."""
import threading

import pytest

import tfgraph as tf


def test_threads_stop_on_request_and_errors_reraise():
    coord = tf.train.Coordinator()
    counts = []

    def worker():
        n = 0
        while not coord.should_stop():
            n += 1
            if n == 50:
                coord.request_stop()
        counts.append(n)
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    coord.join(threads)
    assert coord.should_stop() and coord.joined and len(counts) == 3

    coord = tf.train.Coordinator()

    def failing():
        with coord.stop_on_exception():
            raise ValueError("boom")
    t = threading.Thread(target=failing)
    t.start()
    assert coord.wait_for_stop(10)
    with pytest.raises(ValueError, match="boom"):
        coord.join([t])


def test_out_of_range_is_a_clean_stop_and_queue_runners_loop():
    coord = tf.train.Coordinator()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "end of input"))
    coord.join([])
    with tf.Graph().as_default():
        x = tf.Variable(0, name="x")
        inc = tf.assign_add(x, 1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            assert threads == []
            try:
                while not coord.should_stop():
                    if sess.run(inc) >= 5:
                        coord.request_stop()
            finally:
                coord.request_stop()
                coord.join(threads)
            assert sess.run(x) == 5
