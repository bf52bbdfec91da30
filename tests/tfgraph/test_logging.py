"""tf.logging: TF1's levels, verbosity and the counted helpers (log_every_n, log_first_n)."""
import logging
import os
import subprocess
import sys

import tfgraph as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_levels_are_tf1s():
    lg = tf.logging
    assert (lg.DEBUG, lg.INFO, lg.WARN, lg.ERROR, lg.FATAL) == (10, 20, 30, 40, 50)


def test_counted_helpers_and_verbosity():
    # Run in a fresh process so the handler setup (root logger without handlers) is TF's.
    script = """
import tfgraph as tf
print(tf.logging.get_verbosity())
tf.logging.info('hidden %d', 1)
tf.logging.set_verbosity(tf.logging.INFO)
print(tf.logging.get_verbosity())
for i in range(7):
    tf.logging.log_every_n(tf.logging.INFO, 'every %d', 3, i)
for i in range(5):
    tf.logging.log_first_n(tf.logging.WARN, 'first %d', 2, i)
tf.logging.vlog(tf.logging.ERROR, 'v %s', 'x')
tf.logging.log_if(tf.logging.INFO, 'never', False)
tf.logging.debug('no debug')
tf.logging.set_verbosity(tf.logging.ERROR)
tf.logging.warn('no warn')
tf.logging.fatal('bad')
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPO), timeout=120)
    assert proc.stdout.split() == ["30", "20"]
    assert proc.stderr.splitlines() == [
        "INFO:tfgraph:every 0", "INFO:tfgraph:every 3", "INFO:tfgraph:every 6",
        "WARNING:tfgraph:first 0", "WARNING:tfgraph:first 1", "ERROR:tfgraph:v x",
        "CRITICAL:tfgraph:bad"]


def test_no_handler_when_root_is_configured(caplog):
    with caplog.at_level(logging.INFO, logger="tfgraph"):
        tf.logging.info("seen %s", "here")
    assert "seen here" in caplog.text
