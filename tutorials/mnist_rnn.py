"""A recurrent network on MNIST: TensorFlow 1's classic LSTM classifier.

Each 28x28 image is read as a sequence of 28 rows of 28 pixels by a BasicLSTMCell(128) through
tf.nn.dynamic_rnn; the last output feeds a linear layer, trained with Adam (0.001) on batches of
128, one epoch. Only the import line differs from the TF1 script (`import tfgraph as tf`); the
data comes from TF1's input_data helper (tfgraph.examples.tutorials.mnist), which reads the
offline mnist.npz ($TFGRAPH_DATASETS_DIR) or TF's four .gz files in MNIST_data/. tfgraph runs the 28 LSTM steps, and their
gradient, in one fused op each.

    python tutorials/mnist_rnn.py          # one epoch; prints the test accuracy, 0.94-0.96 by seed (TF: 0.93-0.96)
    python tutorials/mnist_rnn.py --quick  # 100 steps, tested on 1,000 images: about 0.8

Quick run: test accuracy >= 0.60
"""
import argparse
import time

import tfgraph as tf
from tfgraph.examples.tutorials.mnist import input_data

FLAGS = None

timesteps, num_input, num_hidden, num_classes = 28, 28, 128, 10


def main():
    start = time.time()
    mnist = input_data.read_data_sets("MNIST_data", one_hot=True)
    tf.set_random_seed(FLAGS.seed)

    x = tf.placeholder(tf.float32, [None, timesteps, num_input])
    y = tf.placeholder(tf.float32, [None, num_classes])
    weights = tf.Variable(tf.random_normal([num_hidden, num_classes]))
    biases = tf.Variable(tf.random_normal([num_classes]))

    cell = tf.nn.rnn_cell.BasicLSTMCell(num_hidden, forget_bias=1.0)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    logits = tf.matmul(outputs[:, -1], weights) + biases

    loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=y))
    train_op = tf.train.AdamOptimizer(learning_rate=FLAGS.learning_rate).minimize(loss_op)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    steps = FLAGS.steps or mnist.train.num_examples // FLAGS.batch_size
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, steps + 1):
            batch_x, batch_y = mnist.train.next_batch(FLAGS.batch_size)
            batch_x = batch_x.reshape((-1, timesteps, num_input))
            loss, _ = sess.run([loss_op, train_op], feed_dict={x: batch_x, y: batch_y})
            if step % FLAGS.display_step == 0 or step == 1:
                print("Step %d, minibatch loss %.4f" % (step, loss))
        n_test = 1000 if FLAGS.quick else mnist.test.num_examples
        test_x = mnist.test.images[:n_test].reshape((-1, timesteps, num_input))
        acc = sess.run(accuracy, feed_dict={x: test_x, y: mnist.test.labels[:n_test]})
    if FLAGS.timing:
        print("wall time %.2f s" % (time.time() - start))
    print("Test accuracy:", acc)
    return acc


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=0, help="training steps (0: one epoch)")
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--learning_rate", type=float, default=0.001)
    parser.add_argument("--display_step", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timing", action="store_true", help="also print the wall time")
    parser.add_argument("--quick", action="store_true",
                        help="100 training steps and 1,000 test images (a check that it runs)")
    FLAGS = parser.parse_args()
    if FLAGS.quick:
        FLAGS.steps = 100
    main()
