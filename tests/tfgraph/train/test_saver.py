"""Saver round trips, max_to_keep, the `checkpoint` state file, checkpoint readers, errors, and a
save killed mid-write (SIGKILL in a subprocess) leaving the previous checkpoint loadable."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.train import checkpoint_utils

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _model(shape_w=(3, 2)):
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.arange(np.prod(shape_w), dtype=np.float32).reshape(shape_w), name="W")
        b = tf.Variable(np.array([1, 2], np.int64), name="layer/b")
        step = tf.train.get_or_create_global_step()
    return g, w, b, step


def test_round_trip_and_state_file(tmp_path):
    g, w, b, step = _model()
    with g.as_default():
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(w.assign(w * 10.0))
            prefix = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
            assert prefix == str(tmp_path / "model.ckpt-0")
            assert os.path.exists(prefix + ".index")
            state = (tmp_path / "checkpoint").read_text()
            assert state == ('model_checkpoint_path: "%s"\nall_model_checkpoint_paths: "%s"\n'
                             % (prefix, prefix))   # absolute in, absolute out (as TF1)
        with tf.Session() as sess:   # a fresh session: restore without running the initializers
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
            np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(3, 2) * 10.0)
            np.testing.assert_array_equal(sess.run(b), [1, 2])
            assert sess.run(b).dtype == np.int64
            assert np.shape(sess.run(step)) == () and sess.run(step) == 0
    assert tf.train.list_variables(str(tmp_path)) == [("W", [3, 2]), ("global_step", []),
                                                       ("layer/b", [2])]
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "layer/b"), [1, 2])
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.has_tensor("W") and not reader.has_tensor("V")
    assert reader.get_variable_to_shape_map()["W"] == [3, 2]


def test_max_to_keep_and_latest(tmp_path):
    g, w, b, step = _model()
    with g.as_default():
        saver = tf.train.Saver(max_to_keep=2)
        inc = tf.assign_add(step, 1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            paths = []
            for _ in range(4):
                sess.run(inc)
                paths.append(saver.save(sess, str(tmp_path / "m"), global_step=step))
            assert [os.path.basename(p) for p in paths] == ["m-1", "m-2", "m-3", "m-4"]
            assert saver.last_checkpoints == paths[2:]
            assert [os.path.exists(p + ".index") for p in paths] == [False, False, True, True]
            assert tf.train.latest_checkpoint(str(tmp_path)) == paths[3]
            state = tf.train.get_checkpoint_state(str(tmp_path))
            assert state.all_model_checkpoint_paths == paths[2:]
            assert tf.train.load_variable(str(tmp_path), "global_step") == 4
            assert tf.train.load_variable(paths[2], "global_step") == 3


def test_var_list_dict_and_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpts")
    g, w, b, step = _model()
    with g.as_default():
        saver = tf.train.Saver({"weights": w})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, "ckpts/model", global_step=7)
        assert tf.train.latest_checkpoint("ckpts") == os.path.join("ckpts", "model-7")
        assert tf.train.list_variables("ckpts") == [("weights", [3, 2])]
        with tf.Session() as sess:
            saver.restore(sess, "ckpts/model-7")
            np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(3, 2))
    assert tf.train.latest_checkpoint(str(tmp_path / "nothing")) is None


def test_restore_errors(tmp_path):
    g, w, b, step = _model()
    with g.as_default():
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = tf.train.Saver([w]).save(sess, str(tmp_path / "only_w"))
    g2, w2, b2, _ = _model()
    with g2.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.NotFoundError, match="layer/b"):
            tf.train.Saver().restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w2), np.arange(6).reshape(3, 2))  # nothing written
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "missing"))
        with pytest.raises(ValueError, match="None"):
            tf.train.Saver().restore(sess, None)
    g3, w3, _, _ = _model(shape_w=(2, 3))
    with g3.as_default(), tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"W.*\[3, 2\].*\[2, 3\]"):
            tf.train.Saver([w3]).restore(sess, prefix)
    with pytest.raises(tf.errors.NotFoundError, match="Key nope not found"):
        tf.train.load_variable(prefix, "nope")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="No variables to save"):
            tf.train.Saver()
        with pytest.raises(ValueError, match="Parent directory"):
            v = tf.Variable(1.0)
            with tf.Session() as sess:
                sess.run(v.initializer)
                tf.train.Saver([v]).save(sess, str(tmp_path / "no" / "such" / "dir"))


@pytest.mark.parametrize("damage", ["truncate", "flip_data", "flip_header", "garbage"])
def test_corrupt_checkpoint_is_data_loss(tmp_path, damage):
    g, w, b, step = _model()
    with g.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver()
        prefix = saver.save(sess, str(tmp_path / "c"))
        path = prefix + ".index"
        data = bytearray(open(path, "rb").read())
        if damage == "truncate":
            data = data[:-5]
        elif damage == "flip_data":
            data[-3] ^= 0xFF
        elif damage == "flip_header":
            data[30] ^= 0x01
        else:
            data = bytearray(b"not a checkpoint at all")
        open(path, "wb").write(bytes(data))
        with pytest.raises(tf.errors.DataLossError):
            saver.restore(sess, prefix)


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import tfgraph as tf
    from tfgraph.train import checkpoint_utils
    mode, prefix = sys.argv[1], sys.argv[2]
    w = tf.Variable(np.zeros((256, 1024), np.float32), name="W")
    saver = tf.train.Saver()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(w.assign(w + 1.0))
    saver.save(sess, prefix)                      # the good checkpoint: all ones
    sess.run(w.assign(w + 1.0))

    def stall(*args):
        print("STALLED", flush=True)
        time.sleep(60)
    if mode == "mid_data":
        real = checkpoint_utils._write_array
        def half(f, arr):
            f.write(memoryview(arr).cast("B")[: arr.nbytes // 2])
            f.flush()
            stall()
        checkpoint_utils._write_array = half
    elif mode == "before_replace":
        os.replace = stall
    else:
        checkpoint_utils.atomic_write_text = stall   # the data file is in place; the state is not
    saver.save(sess, prefix)                      # killed in the middle of this one
""")


@pytest.mark.parametrize("mode", ["mid_data", "before_replace", "before_state"])
def test_killed_save_leaves_previous_checkpoint(tmp_path, mode):
    prefix = str(tmp_path / "model.ckpt")
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, mode, prefix],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "STALLED", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix
    expected = 2.0 if mode == "before_state" else 1.0   # before_state: the new file was published
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "W"),
                                  np.full((256, 1024), expected, np.float32))
    with tf.Graph().as_default():
        w = tf.Variable(np.zeros((256, 1024), np.float32), name="W")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, prefix)
            assert sess.run(w)[0, 0] == expected


def test_format_is_documented_header_plus_raw_arrays(tmp_path):
    prefix = str(tmp_path / "f")
    arr = np.arange(5, dtype=np.float64)
    checkpoint_utils.write_checkpoint(prefix, {"x": arr, "flag": np.array(True)})
    raw = open(prefix + ".index", "rb").read()
    assert raw[:8] == b"TFGCKPT1"
    reader = tf.train.load_checkpoint(prefix)
    np.testing.assert_array_equal(reader.get_tensor("x"), arr)
    assert reader.get_tensor("flag") == np.array(True)
    with pytest.raises(TypeError, match="not supported"):
        checkpoint_utils.write_checkpoint(prefix, {"s": np.array(["a"], dtype=object)})
    assert os.listdir(tmp_path) == ["f.index"]   # no temp files left behind


def test_meta_graph_written_and_resumable(tmp_path):
    g, w, b, step = _model()
    with g.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign(w + 1.0))
        prefix = tf.train.Saver().save(sess, str(tmp_path / "m"), global_step=3)
    assert os.path.exists(prefix + ".meta")
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run("W:0"), np.arange(6).reshape(3, 2) + 1.0)
