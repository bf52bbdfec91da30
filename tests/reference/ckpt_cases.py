"""Checkpoint models shared by TensorFlow (make_tf_checkpoints.py) and tfgraph (the tests).

Each builder takes the TF1 module (`tf.compat.v1` or `tfgraph`) and builds the same graph: the
same variable names, shapes, dtypes and values. Run as a script with tfgraph's python to write a
tfgraph checkpoint for the generator:
    python tests/reference/ckpt_cases.py write-tfgraph OUT_DIR
"""
import json
import os
import sys

import numpy as np

X = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -0.5, 3.0]], np.float32)


def model_values(seed):
    """{variable name: value} of the small model, the seed picking the values."""
    rs = np.random.RandomState(seed)
    return {
        "dense/kernel": rs.randn(4, 3).astype(np.float32),
        "dense/bias": rs.randn(3).astype(np.float32),
        "dense_1/kernel": rs.randn(3, 2).astype(np.float32),
        "dense_1/bias": rs.randn(2).astype(np.float32),
        "extra/double": rs.randn(2, 2),
        "extra/counts": rs.randint(-1000, 1000, size=3).astype(np.int32),
        "extra/big": (rs.randint(0, 1 << 30, size=2).astype(np.int64) << 20),
        "extra/flag": np.array([True, False, True]),
        "extra/scalar": np.float32(rs.randn()),
        "global_step": np.int64(seed + 4),
    }


def build_model(tf, values):
    """x -> relu(x @ dense/kernel + dense/bias) @ dense_1/kernel + dense_1/bias, plus variables
    of the other dtypes. Returns (x placeholder, output, {name: variable})."""
    vs = {}
    for name, value in values.items():
        scope, _, base = name.rpartition("/")
        with tf.variable_scope(scope or tf.get_variable_scope()):
            init = tf.constant(value)   # dtype given: tfgraph's get_variable takes the
            vs[name] = tf.get_variable(base, initializer=init, dtype=init.dtype,  # scope's
                                       trainable=value.dtype.kind == "f")   # float32 otherwise
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    h = tf.nn.relu(tf.matmul(x, vs["dense/kernel"]) + vs["dense/bias"])
    y = tf.matmul(h, vs["dense_1/kernel"]) + vs["dense_1/bias"]
    return x, y, vs


T = np.array([[1.0, -1.0], [0.5, 2.0]], np.float32)


def build_training(tf, values):
    """The model plus a squared loss and Adam (slots 'dense/kernel/Adam', 'Adam_1', beta powers),
    stepping global_step. Returns (x, target, loss, train_op, variables)."""
    x, y, vs = build_model(tf, values)
    target = tf.placeholder(tf.float32, [None, 2], name="target")
    loss = tf.reduce_mean(tf.square(y - target))
    train = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=vs["global_step"])
    return x, target, loss, train, vs


def string_values():
    """tf.string variables: bytes with a NUL, an empty string, UTF-8, a 2-D array, a scalar."""
    return {"vocab/words": np.array([b"ab", b"", b"xyz\x00", "\u00e9t\u00e9".encode("utf-8")],
                                    object),
            "vocab/grid": np.array([[b"a", b"bc"], [b"def", b"g" * 130]], object),
            "vocab/name": np.array(b"hello", object)}


def partitioned_values():
    return {"emb/weights": np.arange(14, dtype=np.float32).reshape(7, 2) / 4.0,
            "emb/bias": np.array([0.5, -0.5], np.float32),
            # slice offsets >= 64 take two bytes in the slice keys
            "emb/big": np.arange(300, dtype=np.float64).reshape(150, 2) - 99.5}


INIT_CASES = {
    # name: (variables to create {name: shape}, assignment map; a value "@name" is the variable)
    "scope_to_scope": ({"tower/dense/kernel": [4, 3], "tower/dense/bias": [3],
                        "other/w": [2]}, {"dense/": "tower/dense/"}),
    "root_to_scope": ({"tower/dense/kernel": [4, 3], "tower/dense_1/bias": [2]},
                      {"/": "tower/"}),
    "scope_to_root": ({"kernel": [4, 3], "bias": [3]}, {"dense/": "/"}),
    "by_name_and_object": ({"my_kernel": [4, 3], "b1": [2]},
                           {"dense/kernel": "my_kernel", "dense_1/bias": "@b1"}),
    "missing_tensor": ({"my_kernel": [4, 3]}, {"dense/missing": "my_kernel"}),
    "missing_in_scope": ({"tower/dense/nope": [3]}, {"dense/": "tower/dense/"}),
    "not_a_scope": ({"my_kernel": [4, 3]}, {"dense/kernel": "no_such_var"}),
    "bad_shape": ({"my_kernel": [3, 3]}, {"dense/kernel": "my_kernel"}),
}


def run_init_case(tf1, ckpt, variables, assignment_map):
    """Creates the variables (zeros), applies init_from_checkpoint, runs the initializers:
    {"values": {name: value}} or {"error": type name, "message": text}."""
    created = {}
    for name, shape in variables.items():
        created[name] = tf1.get_variable(name, shape, initializer=tf1.zeros_initializer())
    amap = {k: created[v[1:]] if v.startswith("@") else v for k, v in assignment_map.items()}
    try:
        tf1.train.init_from_checkpoint(ckpt, amap)
    except (ValueError, TypeError) as e:
        return {"error": type(e).__name__, "message": str(e)}
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        return {"values": {n: sess.run(v).tolist() for n, v in created.items()}}


# `checkpoint` state files as users and other tools leave them: what get_checkpoint_state makes
# of each (TF: a ParseError is logged and gives None; no model path is a ValueError).
STATE_TEXTS = {
    "garbage": "this is not a checkpoint state\n",
    "empty": "",
    "unknown_field": 'model_checkpoint_path: "m-2"\nfoo: 3\n',
    "no_model_path": 'all_model_checkpoint_paths: "m-1"\n',
    "number_for_string": "model_checkpoint_path: 3\n",
    "unterminated": 'model_checkpoint_path: "m-2\n',
    "quotes_and_comments": ("# written by hand\nmodel_checkpoint_path: 'm-2'  # the latest\n"
                            "all_model_checkpoint_paths: 'm-1' all_model_checkpoint_paths:"
                            ' "m-2"\n'),
    "escapes": 'model_checkpoint_path: "d\\303\\251j\\340/m\\"q\\\'\\t-1"\n',
    "timestamps": ('model_checkpoint_path: "/abs/m-2"\nall_model_checkpoint_paths: "/abs/m-1"\n'
                   'all_model_checkpoint_paths: "/abs/m-2"\n'
                   "all_model_checkpoint_timestamps: 1700000000.25\n"
                   "all_model_checkpoint_timestamps: 1.7e9\nlast_preserved_timestamp: 12\n"),
}
# update_checkpoint_state calls whose file text must match TF's byte for byte
STATE_WRITES = {
    "absolute": ("/abs/m-3", ["/abs/m-2", "/abs/m-3"], {}),
    "unicode_and_quotes": ("m\u00f6del's \"q\"\t-2", ["m-1", "m\u00f6del's \"q\"\t-2"], {}),
    "timestamps": ("/abs/m-2", ["/abs/m-1", "/abs/m-2"],
                   {"all_model_checkpoint_timestamps": [1700000000.25, 1700000100.5],
                    "last_preserved_timestamp": 1699999999.125}),
}


def read_state(tf1, directory):
    """get_checkpoint_state of `directory` as JSON-able data (paths with the directory as <DIR>)."""
    def rel(p):
        return p.replace(directory, "<DIR>")
    try:
        state = tf1.train.get_checkpoint_state(directory)
    except ValueError as e:
        return {"error": "ValueError", "message": rel(str(e))}
    if state is None:
        return {"result": None}
    return {"model": rel(state.model_checkpoint_path),
            "all": [rel(p) for p in state.all_model_checkpoint_paths],
            "timestamps": list(state.all_model_checkpoint_timestamps),
            "last_preserved": state.last_preserved_timestamp}


def write_tfgraph(out_dir):
    """Writes the seed-1 model with tfgraph's Saver into out_dir; prints its prediction."""
    import tfgraph as tf
    with tf.Graph().as_default():
        x, y, vs = build_model(tf, model_values(1))
        saver = tf.train.Saver(save_relative_paths=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = saver.save(sess, os.path.join(out_dir, "model.ckpt"), global_step=5,
                                write_meta_graph=False)
            pred = sess.run(y, {x: X})
    print(json.dumps({"prefix": prefix, "y": pred.tolist()}))


MANY = 15000   # enough index entries for several 256 KB table blocks


def many_name(i):
    return "layer_%05d/kernel_with_a_long_name" % i


def write_many_tfgraph(prefix):
    from tfgraph.train import checkpoint_utils
    checkpoint_utils.write_tf_checkpoint(prefix, {many_name(i): np.float32(i)
                                                  for i in range(MANY)})


def read_many_tfgraph(prefix):
    import tfgraph as tf
    reader = tf.train.load_checkpoint(prefix)
    names = sorted(reader.get_variable_to_shape_map())
    ok = names == sorted(many_name(i) for i in range(MANY)) and all(
        reader.get_tensor(many_name(i)) == np.float32(i) for i in range(MANY))
    print(json.dumps({"count": len(names), "values_equal": bool(ok)}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["write-tfgraph"]:
        write_tfgraph(sys.argv[2])
    elif sys.argv[1:2] == ["write-many"]:
        write_many_tfgraph(sys.argv[2])
    elif sys.argv[1:2] == ["read-many"]:
        read_many_tfgraph(sys.argv[2])
    else:
        sys.exit(__doc__)
