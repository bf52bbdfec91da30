"""Seeing a model: summary(), plot_model, a TensorBoard log, the HTML graph viewer, Graphviz and a
run profile as a timeline.

Part 1 is Keras: a small convnet, its `model.summary()` table, its layer diagram from
`keras.utils.plot_model`, and a training run logged by the `keras.callbacks.TensorBoard`
callback. Part 2 is TF1: the graph of a two-layer network built in name scopes, written as a
self-contained HTML page (pan, zoom, expand scopes, click an op for its details), as Graphviz DOT
and SVG, and one training step run with a FULL_TRACE that gives per-op times, shown in the HTML
page and saved as a Chrome trace (open it in chrome://tracing or https://ui.perfetto.dev).

Everything goes to --out_dir (default ./seeing_a_model); the run ends with the list of files.
Graphviz's `dot` renders PNG/SVG (Debian: apt-get install graphviz) and the TensorBoard log needs
the `tensorboard` package (pip install -e .[viz]); without them the tutorial says so and goes on.

    python tutorials/seeing_a_model.py            # 1 epoch on 60,000 images
    python tutorials/seeing_a_model.py --quick    # 1 epoch on 3,000 images
    tensorboard --logdir seeing_a_model/logs      # or: tfgraph board seeing_a_model/logs

Measured 2026-12-07 (full run, seed 0): the Keras convnet's test accuracy 0.9719 after its one
epoch (this tutorial is about looking at models, so no TensorFlow run was made for it).

Quick run: test accuracy >= 0.75
"""
import argparse
import os
import shutil

import numpy as np

import tfgraph as tf
import tfgraph_keras as keras
from tfgraph import viz
from tfgraph.client import timeline


def keras_part(out_dir, quick):
    print("== 1. A Keras model: summary(), plot_model, TensorBoard")
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train[..., None].astype("float32") / 255
    x_test = x_test[..., None].astype("float32") / 255
    if quick:
        x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:1000], \
            y_test[:1000]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu", name="conv"),
        keras.layers.MaxPooling2D(2, name="pool"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(64, activation="relu", name="hidden"),
        keras.layers.Dense(10, activation="softmax", name="digits"),
    ], name="small_convnet")
    model.summary()      # layers, output shapes, parameter counts

    # .dot needs nothing; .png is rendered by Graphviz's `dot`
    keras.utils.plot_model(model, to_file=os.path.join(out_dir, "model.dot"), show_shapes=True)
    if shutil.which("dot"):
        keras.utils.plot_model(model, to_file=os.path.join(out_dir, "model.png"),
                               show_shapes=True, show_layer_activations=True)
    else:
        print("Graphviz's `dot` is not installed: model.dot written, model.png skipped")

    callbacks = []
    try:
        import tensorboard  # noqa: F401  (the optional extra the callback writes with)
        callbacks.append(keras.callbacks.TensorBoard(os.path.join(out_dir, "logs")))
    except ImportError:
        print("the tensorboard package is not installed: no TensorBoard log "
              "(pip install tensorboard)")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=1, validation_split=0.1, verbose=2,
              callbacks=callbacks)
    return model.evaluate(x_test, y_test, verbose=0)[1]


def tf1_part(out_dir):
    print("== 2. A TF1 graph: the HTML viewer, Graphviz, a run profile")
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        with tf.name_scope("input"):
            x = tf.placeholder(tf.float32, [None, 784], name="images")
            labels = tf.placeholder(tf.int64, [None], name="labels")
        with tf.name_scope("hidden"):
            w1 = tf.Variable(tf.truncated_normal([784, 128], stddev=0.05), name="weights")
            b1 = tf.Variable(tf.zeros([128]), name="biases")
            hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        with tf.name_scope("logits"):
            w2 = tf.Variable(tf.truncated_normal([128, 10], stddev=0.05), name="weights")
            b2 = tf.Variable(tf.zeros([10]), name="biases")
            logits = tf.matmul(hidden, w2) + b2
        with tf.name_scope("loss"):
            loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)

        rng = np.random.RandomState(0)
        feed = {x: rng.rand(256, 784).astype(np.float32), labels: rng.randint(0, 10, 256)}
        metadata = tf.RunMetadata()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, feed)           # the first run builds and compiles the plan
            sess.run(train, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                     run_metadata=metadata)

    times = metadata.op_times_ms()
    print("%d ops ran in the traced step; the slowest:" % len(times))
    for name, ms in sorted(times.items(), key=lambda kv: -kv[1])[:5]:
        print("  %8.3f ms  %s" % (ms, name))
    with open(os.path.join(out_dir, "timeline.json"), "w") as f:
        f.write(timeline.Timeline(metadata.step_stats).generate_chrome_trace_format())

    # the graph page, shaded by the profile: a click on an op shows its time
    viz.write_html(graph, os.path.join(out_dir, "graph.html"), profile=metadata,
                   title="two-layer network")
    viz.write_dot(graph, os.path.join(out_dir, "graph.dot"))
    if shutil.which("dot"):
        viz.render(graph, os.path.join(out_dir, "graph.svg"))
    print("graph: %d ops in the scopes %s" % (len(graph.get_operations()), sorted(
        {op.name.split("/")[0] for op in graph.get_operations() if "/" in op.name})))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out_dir", default="seeing_a_model")
    parser.add_argument("--quick", action="store_true", help="1 epoch on 3,000 images")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    accuracy = keras_part(args.out_dir, args.quick)
    tf1_part(args.out_dir)
    print("== Files in %s:" % args.out_dir)
    for root, _, files in sorted(os.walk(args.out_dir)):
        for name in sorted(files):
            path = os.path.join(root, name)
            print("  %-60s %8d bytes" % (os.path.relpath(path, args.out_dir),
                                         os.path.getsize(path)))
    print("Test accuracy:", accuracy)


if __name__ == "__main__":
    main()
