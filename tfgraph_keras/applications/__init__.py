"""keras.applications: VGG16, ResNet50 and MobileNetV2 with Keras's layer names and weight
order (weights=None, 'imagenet' found offline first, or a Keras weights file), and each family's
preprocess_input / decode_predictions."""
from tfgraph_keras.applications import imagenet_utils, mobilenet_v2, resnet, resnet50, vgg16
from tfgraph_keras.applications.mobilenet_v2 import MobileNetV2
from tfgraph_keras.applications.resnet import ResNet50
from tfgraph_keras.applications.vgg16 import VGG16

__all__ = ["MobileNetV2", "ResNet50", "VGG16", "imagenet_utils", "mobilenet_v2", "resnet",
           "resnet50", "vgg16"]
