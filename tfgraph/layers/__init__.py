"""tf.layers: TF1's functional layers and their classes, on tfgraph ops and tf.get_variable.

    h = tf.layers.dense(x, 128, activation=tf.nn.relu)     # variables dense/kernel, dense/bias
    h = tf.layers.conv2d(images, 32, 5, padding='same')    # conv2d/kernel, conv2d/bias
    h = tf.layers.batch_normalization(h, training=is_training)
"""
from tfgraph.layers.base import Layer
from tfgraph.layers.convolutional import (
                                          Conv1D,
                                          Conv2D,
                                          Conv2DTranspose,
                                          Convolution1D,
                                          Convolution2D,
                                          Convolution2DTranspose,
                                          conv1d,
                                          conv2d,
                                          conv2d_transpose,
)
from tfgraph.layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from tfgraph.layers.normalization import BatchNormalization, batch_normalization
from tfgraph.layers.pooling import (
                                          AveragePooling1D,
                                          AveragePooling2D,
                                          MaxPooling1D,
                                          MaxPooling2D,
                                          average_pooling1d,
                                          average_pooling2d,
                                          max_pooling1d,
                                          max_pooling2d,
)

__all__ = ["Layer", "Dense", "Dropout", "Flatten", "dense", "dropout", "flatten", "Conv1D",
           "Conv2D", "Conv2DTranspose", "Convolution1D", "Convolution2D",
           "Convolution2DTranspose", "conv1d", "conv2d", "conv2d_transpose", "BatchNormalization",
           "batch_normalization", "AveragePooling1D", "AveragePooling2D", "MaxPooling1D",
           "MaxPooling2D", "average_pooling1d", "average_pooling2d", "max_pooling1d",
           "max_pooling2d"]
