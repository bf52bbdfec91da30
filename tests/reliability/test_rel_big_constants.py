"""tf.zeros / tf.ones / tf.fill with big static shapes: a Fill op materialised at run time (not a
graph-time array copied into every GraphDef and .meta), shapes checked at build time, and an
allocation failure reported as ResourceExhaustedError with the session still usable."""
import os
import tracemalloc

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.basename(__file__)


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default() as g:
        yield g


def test_big_zeros_is_a_fill_op_that_allocates_nothing_at_build_time():
    tracemalloc.start()
    try:
        z = tf.zeros([8192, 8192])  # 256 MB of float32 if materialised
        o = tf.ones([8192, 8192], tf.int32)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak
    assert z.op.type == o.op.type == "Fill"
    assert z.shape.as_list() == [8192, 8192] and z.dtype == tf.float32 and o.dtype == tf.int32
    assert z.op.name == "zeros"


def test_small_zeros_stays_a_constant_as_in_tensorflow():
    z = tf.zeros([10, 99])  # 990 < 1000 elements: TF's constant threshold
    assert z.op.type == "Const"
    assert tf.ones([10, 100]).op.type == "Fill"


def test_fill_values_match_numpy():
    a, b, c = tf.zeros([40, 50]), tf.ones([3, 7, 50], tf.int64), tf.fill([30, 40], 2.5)
    with tf.Session() as sess:
        va, vb, vc = sess.run([a, b, c])
    np.testing.assert_array_equal(va, np.zeros((40, 50), np.float32))
    np.testing.assert_array_equal(vb, np.ones((3, 7, 50), np.int64))
    np.testing.assert_array_equal(vc, np.full((30, 40), 2.5, np.float32))
    assert vb.dtype == np.int64


def test_a_variable_of_zeros_keeps_the_meta_graph_small(tmp_path):
    v = tf.Variable(tf.zeros([1024, 1024]), name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert float(sess.run(tf.reduce_sum(v))) == 0.0
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
    size = os.path.getsize(prefix + ".meta")
    assert size < 100_000, size  # the 4 MB array used to be base64'd into it (5.6 MB)


@pytest.mark.parametrize("make, names", [
    (lambda: tf.zeros([-1, 3]), "tf.zeros"),
    (lambda: tf.ones([None, 3]), "tf.ones"),
    (lambda: tf.zeros([2, "3"]), "tf.zeros"),
    (lambda: tf.fill([-2, 3], 1.0), "Fill"),
])
def test_bad_static_shapes_fail_at_build_time_naming_the_op_and_line(make, names):
    before = len(tf.get_default_graph().get_operations())
    with pytest.raises(ValueError) as info:
        make()
    msg = str(info.value)
    assert names in msg and HERE in msg, msg
    assert "Fill" in names or len(tf.get_default_graph().get_operations()) == before


def test_allocation_failure_is_resource_exhausted_and_the_session_lives_on():
    x = tf.placeholder(tf.float32, [2])
    y = x * 2.0
    huge = [tf.zeros([2 ** 22, 2 ** 22]), tf.ones([2 ** 40, 2 ** 40])]  # 64 TiB; over 2**63 bytes
    with tf.Session() as sess:
        for t in huge:
            with pytest.raises(tf.errors.ResourceExhaustedError, match="OOM") as info:
                sess.run(t)
            assert info.value.op is t.op and HERE in str(info.value)
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [2.0, 4.0])
