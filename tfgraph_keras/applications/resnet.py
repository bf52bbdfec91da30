"""keras.applications.resnet / resnet50: ResNet50 (He et al., 2015; Keras's v1 layout with
biased convolutions) with Keras's layer names (conv1_conv, conv2_block1_0_conv, ..., avg_pool,
predictions), so Keras's weight files load."""
from tfgraph_keras import backend, layers
from tfgraph_keras.applications import imagenet_utils
from tfgraph_keras.models.functional import Model

_FILES = {"resnet50": ("resnet50_weights_tf_dim_ordering_tf_kernels.h5",
                       "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")}


def _bn_axis():
    return 1 if backend.image_data_format() == "channels_first" else 3


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """Bottleneck block: 1x1 (stride), kxk, 1x1 to 4*filters, each with BatchNormalization;
    the shortcut is a strided 1x1 projection (conv_shortcut) or the input; ReLU after the sum."""
    axis = _bn_axis()

    def bn(t, part):
        return layers.BatchNormalization(axis=axis, epsilon=1.001e-5,
                                         name="%s_%s_bn" % (name, part))(t)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = bn(shortcut, 0)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(bn(x, 1))
    x = layers.Conv2D(filters, kernel_size, padding="same", name=name + "_2_conv")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(bn(x, 2))
    x = bn(layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x), 3)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    x = residual_block_v1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name="%s_block%d" % (name, i))
    return x


def ResNet(stack_fn, weights_name, include_top=True, weights="imagenet", input_tensor=None,
           input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
           name="resnet", use_bias=True):
    """The ResNet v1 stem (7x7/2 convolution, 3x3/2 max pool), `stack_fn`'s stages and the
    head; the variants differ only in stack_fn."""
    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, given = imagenet_utils.model_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=1.001e-5, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(imagenet_utils.source_inputs(img_input, given), x, name=name)
    return imagenet_utils.load_weights(model, weights,
                                       _FILES[weights_name][0 if include_top else 1])


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet50"):
    """ResNet50: stages of 3, 4, 6 and 3 bottleneck blocks (64, 128, 256, 512 filters).
    weights: None, 'imagenet' (Keras's file, offline first) or a Keras weights file's path.
    Inputs: BGR images minus the ImageNet means (`resnet50.preprocess_input`)."""
    def stack_fn(x):
        x = stack_residual_blocks_v1(x, 64, 3, stride1=1, name="conv2")
        x = stack_residual_blocks_v1(x, 128, 4, name="conv3")
        x = stack_residual_blocks_v1(x, 256, 6, name="conv4")
        return stack_residual_blocks_v1(x, 512, 3, name="conv5")
    return ResNet(stack_fn, "resnet50", include_top=include_top, weights=weights,
                  input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                  classes=classes, classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """RGB -> BGR, minus the ImageNet channel means (Keras's 'caffe' mode), no scaling."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["ResNet50", "preprocess_input", "decode_predictions"]
