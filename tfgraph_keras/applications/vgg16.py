"""keras.applications.vgg16: VGG16 (Simonyan & Zisserman, 2014) with Keras's layer names
(block1_conv1 ... block5_pool, flatten, fc1, fc2, predictions), so Keras's weight files load."""
from tfgraph_keras import backend, layers
from tfgraph_keras.applications import imagenet_utils
from tfgraph_keras.models.functional import Model

_FILES = ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
          "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))  # (filters, convolutions)


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """VGG16: 13 3x3 convolutions in 5 blocks, then (include_top) two 4096-unit layers and a
    `classes`-way classifier. weights: None (random), 'imagenet' (Keras's file, offline first)
    or the path of a Keras weights file. Without the top, `pooling` 'avg'/'max' gives vectors.
    Inputs: BGR images minus the ImageNet means (`vgg16.preprocess_input`)."""
    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, given = imagenet_utils.model_input(input_tensor, input_shape)
    x = img_input
    for b, (filters, convs) in enumerate(_BLOCKS, start=1):
        for c in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name="block%d_conv%d" % (b, c))(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name="block%d_pool" % b)(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(imagenet_utils.source_inputs(img_input, given), x, name=name)
    return imagenet_utils.load_weights(model, weights, _FILES[0 if include_top else 1])


def preprocess_input(x, data_format=None):
    """RGB -> BGR, minus the ImageNet channel means (Keras's 'caffe' mode), no scaling."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["VGG16", "preprocess_input", "decode_predictions"]
