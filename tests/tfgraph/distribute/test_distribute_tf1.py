"""DistributedOptimizer on 2 MPI processes against 1 process on the concatenated batches."""
import os

import numpy as np
import pytest
from tests.tfgraph.distribute import mpi_launch as launch

pytestmark = pytest.mark.xdist_group("mpi")   # one worker runs every MPI test

HERE = os.path.dirname(os.path.abspath(__file__))
script = launch.load(os.path.join(HERE, "dist_tf1_train.py"))


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("tf1")
    rc, log, _ = launch.run(os.path.join(HERE, "dist_tf1_train.py"), out, timeout=180)
    assert rc == 0, log[-3000:]
    return [dict(np.load(out / ("rank%d.npz" % r))) for r in range(2)]


@pytest.mark.parametrize("model,opt", script.CASES)
def test_two_ranks_train_as_one_process_on_the_joined_batches(two_ranks, model, opt):
    ref_losses, ref_weights = script.reference(model, opt)
    got = two_ranks[0]
    np.testing.assert_allclose(got["%s_%s_loss" % (model, opt)], ref_losses, rtol=2e-5,
                               atol=1e-6)
    for i, w in enumerate(ref_weights):
        np.testing.assert_allclose(got["%s_%s_w%d" % (model, opt, i)], w, rtol=2e-5, atol=1e-6)
    assert len(ref_losses) == script.EPOCHS * script.N // 2 // script.B


def test_weights_stay_bitwise_identical_across_ranks(two_ranks):
    assert sorted(two_ranks[0]) == sorted(two_ranks[1])
    for key in two_ranks[0]:
        assert two_ranks[0][key].tobytes() == two_ranks[1][key].tobytes(), key


def test_the_session_hook_broadcasts_rank_0s_initial_weights(two_ranks):
    # both ranks start from different random kernels (seeds 10 and 11) and train 3 steps
    import tfgraph as tf
    xs, ys = script.data()["dense"]
    with tf.Graph().as_default():
        tf.set_random_seed(10)
        x = tf.placeholder(tf.float32, [None, 5])
        y = tf.placeholder(tf.float32, [None, 1])
        kernel = tf.get_variable("kernel", [5, 1])
        loss = tf.reduce_mean(tf.square(tf.matmul(x, kernel) - y))
        train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
        # one process on both ranks' batches (rows 0::2 then 1::2: the mean of the two means)
        order = np.concatenate([np.arange(0, len(xs), 2), np.arange(1, len(xs), 2)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train_op, {x: xs[order], y: ys[order]})
            want = sess.run(kernel)
    for r in range(2):
        np.testing.assert_allclose(two_ranks[r]["hook_weights"], want, rtol=2e-5, atol=1e-6)
