"""Records TensorFlow 2.21 / Keras 3.15 image-preprocessing values for
tests/tfgraph_keras/layers/test_keras_image_preprocessing.py: ImageProjectiveTransformV3 (the
warp behind RandomRotation/Zoom/Translation) for each fill mode and interpolation, Keras's
rotation/zoom/translation matrices applied with fixed parameters, Resizing and CenterCrop.

Run with the TensorFlow virtualenv:
    /root/venvs/tf/bin/python tests/reference/make_keras_image_preprocessing.py
Writes tests/data/keras_image_preprocessing.json.
"""
import json
import math
import os

import numpy as np
import tensorflow as tf
import keras

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                   "keras_image_preprocessing.json")


def main():
    rng = np.random.RandomState(0)
    images = rng.uniform(0, 255, (2, 5, 7, 2)).astype(np.float32)
    h, w = 5, 7
    cx, cy = (w - 1) / 2, (h - 1) / 2
    a = math.radians(30)
    transforms = {
        "rotate30": [math.cos(a), -math.sin(a), cx - cx * math.cos(a) + cy * math.sin(a),
                     math.sin(a), math.cos(a), cy - cx * math.sin(a) - cy * math.cos(a), 0, 0],
        "zoom_out": [1.6, 0, cx * (1 - 1.6), 0, 1.3, cy * (1 - 1.3), 0, 0],
        "shift": [1, 0, 2.5, 0, 1, -3.25, 0, 0],
        "projective": [1.1, 0.2, -1.0, -0.1, 0.9, 0.5, 0.01, -0.02],
        "far": [1, 0, -23.5, 0, 1, 17.2, 0, 0],
    }
    warps = {}
    for name, t in transforms.items():
        for fill in ("REFLECT", "WRAP", "CONSTANT", "NEAREST"):
            for interp in ("BILINEAR", "NEAREST"):
                out = tf.raw_ops.ImageProjectiveTransformV3(
                    images=images, transforms=np.array([t], np.float32),
                    output_shape=[h, w], fill_value=7.0, interpolation=interp, fill_mode=fill)
                warps["%s/%s/%s" % (name, fill, interp)] = out.numpy().tolist()
    layers = keras.layers
    big = rng.uniform(0, 255, (2, 9, 12, 3)).astype(np.float32)
    cases = {
        "resize_bilinear": layers.Resizing(4, 5)(big).numpy().tolist(),
        "resize_nearest": layers.Resizing(6, 4, interpolation="nearest")(big).numpy().tolist(),
        "resize_crop": layers.Resizing(4, 4, crop_to_aspect_ratio=True)(big).numpy().tolist(),
        "resize_pad": layers.Resizing(6, 4, pad_to_aspect_ratio=True,
                                      fill_value=3.0)(big).numpy().tolist(),
        "resize_pad_wide": layers.Resizing(3, 9, pad_to_aspect_ratio=True)(big).numpy().tolist(),
        "center_crop": layers.CenterCrop(5, 6)(big).numpy().tolist(),
        "center_crop_up": layers.CenterCrop(10, 8)(big).numpy().tolist(),
        "contrast_inference": layers.RandomContrast(0.5)(big, training=False).numpy().tolist(),
    }
    errors = {}
    for key, make in (("rotation_factor", lambda: layers.RandomRotation(2.0)),
                      ("contrast_factor", lambda: layers.RandomContrast(-0.2)),
                      ("fill_mode", lambda: layers.RandomZoom(0.2, fill_mode="mirror"))):
        try:
            make()
        except Exception as e:  # noqa: BLE001
            errors[key] = [type(e).__name__, str(e)]
    result = {"keras": keras.__version__, "images": images.tolist(), "big": big.tolist(),
              "transforms": transforms, "warps": warps, "layers": cases, "errors": errors}
    with open(OUT, "w") as f:
        json.dump(result, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
