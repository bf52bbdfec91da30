"""TensorFlow 1 basics: a graph is built first and run later, in a session.

Read it top to bottom; each part prints what it shows. Only the import line differs from a
TensorFlow script (`import tensorflow.compat.v1 as tf` with `tf.disable_v2_behavior()`).

  1. The first graph, Add(Mul(A, B), C): building ops computes nothing, a session runs them.
  2. Placeholders and feeds: one graph, many inputs; shapes with a None (any batch size).
  3. Inspecting the graph: its operations, their types, inputs and outputs, looking ops up by name.
  4. Variables: state that lives in the session, initialized, assigned, read back.
  5. Fetches: lists and dicts of tensors in one run, and what an op (not a tensor) fetches.
  6. Putting it together: gradient descent fits y = 3x + 2 (the slope and intercept it finds).

    python tutorials/tf1_basics.py            # 200 steps
    python tutorials/tf1_basics.py --quick    # 50 steps (it has converged by then)

Measured 2026-12-07: the run ends "Done: w = 3.000, b = 2.002" (loss 0.000099, the noise in the
data) on tfgraph and, with TensorFlow's import line, on TensorFlow 2.21's tf.compat.v1; the two
print the same lines but for one op type: TF 2's tf.add builds AddV2, TF 1.15's and tfgraph's Add.
"""
import argparse

import numpy as np

import tfgraph as tf


def first_graph():
    print("== 1. The first graph: Add(Mul(A, B), C)")
    A = tf.constant(3.0, name="A")
    B = tf.constant(4.0, name="B")
    C = tf.constant(5.0, name="C")
    D = tf.add(tf.multiply(A, B), C, name="D")
    # D is a symbolic handle: a name, a dtype and a shape, but no value yet.
    print("D is", D)
    with tf.Session() as sess:
        print("sess.run(D) =", sess.run(D))          # 3 * 4 + 5 = 17.0


def placeholders_and_feeds():
    print("== 2. Placeholders and feeds")
    A = tf.placeholder(tf.float32, shape=[None, 2], name="A")   # any number of rows
    B = tf.placeholder(tf.float32, shape=[None, 2], name="B")
    C = tf.placeholder(tf.float32, shape=[], name="C")          # a scalar
    D = tf.add(A * B, C, name="D")                   # `A * B` builds a Mul op too
    print("static shape of D:", D.shape)
    with tf.Session() as sess:
        print(sess.run(D, feed_dict={A: [[1, 2]], B: [[3, 4]], C: 10}))
        print(sess.run(D, feed_dict={A: np.ones((3, 2)), B: np.full((3, 2), 2.0), C: -1}))
        try:
            sess.run(D, feed_dict={A: [[1, 2]], B: [[3, 4]]})   # C not fed
        except tf.errors.InvalidArgumentError as e:
            print("forgetting a feed fails:", type(e).__name__)


def inspect_graph():
    print("== 3. Inspecting the graph")
    graph = tf.get_default_graph()
    for op in graph.get_operations():
        inputs = ", ".join(t.name for t in op.inputs)
        print("  %-22s %-12s <- %s" % (op.name, op.type, inputs or "(no inputs)"))
    D = graph.get_tensor_by_name("D:0")        # tensor "op name:output index"
    print("D:0 is made by a", D.op.type, "op from", [t.op.name for t in D.op.inputs])
    mul = graph.get_operation_by_name(D.op.inputs[0].op.name)
    print(mul.name, "outputs", mul.outputs[0].dtype.name, "of shape", mul.outputs[0].shape)


def variables():
    print("== 4. Variables")
    counter = tf.Variable(0, name="counter")
    increment = tf.assign_add(counter, 1)
    weights = tf.Variable(tf.random_normal([2, 3], seed=1), name="weights")
    print("variables:", [v.name for v in tf.global_variables()])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())   # state exists only once initialized
        for _ in range(3):
            sess.run(increment)
        print("counter after 3 increments:", sess.run(counter))
        print("weights shape:", sess.run(weights).shape)
    with tf.Session() as sess:                          # a new session: fresh state
        sess.run(tf.global_variables_initializer())
        print("counter in a new session:", sess.run(counter))
    return counter


def fetches():
    print("== 5. Fetches")
    x = tf.placeholder(tf.float32, [None])
    total, mean = tf.reduce_sum(x), tf.reduce_mean(x)
    with tf.Session() as sess:
        print("a list:", sess.run([total, mean], {x: [1, 2, 3, 4]}))
        print("a dict:", sess.run({"sum": total, "max": tf.reduce_max(x)}, {x: [1, 2, 3, 4]}))
        print("an op fetches None:", sess.run(tf.no_op()))


def linear_regression(steps):
    print("== 6. Gradient descent fits y = 3x + 2")
    rng = np.random.RandomState(0)
    xs = rng.uniform(-1, 1, 100).astype(np.float32)
    ys = 3 * xs + 2 + rng.normal(0, 0.01, 100).astype(np.float32)
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    w = tf.Variable(0.0, name="w")
    b = tf.Variable(0.0, name="b")
    loss = tf.reduce_mean(tf.square(w * x + b - y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)   # adds the gradient ops
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps + 1):
            _, loss_value = sess.run([train, loss], {x: xs, y: ys})
            if step % 50 == 0:
                print("step %3d  loss %.6f" % (step, loss_value))
        w_value, b_value = sess.run([w, b])
    print("Done: w = %.3f, b = %.3f (the data were made with 3 and 2)" % (w_value, b_value))


def main(quick):
    # Every part builds into its own graph so that part 3 lists only part 2's ops.
    with tf.Graph().as_default():
        first_graph()
    with tf.Graph().as_default():
        placeholders_and_feeds()
        inspect_graph()
    with tf.Graph().as_default():
        variables()
        fetches()
    with tf.Graph().as_default():
        linear_regression(50 if quick else 200)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 training steps")
    main(parser.parse_args().quick)
