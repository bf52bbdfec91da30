"""keras.applications.imagenet_utils: input checks, ImageNet preprocessing and decoding, and the
weights argument shared by the application models."""
import json
import os
import warnings

import numpy as np

import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras.datasets._files import get_file

CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                   "imagenet_class_index.json")
WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR means of ImageNet (Keras's "caffe" mode)
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
_CLASS_INDEX = {}  # path -> parsed index


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scales a batch (or one image) of RGB pixels in [0, 255] as a model was trained on.

    mode "caffe" (VGG16, ResNet50): RGB -> BGR, minus the ImageNet channel means; "tf"
    (MobileNetV2): to [-1, 1]; "torch": to [0, 1], then per-channel ImageNet mean/std. Numpy
    float input is changed in place and returned (as Keras does); tensors give a new tensor.
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode=%s"
                         % (mode,))
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or `channels_last`. "
                         "Received: data_format=%s" % (data_format,))
    if isinstance(x, tf.Tensor):
        return _preprocess_tensor(x, data_format, mode)
    x = np.asarray(x) if not isinstance(x, np.ndarray) else x
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(backend.floatx())
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = _channel_axis(x.ndim, data_format)
    if mode == "caffe":
        x = np.flip(x, axis)
        mean, std = _CAFFE_MEAN, None
    else:
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    shape = [1] * x.ndim
    shape[axis] = 3
    x = x - np.reshape(np.asarray(mean, x.dtype), shape)
    if std is not None:
        x /= np.reshape(np.asarray(std, x.dtype), shape)
    return x


def _channel_axis(ndim, data_format):
    return (0 if ndim == 3 else 1) if data_format == "channels_first" else ndim - 1


def _preprocess_tensor(x, data_format, mode):
    if not x.dtype.is_floating:
        x = tf.cast(x, backend.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = x.shape.ndims
    axis = _channel_axis(ndim, data_format)
    shape = [1] * ndim
    shape[axis] = 3
    if mode == "caffe":
        x = tf.reverse(x, [axis])
        return x - tf.constant(np.reshape(np.asarray(_CAFFE_MEAN, x.dtype.np), shape))
    x = x / 255.0 - tf.constant(np.reshape(np.asarray(_TORCH_MEAN, x.dtype.np), shape))
    return x / tf.constant(np.reshape(np.asarray(_TORCH_STD, x.dtype.np), shape))


def decode_predictions(preds, top=5):
    """The `top` classes of each row of (samples, 1000) ImageNet scores as
    (class_name, description, score) tuples, best first.

    The class index is Keras's `imagenet_class_index.json`, found offline first
    ($TFGRAPH_DATASETS_DIR, then ~/.keras/models) and downloaded otherwise."""
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of "
                         "shape (samples, 1000)). Received array with shape: %s"
                         % (preds.shape,))
    path = get_file("imagenet_class_index.json", CLASS_INDEX_URL, cache_subdir="models")
    path = os.path.abspath(path)
    if path not in _CLASS_INDEX:
        with open(path) as f:
            _CLASS_INDEX[path] = json.load(f)
    index = _CLASS_INDEX[path]
    results = []
    for row in preds:
        best = np.argsort(row, kind="stable")[-top:][::-1]
        entries = [tuple(index[str(i)]) + (row[i],) for i in best]
        entries.sort(key=lambda e: e[2], reverse=True)
        results.append(entries)
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """The model's input shape: the given one checked (3 dims, at least min_size pixels, 3
    channels for ImageNet weights), or the default; a top (Flatten/Dense) needs it static."""
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          "passed an input_shape with %s input channels." % (channels,),
                          stacklevel=3)
        default = ((channels, default_size, default_size) if first
                   else (default_size, default_size, channels))
    else:
        default = (3, default_size, default_size) if first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             "`input_shape` should be %s.  Received: input_shape=%s"
                             % (default, input_shape))
        return default
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels = input_shape[0] if first else input_shape[-1]
        spatial = input_shape[1:] if first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError("The input must have 3 channels; Received `input_shape=%s`"
                             % (input_shape,))
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError("Input size must be at least %dx%d; Received: input_shape=%s"
                             % (min_size, min_size, input_shape))
    elif require_flatten:
        input_shape = default
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         "Received: input_shape=%s" % (input_shape,))
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ((top, bottom), (left, right)) zero padding before a stride-2 'valid' convolution
    that centres the kernel as TF's 'same' would on an even input."""
    start = 2 if backend.image_data_format() == "channels_first" else 1
    size = inputs.shape.as_list()[start:start + 2]
    kernel = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel[0] // 2, kernel[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def check_arguments(weights, include_top, classes, classifier_activation):
    """The checks every application runs on `weights`/`classes` before building."""
    if not (weights in ("imagenet", None) or os.path.exists(str(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path to "
                         "the weights file to be loaded.  Received: weights=%s" % (weights,))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         "should be 1000.  Received classes=%s" % (classes,))
    if weights is not None and include_top and classifier_activation not in ("softmax", None):
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, with "
                         "`include_top=True`; Received: classifier_activation=%s"
                         % (classifier_activation,))


def load_weights(model, weights, file_name=None):
    """weights=None: keep the initial weights; a path: load that Keras weights file (a Keras 2
    .h5 like the ImageNet downloads, or a Keras 3 .weights.h5); 'imagenet': Keras's file
    `file_name`, found offline first (~/.keras/models) and downloaded otherwise."""
    if weights is None:
        return model
    if weights == "imagenet":
        weights = get_file(file_name, WEIGHTS_URL + file_name, cache_subdir="models")
    model.load_weights(weights)
    return model


def model_input(input_tensor, input_shape):
    from tfgraph_keras.layers.input_layer import Input
    if input_tensor is None:
        return Input(shape=input_shape), None
    if not hasattr(input_tensor, "_keras_history"):
        return Input(tensor=input_tensor, shape=input_shape), input_tensor
    return input_tensor, input_tensor


def source_inputs(img_input, input_tensor):
    """The model inputs behind `input_tensor` (Keras's get_source_inputs): the Input tensors
    its graph starts from."""
    if input_tensor is None:
        return img_input
    found, stack = [], [input_tensor]
    while stack:
        t = stack.pop()
        layer, node_index, _ = t._keras_history
        node = layer.inbound_nodes[node_index]
        inbound = [x for x in node.flat_inputs if hasattr(x, "_keras_history")]
        if not inbound or type(layer).__name__ == "InputLayer":
            if not any(t is f for f in found):
                found.append(t)
        else:
            stack.extend(reversed(inbound))
    return found[0] if len(found) == 1 else found
