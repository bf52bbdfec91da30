"""TensorFlow 1's "TensorFlow Mechanics 101": a two-hidden-layer network on MNIST, fed batch by
batch through placeholders, with tf.app.flags, TensorBoard summaries and a Saver.

The model (TF1's mnist.py: inference, loss, training, evaluation) is folded into this file;
everything else is TF1's fully_connected_feed.py as users ran it. Only the two import lines
differ from a TensorFlow script (`import tensorflow.compat.v1 as tf` with
`tf.disable_v2_behavior()`, and TF1's input_data module).

What the reader sees: the loss every 100 steps, then at step 1000 and at the last step a
checkpoint and the precision @ 1 on the training, validation and test sets. The log directory
(--train_dir, emptied first) holds the TensorBoard events (graph and loss curve) and checkpoints.

    python tutorials/fully_connected_feed.py                 # 2,000 steps
    python tutorials/fully_connected_feed.py --quick         # 500 steps: about 0.8

Measured 2026-12-07, test precision @ 1 after the 2,000 steps, the same script on both sides
(TensorFlow 2.21's tf.compat.v1 through tests/reference/run_tutorial_in_tf.py, which supplies
TF1's input_data). The script sets no seed, so single runs scatter by about 0.5 points; 5 runs each:
    tfgraph     0.8980 0.8963 0.9001 0.8954 0.9058   mean 0.8991
    TensorFlow  0.9040 0.8971 0.9020 0.8999 0.9006   mean 0.9007   (difference 0.16 points)

Quick run: test accuracy >= 0.60
"""
import math
import os
import sys
import time

import tfgraph as tf
from tfgraph.examples.tutorials.mnist import input_data

flags = tf.app.flags
FLAGS = flags.FLAGS
flags.DEFINE_float("learning_rate", 0.01, "Initial learning rate.")
flags.DEFINE_integer("max_steps", 2000, "Number of steps to run trainer.")
flags.DEFINE_integer("hidden1", 128, "Number of units in hidden layer 1.")
flags.DEFINE_integer("hidden2", 32, "Number of units in hidden layer 2.")
flags.DEFINE_integer("batch_size", 100, "Batch size. Must divide evenly into the dataset sizes.")
flags.DEFINE_string("input_data_dir", "/tmp/tensorflow/mnist/input_data",
                    "Directory to put the input data.")
# TF1's r0 script's name for it: a flag named log_dir clashes with absl.logging's own on
# TensorFlow (DuplicateFlagError), which is why TF1's later script moved to argparse.
flags.DEFINE_string("train_dir", "/tmp/tensorflow/mnist/logs/fully_connected_feed",
                    "Directory to put the log data and checkpoints.")
flags.DEFINE_boolean("quick", False, "500 steps (a check that it runs).")

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


# --- the model (TF1's mnist.py) ---

def inference(images, hidden1_units, hidden2_units):
    """images [batch, 784] -> logits [batch, 10] through two ReLU layers."""
    with tf.name_scope("hidden1"):
        weights = tf.Variable(
            tf.truncated_normal([IMAGE_PIXELS, hidden1_units],
                                stddev=1.0 / math.sqrt(float(IMAGE_PIXELS))), name="weights")
        biases = tf.Variable(tf.zeros([hidden1_units]), name="biases")
        hidden1 = tf.nn.relu(tf.matmul(images, weights) + biases)
    with tf.name_scope("hidden2"):
        weights = tf.Variable(
            tf.truncated_normal([hidden1_units, hidden2_units],
                                stddev=1.0 / math.sqrt(float(hidden1_units))), name="weights")
        biases = tf.Variable(tf.zeros([hidden2_units]), name="biases")
        hidden2 = tf.nn.relu(tf.matmul(hidden1, weights) + biases)
    with tf.name_scope("softmax_linear"):
        weights = tf.Variable(
            tf.truncated_normal([hidden2_units, NUM_CLASSES],
                                stddev=1.0 / math.sqrt(float(hidden2_units))), name="weights")
        biases = tf.Variable(tf.zeros([NUM_CLASSES]), name="biases")
        logits = tf.matmul(hidden2, weights) + biases
    return logits


def loss(logits, labels):
    labels = tf.to_int64(labels)
    return tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)


def training(loss, learning_rate):
    """The op that takes one gradient-descent step and counts it in global_step."""
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    """How many of the batch's images the top logit classifies right."""
    correct = tf.nn.in_top_k(logits, labels, 1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))


# --- training (TF1's fully_connected_feed.py) ---

def placeholder_inputs(batch_size):
    images_placeholder = tf.placeholder(tf.float32, shape=(batch_size, IMAGE_PIXELS))
    labels_placeholder = tf.placeholder(tf.int32, shape=(batch_size))
    return images_placeholder, labels_placeholder


def fill_feed_dict(data_set, images_pl, labels_pl):
    images_feed, labels_feed = data_set.next_batch(FLAGS.batch_size)
    return {images_pl: images_feed, labels_pl: labels_feed}


def do_eval(sess, eval_correct, images_placeholder, labels_placeholder, data_set):
    """Runs one epoch of the split and prints (and returns) its precision @ 1."""
    true_count = 0
    steps_per_epoch = data_set.num_examples // FLAGS.batch_size
    num_examples = steps_per_epoch * FLAGS.batch_size
    for _ in range(steps_per_epoch):
        feed_dict = fill_feed_dict(data_set, images_placeholder, labels_placeholder)
        true_count += sess.run(eval_correct, feed_dict=feed_dict)
    precision = float(true_count) / num_examples
    print("  Num examples: %d  Num correct: %d  Precision @ 1: %0.04f"
          % (num_examples, true_count, precision))
    return precision


def run_training():
    data_sets = input_data.read_data_sets(FLAGS.input_data_dir)
    with tf.Graph().as_default():
        images_placeholder, labels_placeholder = placeholder_inputs(FLAGS.batch_size)
        logits = inference(images_placeholder, FLAGS.hidden1, FLAGS.hidden2)
        loss_op = loss(logits, labels_placeholder)
        train_op = training(loss_op, FLAGS.learning_rate)
        eval_correct = evaluation(logits, labels_placeholder)

        summary = tf.summary.merge_all()
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()
        sess = tf.Session()
        summary_writer = tf.summary.FileWriter(FLAGS.train_dir, sess.graph)
        sess.run(init)

        for step in range(FLAGS.max_steps):
            start_time = time.time()
            feed_dict = fill_feed_dict(data_sets.train, images_placeholder, labels_placeholder)
            _, loss_value = sess.run([train_op, loss_op], feed_dict=feed_dict)
            duration = time.time() - start_time

            if step % 100 == 0:
                print("Step %d: loss = %.2f (%.3f sec)" % (step, loss_value, duration))
                summary_str = sess.run(summary, feed_dict=feed_dict)
                summary_writer.add_summary(summary_str, step)
                summary_writer.flush()

            if (step + 1) % 1000 == 0 or (step + 1) == FLAGS.max_steps:
                checkpoint_file = os.path.join(FLAGS.train_dir, "model.ckpt")
                saver.save(sess, checkpoint_file, global_step=step)
                print("Training Data Eval:")
                do_eval(sess, eval_correct, images_placeholder, labels_placeholder,
                        data_sets.train)
                print("Validation Data Eval:")
                do_eval(sess, eval_correct, images_placeholder, labels_placeholder,
                        data_sets.validation)
                print("Test Data Eval:")
                test_precision = do_eval(sess, eval_correct, images_placeholder,
                                         labels_placeholder, data_sets.test)
        sess.close()
    print("Test accuracy: %0.04f" % test_precision)


def main(_):
    if FLAGS.quick:
        FLAGS.max_steps = 500
    if tf.gfile.Exists(FLAGS.train_dir):
        tf.gfile.DeleteRecursively(FLAGS.train_dir)
    tf.gfile.MakeDirs(FLAGS.train_dir)
    run_training()


if __name__ == "__main__":
    tf.app.run(main=main, argv=[sys.argv[0]] + sys.argv[1:])
