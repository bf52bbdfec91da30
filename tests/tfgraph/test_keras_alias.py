"""tf.keras: the same objects as tfgraph_keras, loaded only when asked for."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code):
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPO), timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_import_tfgraph_does_not_load_keras():
    assert _run("import sys, tfgraph\nprint(any(m.startswith('tfgraph_keras') "
                "for m in sys.modules))") == ["False"]


def test_tf_keras_is_tfgraph_keras():
    out = _run("""
import tfgraph as tf
import tfgraph_keras
from tfgraph.keras.layers import Dense
from tfgraph.keras import optimizers
import tfgraph.keras.layers as L
print(tf.keras is tfgraph_keras, tf.keras.layers.Dense is tfgraph_keras.layers.Dense,
      Dense is tfgraph_keras.layers.Dense, optimizers is tfgraph_keras.optimizers,
      L is tfgraph_keras.layers, tf.compat.v1.keras is tfgraph_keras)
""")
    assert out == ["True"] * 6


def test_mixed_tf1_and_keras_script():
    out = _run("""
import numpy as np
import tfgraph as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation='relu', input_shape=(3,)),
                             tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.SGD(0.01), loss='mse')
x = np.ones((8, 3), np.float32)
h = model.fit(x, np.zeros((8, 1), np.float32), epochs=2, verbose=0)
print(len(h.history['loss']), model.predict(x, verbose=0).shape)
""")
    assert out == ["2", "(8,", "1)"]


def test_unknown_attribute_still_fails():
    out = _run("""
import tfgraph as tf
try:
    tf.no_such_thing
except AttributeError as e:
    print('AttributeError', 'no_such_thing' in str(e))
""")
    assert out == ["AttributeError", "True"]
