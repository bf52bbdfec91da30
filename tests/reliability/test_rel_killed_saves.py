"""kill -9 during a save leaves the old file intact and temps that the next save of the same
target removes; data and directory are fsynced around the atomic rename."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tfgraph as tf
import tfgraph_keras as keras

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The child saves once, then starts a second save that stops half-way (its writer blocks after
# writing part of the data) and says so; the parent kills it with SIGKILL there.
_CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import tfgraph as tf
    import tfgraph_keras as keras
    from tfgraph.train import checkpoint_utils
    from tfgraph_keras.saving import keras_zip
    kind, target = sys.argv[1], sys.argv[2]

    def stall():
        print("STALLED", flush=True)
        time.sleep(60)

    if kind == "keras":
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.save(target)
        real = keras_zip.atomic_write
        def half(path, write_fn):
            def write(tmp):
                with open(tmp, "wb") as f:
                    f.write(b"PK half a zip")
                    f.flush()
                stall()
            return real(path, write)
        keras_zip.atomic_write = half
        model.save(target)
    else:
        v = tf.Variable(np.arange(6.0, dtype=np.float32), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, target)
            real = checkpoint_utils._write_array
            def half(f, arr):
                real(f, arr)
                f.flush()
                stall()
            checkpoint_utils._write_array = half
            saver.save(sess, target)
""")


def _kill_mid_save(kind, target):
    env = dict(os.environ, PYTHONPATH=_ROOT)
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, kind, target], cwd=_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "STALLED", line + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _temps(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(".tmp") or ".tmp-" in n
                  or n.startswith(".tmp"))


def test_killed_keras_save_keeps_the_old_file_and_the_next_save_sweeps_its_temp(tmp_path):
    target = str(tmp_path / "model.keras")
    _kill_mid_save("keras", target)
    assert _temps(tmp_path), "the kill should leave the half-written temp behind"
    keras.backend.clear_session()
    old = keras.models.load_model(target)  # the first save is intact
    x = np.ones((2, 4), np.float32)
    expected = old.predict(x, verbose=0)
    old.save(target)
    assert _temps(tmp_path) == []
    np.testing.assert_allclose(keras.models.load_model(target).predict(x, verbose=0), expected)


def test_killed_checkpoint_save_keeps_the_old_files_and_the_next_save_sweeps(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    _kill_mid_save("ckpt", prefix)
    assert _temps(tmp_path), "the kill should leave the half-written temp behind"
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros(6, np.float32), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(v), np.arange(6.0))
            saver.save(sess, prefix)
    assert _temps(tmp_path) == []


def test_temps_of_a_live_writer_are_left_alone(tmp_path):
    from tfgraph.platform import atomic_file
    target = str(tmp_path / "w.keras")
    mine = atomic_file.temp_file(target)  # this process is alive
    assert atomic_file.sweep_stale(target) == [] and os.path.exists(mine)


def test_data_and_directory_are_fsynced_around_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.path.isdir("/proc/self/fd/%d" % fd)))
        return real_fsync(fd)

    def replace(a, b):
        events.append(("replace", os.path.basename(b)))
        return real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.save(str(tmp_path / "m.keras"))
    i = events.index(("replace", "m.keras"))
    assert ("fsync", False) in events[:i], events  # the file's data before
    assert ("fsync", True) in events[i + 1:], events  # the directory after


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()
