"""A 2-rank TF1 training loop in which rank 1 misbehaves; run by test_distribute_faults.py.

    kill      rank 1 kills itself (SIGKILL) at step 3
    raise     rank 1 raises at step 3
    hang      rank 1 sleeps at step 3 (alive, but never reaches the collective)
    mismatch  rank 1 builds its hidden layer one unit wider
"""
import os
import signal
import sys
import time

import numpy as np

import tfgraph as tf
import tfgraph.distribute as dist


def main(mode):
    dist.init()
    units = 9 if mode == "mismatch" and dist.rank() == 1 else 8
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    loss = tf.reduce_mean(tf.square(tf.layers.dense(tf.layers.dense(x, units), 1) - y))
    train_op = dist.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1)).minimize(loss)
    rng = np.random.RandomState(dist.rank())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(20):
            if step == 3 and dist.rank() == 1:
                if mode == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                if mode == "hang":
                    time.sleep(120)
                if mode == "raise":
                    raise ValueError("rank 1's data loader failed")
            sess.run(train_op, {x: rng.randn(8, 4), y: rng.randn(8, 1)})
    print("rank %d finished" % dist.rank())


if __name__ == "__main__":
    main(sys.argv[1])
