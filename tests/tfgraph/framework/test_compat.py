"""tf.compat.v1 is the same namespace; eager switches are no-ops; a plain TF1 script runs."""
import numpy as np

import tfgraph
import tfgraph as tf


def test_compat_v1_is_the_namespace():
    import tfgraph.compat.v1 as tf1
    from tfgraph.compat import v1
    assert tf1 is tfgraph and v1 is tfgraph and tf.compat.v1 is tfgraph
    assert tf1.disable_eager_execution() is None and tf1.disable_v2_behavior() is None
    assert tf.executing_eagerly() is False
    for name in ["placeholder", "Session", "InteractiveSession", "Variable", "get_variable",
                 "variable_scope", "name_scope", "global_variables_initializer", "errors",
                 "placeholder_with_default", "constant", "group", "identity", "no_op", "tuple",
                 "stop_gradient", "set_random_seed", "control_dependencies", "trainable_variables",
                 "variables_initializer", "AUTO_REUSE", "GraphKeys", "reset_default_graph",
                 "get_default_graph", "Dimension", "TensorShape", "float32", "bool", "uint8",
                 "random_normal", "truncated_normal", "random_uniform", "assign", "gradients"]:
        assert hasattr(tf1, name), name


def test_tf1_script_runs_and_matches_numpy():
    import tfgraph.compat.v1 as tf1
    tf1.disable_v2_behavior()
    rng = np.random.RandomState(0)
    X = rng.randn(32, 4).astype(np.float32)
    true_w = np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)
    Y = X @ true_w + 0.1
    tf1.reset_default_graph()
    x = tf1.placeholder(tf1.float32, [None, 4], name="x")
    y = tf1.placeholder(tf1.float32, [None, 1], name="y")
    with tf1.variable_scope("linear"):
        w = tf1.get_variable("w", [4, 1], initializer=tf1.zeros_initializer())
        b = tf1.get_variable("b", [1], initializer=tf1.zeros_initializer())
    pred = tf1.matmul(x, w) + b
    loss = tf1.reduce_mean(tf1.square(pred - y))
    gw, gb = tf1.gradients(loss, [w, b])
    lr = 0.1
    step = tf1.group(tf1.assign_sub(w, lr * gw), tf1.assign_sub(b, lr * gb))
    wn, bn = np.zeros((4, 1), np.float32), np.zeros(1, np.float32)
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        for _ in range(20):
            _, l_val = sess.run([step, loss], {x: X, y: Y})
            err = X @ wn + bn - Y
            np.testing.assert_allclose(l_val, np.mean(err ** 2), rtol=1e-5)
            wn = wn - lr * (2 * X.T @ err / len(X))
            bn = bn - lr * (2 * err.mean(0))
        np.testing.assert_allclose(sess.run(w), wn, rtol=1e-4, atol=1e-5)
    tf1.reset_default_graph()


def test_config_proto_and_logging_shims(caplog):
    config = tf.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=2)
    config.gpu_options.allow_growth = True
    assert config.gpu_options.allow_growth is True and config.allow_soft_placement is True
    config.gpu_options = tf.GPUOptions(per_process_gpu_memory_fraction=0.5)
    with tf.Graph().as_default():
        c = tf.constant(2.0)
        with tf.Session(config=config) as sess:
            assert sess.run(c) == 2.0
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == tf.logging.INFO
    with caplog.at_level(tf.logging.INFO, logger="tfgraph"):
        tf.logging.info("step %d", 3)
    assert "step 3" in caplog.text


def test_math_and_random_namespaces():
    import math
    import random
    assert tf.math.log is tf.log and tf.math.reduce_sum is tf.reduce_sum
    assert tf.math.argmax is tf.argmax and tf.math.is_nan is tf.is_nan
    assert tf.math.softplus is tf.nn.softplus and tf.math.abs is tf.abs
    assert tf.random.normal is tf.random_normal and tf.random.uniform is tf.random_uniform
    assert tf.random.set_random_seed is tf.set_random_seed
    assert math.pi > 3 and 0 <= random.random() < 1  # the stdlib modules are not shadowed
