"""Smoke test of an installed wheel, run by .ci/wheel_check in a fresh virtualenv.

It runs outside the checkout, so `import tfgraph` finds the installed package, not the sources: a
module or data file missing from the wheel fails here.
Usage: python wheel_smoke.py TUTORIALS_DIR WORK_DIR
"""
import os
import subprocess
import sys
from importlib import metadata

import numpy as np

import tfgraph as tf
from tfgraph import viz
import tfgraph_keras as keras
from tfgraph_keras import layers

tutorials, work = sys.argv[1], sys.argv[2]
for module in (tf, keras):
    assert "site-packages" in module.__file__, "imported from the checkout: %s" % module.__file__
assert tf.__version__ == keras.__version__ == metadata.version("tfgraph"), tf.__version__

# Train a few steps, save, load, and check the loaded model predicts the same.
rng = np.random.RandomState(0)
x = rng.rand(64, 8, 8, 1).astype("float32")
y = rng.randint(0, 3, size=64)
model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                          layers.MaxPooling2D(), layers.Flatten(),
                          layers.Dense(3, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
losses = history.history["loss"]
assert losses[-1] < losses[0], losses
path = os.path.join(work, "model.keras")
model.save(path)
loaded = keras.models.load_model(path)
np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)

# The HTML viewer needs viewer.js, a package data file.
html = os.path.join(work, "graph.html")
viz.write_html(keras.backend.get_graph(), html)
with open(html, encoding="utf-8") as f:
    page = f.read()
assert "<script" in page and len(page) > 10000, len(page)

# One tutorial in quick mode, as a user would run it.
out = subprocess.run([sys.executable, os.path.join(tutorials, "mnist_softmax.py"), "--quick"],
                     cwd=work, capture_output=True, text=True, timeout=300)
assert out.returncode == 0, out.stderr
accuracy = float(out.stdout.split()[-1])
assert accuracy > 0.7, out.stdout
# The console script (the cli extra), on the model saved above.
tool = os.path.join(os.path.dirname(sys.executable), "tfgraph")
out = subprocess.run([tool, "summary", path], cwd=work, capture_output=True, text=True, timeout=120)
assert out.returncode == 0 and "Total params" in out.stdout, out.stdout + out.stderr
out = subprocess.run([tool, "summary", "missing.keras"], cwd=work, capture_output=True, text=True,
                     timeout=120)
assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr

print("wheel smoke test passed: tfgraph %s, loss %.3f -> %.3f, tutorial accuracy %.3f"
      % (tf.__version__, losses[0], losses[-1], accuracy))
