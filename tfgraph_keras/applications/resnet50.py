"""keras.applications.resnet50: ResNet50 and the 'caffe' preprocessing (see resnet.py)."""
from tfgraph_keras.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
