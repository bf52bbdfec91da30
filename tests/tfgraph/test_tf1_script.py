"""A TF1 training script in the style of TF's fully_connected_feed.py, run as a user runs it:
flags + tf.app.run, tf.gfile for the log directory, input_data, tf.layers, tf.logging, a Saver.
Only the import lines differ from TensorFlow 1's."""
import gzip
import os
import struct
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = '''
import os
import sys
import tfgraph as tf
from tfgraph.examples.tutorials.mnist import input_data

flags = tf.app.flags
FLAGS = flags.FLAGS
flags.DEFINE_float('learning_rate', 0.1, 'Initial learning rate.')
flags.DEFINE_integer('max_steps', 200, 'Number of steps to run trainer.')
flags.DEFINE_integer('batch_size', 20, 'Batch size.')
flags.DEFINE_string('input_data_dir', None, 'Directory with the input data.')
flags.DEFINE_string('log_dir', '/tmp/logs', 'Directory for the log files.')
flags.DEFINE_boolean('batch_norm', True, 'Use batch normalization.')
flags.mark_flag_as_required('input_data_dir')


def main(argv):
    tf.logging.set_verbosity(tf.logging.INFO)
    if tf.gfile.Exists(FLAGS.log_dir):
        tf.gfile.DeleteRecursively(FLAGS.log_dir)
    tf.gfile.MakeDirs(FLAGS.log_dir)
    data = input_data.read_data_sets(FLAGS.input_data_dir, validation_size=20, seed=1)
    images = tf.placeholder(tf.float32, [None, 16])
    labels = tf.placeholder(tf.int64, [None])
    training = tf.placeholder_with_default(False, [])
    h = tf.layers.dense(images, 32, activation=tf.nn.relu, name='hidden1')
    if FLAGS.batch_norm:
        h = tf.layers.batch_normalization(h, training=training)
    logits = tf.layers.dense(h, 2, name='softmax_linear')
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
    correct = tf.reduce_sum(tf.cast(tf.nn.in_top_k(logits, labels, 1), tf.int32))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(FLAGS.max_steps):
            xs, ys = data.train.next_batch(FLAGS.batch_size)
            _, value = sess.run([train_op, loss], {images: xs, labels: ys, training: True})
            tf.logging.log_every_n(tf.logging.INFO, 'step %d loss %.3f', 100, step, value)
        path = saver.save(sess, os.path.join(FLAGS.log_dir, 'model.ckpt'))
        n = sess.run(correct, {images: data.test.images, labels: data.test.labels})
    print('argv', argv[1:])
    print('files', sorted(tf.gfile.ListDirectory(FLAGS.log_dir)) != [], tf.gfile.Exists(path +
          '.index') or bool(tf.gfile.Glob(path + '*')))
    print('precision', n / data.test.num_examples)


if __name__ == '__main__':
    tf.app.run(main=main, argv=[sys.argv[0]] + sys.argv[1:])
'''


def _write_dataset(folder):
    """A separable two-class problem in MNIST's idx layout: 4x4 'images', label = brighter half."""
    rng = np.random.RandomState(0)
    for prefix, n in (("train", 300), ("t10k", 100)):
        labels = rng.randint(0, 2, n).astype(np.uint8)
        images = rng.randint(0, 120, (n, 4, 4)).astype(np.uint8)
        images[labels == 1, :2] += 120
        images[labels == 0, 2:] += 120
        with gzip.open(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"), "wb") as f:
            f.write(struct.pack(">IIII", 2051, n, 4, 4) + images.tobytes())
        with gzip.open(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"), "wb") as f:
            f.write(struct.pack(">II", 2049, n) + labels.tobytes())


def test_fully_connected_feed_style_script(tmp_path):
    _write_dataset(str(tmp_path))
    script = tmp_path / "fully_connected_feed.py"
    script.write_text(SCRIPT)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    (log_dir / "stale.txt").write_text("old run")
    proc = subprocess.run([sys.executable, str(script), "--input_data_dir", str(tmp_path),
                           "--log_dir=%s" % log_dir, "--batch_norm", "--max_steps=150",
                           "--extra", "x"], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode == 0, proc.stderr
    out = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line
               and not line.startswith("Extracting"))
    assert out["argv"] == "['--extra', 'x']"
    assert out["files"] == "True True"
    assert float(out["precision"]) > 0.9
    assert "INFO:tfgraph:step 0 loss" in proc.stderr and "INFO:tfgraph:step 100 loss" in \
        proc.stderr
    assert not (log_dir / "stale.txt").exists()
    # The required flag missing: absl's error, before main runs.
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode == 1
    assert "Flag --input_data_dir must have a value other than None." in proc.stderr
