"""A very simple MNIST classifier: TensorFlow 1's "MNIST For ML Beginners" softmax regression.

The script is TF1's tutorial as a user wrote it; only the import line differs (`import tfgraph as
tf` instead of `import tensorflow as tf`). TF's `input_data.read_data_sets(one_hot=True)` helper is
replaced by the few lines of numpy below (same split: 55,000 train / 5,000 validation / 10,000 test,
pixels scaled to [0, 1], one-hot labels, batches drawn from a reshuffled epoch as its DataSet does).

MNIST comes from mnist.npz (Keras layout: x_train, y_train, x_test, y_test) in
$TFGRAPH_DATASETS_DIR, else ../shared/data next to the repository.

    python tutorials/mnist_softmax.py          # prints the test accuracy, about 0.92
    python tutorials/mnist_softmax.py --quick  # 50 steps, tested on 1,000 images: about 0.8
"""
import argparse
import os
import time

import numpy as np

import tfgraph as tf

FLAGS = None


class DataSet:
    """The part of TF's mnist DataSet the tutorial uses: images, labels, next_batch."""

    def __init__(self, images, labels, seed=0):
        self.images = images.reshape(len(images), 784).astype(np.float32) / 255.0
        self.labels = np.eye(10, dtype=np.float32)[labels]
        self.num_examples = len(images)
        self._rng = np.random.RandomState(seed)
        self._order = self._rng.permutation(self.num_examples)
        self._pos = 0

    def next_batch(self, batch_size):
        if self._pos + batch_size > self.num_examples:
            self._order = self._rng.permutation(self.num_examples)
            self._pos = 0
        idx = self._order[self._pos:self._pos + batch_size]
        self._pos += batch_size
        return self.images[idx], self.labels[idx]


def mnist_path():
    env = os.environ.get("TFGRAPH_DATASETS_DIR")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates = ([os.path.join(env, "mnist.npz")] if env else []) + [
        os.path.join(repo, "..", "shared", "data", "mnist.npz")]
    for path in candidates:
        if os.path.exists(path):
            return path
    raise FileNotFoundError("mnist.npz not found; tried %s (set TFGRAPH_DATASETS_DIR)" % candidates)


def read_data_sets(validation_size=5000):
    with np.load(mnist_path(), allow_pickle=False) as d:
        x_train, y_train, x_test, y_test = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    return argparse.Namespace(train=DataSet(x_train[validation_size:], y_train[validation_size:]),
                              validation=DataSet(x_train[:validation_size],
                                                 y_train[:validation_size]),
                              test=DataSet(x_test, y_test))


def main():
    start = time.time()
    mnist = read_data_sets()

    # Create the model
    x = tf.placeholder(tf.float32, [None, 784])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, W) + b)

    # Define loss and optimizer
    y_ = tf.placeholder(tf.float32, [None, 10])
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), reduction_indices=[1]))
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
    print(acc)
    if FLAGS.timing:
        print("wall time %.2f s" % (time.time() - start))
    return acc


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch_size", type=int, default=100)
    parser.add_argument("--timing", action="store_true", help="also print the wall time")
    parser.add_argument("--quick", action="store_true",
                        help="50 training steps and 1,000 test images (a check that it runs)")
    FLAGS = parser.parse_args()
    if FLAGS.quick:
        FLAGS.steps = 50
    main()
