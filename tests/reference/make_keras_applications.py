"""Writes the keras_applications* fixtures (tests/data) from real Keras 3 for
tests/tfgraph_keras/applications/test_keras_applications.py:
- keras_applications.json: for VGG16, ResNet50 and MobileNetV2 in several configurations
  (include_top, input_shape, pooling, classes, alpha) the parameter counts, layer names and
  classes, output shapes and the weights' paths and shapes in Keras's order; preprocess_input of
  each family in both data formats; decode_predictions with a synthetic class-index file
  (`class_index()` below, which the tests write again).
- keras_applications_mnv2.h5: MobileNetV2(alpha=0.35, include_top=False, input_shape=(32, 32, 3))
  with seeded weights, saved by tf_keras (Keras 2) in the legacy HDF5 layout that Keras's
  downloadable ImageNet weight files use; keras_applications_mnv2.npz: an input and Keras 3's
  predictions after `weights=<that file>` (pooling=None and pooling="avg");
  keras_applications_mnv2.keras: the pooling="avg" model saved whole by Keras 3.
- keras_applications_seeded.npz: ResNet50 and VGG16 (include_top=False, 32x32 inputs) with
  weights from `seeded_weights` (the tests draw the same), Keras 3's outputs.
Run it with the TensorFlow virtualenv (tfgraph never imports TensorFlow; Keras 3.15.1 wrote it):
    /root/venvs/tf/bin/python tests/reference/make_keras_applications.py
"""
import json
import os
import subprocess
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")

CONFIGS = {
    "vgg16_top": ("VGG16", dict(weights=None)),
    "vgg16_notop_avg": ("VGG16", dict(weights=None, include_top=False, input_shape=(64, 48, 3),
                                      pooling="avg")),
    "vgg16_classes": ("VGG16", dict(weights=None, classes=7, classifier_activation=None)),
    "resnet50_top": ("ResNet50", dict(weights=None)),
    "resnet50_notop_max": ("ResNet50", dict(weights=None, include_top=False,
                                            input_shape=(64, 64, 3), pooling="max")),
    "resnet50_notop": ("ResNet50", dict(weights=None, include_top=False)),
    "mobilenetv2_top": ("MobileNetV2", dict(weights=None)),
    "mobilenetv2_035_96": ("MobileNetV2", dict(weights=None, alpha=0.35,
                                               input_shape=(96, 96, 3), classes=5)),
    "mobilenetv2_14_notop": ("MobileNetV2", dict(weights=None, alpha=1.4, include_top=False,
                                                 input_shape=(33, 47, 3))),
    "mobilenetv2_notop_avg": ("MobileNetV2", dict(weights=None, include_top=False,
                                                  pooling="avg")),
}

MNV2_SMALL = dict(alpha=0.35, include_top=False, input_shape=(32, 32, 3))


def class_index():
    """A stand-in for Keras's imagenet_class_index.json: same layout, made-up names."""
    return {str(i): ["n%08d" % (1000 + 7 * i), "class_%d" % i] for i in range(1000)}


def describe(model):
    return {"params": int(model.count_params()),
            "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
            "name": model.name,
            "layers": [[layer.name, type(layer).__name__] for layer in model.layers],
            "output_shape": list(model.output.shape),
            "input_shape": list(model.input.shape),
            "weights": [[w.path, list(w.shape)] for w in model.weights]}


def preprocess_cases(keras):
    x = np.random.RandomState(3).uniform(0, 255, (2, 4, 5, 3)).astype(np.float32)
    out = {"x": x.tolist()}
    for family in ("vgg16", "resnet50", "mobilenet_v2"):
        fn = getattr(keras.applications, family).preprocess_input
        out[family] = np.asarray(fn(x.copy())).tolist()
        xf = np.transpose(x, (0, 3, 1, 2)).copy()
        out[family + "_channels_first"] = np.asarray(fn(xf, data_format="channels_first")).tolist()
        out[family + "_single"] = np.asarray(fn(x[0].copy())).tolist()
    return out


def decode_cases(keras):
    preds = np.random.RandomState(4).dirichlet(np.ones(1000) * 0.05, size=2).astype(np.float32)
    # Keras checks the downloaded file's hash (so a stand-in file would be fetched again):
    # hand it the parsed index directly, as it keeps it after its first load.
    from keras.src.applications import imagenet_utils
    imagenet_utils.CLASS_INDEX = class_index()
    got = keras.applications.vgg16.decode_predictions(preds, top=3)
    return {"preds_seed": 4, "top3": [[[a, b, float(c)] for a, b, c in row] for row in got]}


SEEDED = {  # full-size architectures checked numerically with seeded weights (no weight file)
    "resnet50": ("ResNet50", dict(weights=None, include_top=False, input_shape=(32, 32, 3),
                                  pooling="avg")),
    "vgg16": ("VGG16", dict(weights=None, include_top=False, input_shape=(32, 32, 3),
                            pooling="max")),
}


def seeded_weights(names_shapes, seed=9):
    """Weights by name from a seeded RandomState: He-scaled kernels, BatchNormalization
    statistics that keep activations in range (positive variances)."""
    rng = np.random.RandomState(seed)
    out = []
    for name, shape in names_shapes:
        shape = tuple(shape)
        if "moving_variance" in name:
            v = rng.uniform(0.5, 1.5, shape)
        elif "moving_mean" in name or "beta" in name or "bias" in name:
            v = rng.randn(*shape) * 0.1
        elif "gamma" in name:
            v = rng.uniform(0.8, 1.2, shape)
        else:
            v = rng.randn(*shape) * np.sqrt(2.0 / np.prod(shape[:-1]))
        out.append(np.asarray(v, np.float32))
    return out


def keras2_weights_file(path):
    """tf_keras writes the small MobileNetV2 with seeded weights in the legacy layout."""
    code = """
import numpy as np, os, sys
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tf_keras as keras
model = keras.applications.MobileNetV2(weights=None, **%r)
rng = np.random.RandomState(9)
new = []
for w in model.weights:
    name, shape = w.name, tuple(w.shape)
    if "moving_variance" in name:
        new.append(rng.uniform(0.5, 1.5, shape))
    elif "moving_mean" in name or "beta" in name:
        new.append(rng.randn(*shape) * 0.1)
    elif "gamma" in name:
        new.append(rng.uniform(0.8, 1.2, shape))
    else:
        fan_in = np.prod(shape[:-1]) if "depthwise" not in name else np.prod(shape[:2])
        new.append(rng.randn(*shape) * np.sqrt(2.0 / fan_in))
model.set_weights([np.asarray(v, np.float32) for v in new])
model.save_weights(sys.argv[1])
""" % (MNV2_SMALL,)
    subprocess.run([sys.executable, "-c", code, path], check=True)


def main():
    h5 = os.path.join(HERE, "keras_applications_mnv2.h5")
    keras2_weights_file(h5)
    import keras
    out = {"keras_version": keras.__version__, "configs": {}}
    for key, (fn, kwargs) in CONFIGS.items():
        keras.backend.clear_session()
        model = getattr(keras.applications, fn)(**kwargs)
        out["configs"][key] = dict(describe(model), fn=fn,
                                   kwargs={k: v for k, v in kwargs.items()})
        del model
    out["preprocess"] = preprocess_cases(keras)
    out["decode"] = decode_cases(keras)
    with open(os.path.join(HERE, "keras_applications.json"), "w") as f:
        json.dump(out, f)
    x = np.random.RandomState(5).uniform(0, 255, (3, 32, 32, 3)).astype(np.float32)
    x = keras.applications.mobilenet_v2.preprocess_input(x)
    preds = {"x": x}
    for pooling in (None, "avg"):
        keras.backend.clear_session()
        model = keras.applications.MobileNetV2(weights=h5, pooling=pooling, **MNV2_SMALL)
        preds["y_%s" % pooling] = model.predict(x, verbose=0)
    model.save(os.path.join(HERE, "keras_applications_mnv2.keras"))  # the pooling="avg" model
    seeded = {"x": np.random.RandomState(6).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)}
    for key, (fn, kwargs) in SEEDED.items():
        keras.backend.clear_session()
        model = getattr(keras.applications, fn)(**kwargs)
        model.set_weights(seeded_weights([(w.path, w.shape) for w in model.weights]))
        seeded[key] = model.predict(seeded["x"], verbose=0)
    np.savez(os.path.join(HERE, "keras_applications_seeded.npz"), **seeded)
    np.savez(os.path.join(HERE, "keras_applications_mnv2.npz"), **preds)
    print("wrote keras_applications.json, keras_applications_mnv2.h5/.npz/.keras;",
          {k: v["params"] for k, v in out["configs"].items()})


if __name__ == "__main__":
    main()
