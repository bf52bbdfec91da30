"""The keras.layers namespace, re-exports only: `from tfgraph_keras.layers import Dense, Conv2D`."""
from tfgraph_keras.layers import op_layers  # Keras 3 op-call nodes in saved files
from tfgraph_keras.saving import builtin_objects
from tfgraph_keras.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from tfgraph_keras.layers.attention import (
                                            AdditiveAttention,
                                            Attention,
                                            EinsumDense,
                                            MultiHeadAttention,
)
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.convolutional import (
                                            Conv1D,
                                            Conv2D,
                                            Conv2DTranspose,
                                            Convolution1D,
                                            Convolution2D,
                                            Convolution2DTranspose,
                                            Cropping2D,
                                            DepthwiseConv2D,
                                            SeparableConv2D,
                                            SeparableConvolution2D,
                                            UpSampling1D,
                                            UpSampling2D,
                                            ZeroPadding1D,
                                            ZeroPadding2D,
)
from tfgraph_keras.layers.convolutional_nd import (Conv1DTranspose, Conv3D, Conv3DTranspose,
                                                   Convolution3D, Convolution3DTranspose,
                                                   SeparableConv1D, SeparableConvolution1D)
from tfgraph_keras.layers.core import (
                                            Activation,
                                            Dense,
                                            Dropout,
                                            Flatten,
                                            GaussianNoise,
                                            Identity,
                                            Lambda,
                                            Permute,
                                            RepeatVector,
                                            Rescaling,
                                            Reshape,
                                            SpatialDropout1D,
                                            SpatialDropout2D,
)
from tfgraph_keras.layers.embedding import Embedding
from tfgraph_keras.layers.input_layer import Input, InputLayer
from tfgraph_keras.layers.masking import Masking
from tfgraph_keras.layers.merge import merge  # noqa: F401 - Keras 1's merge()
from tfgraph_keras.layers.merging import (
                                            Add,
                                            Average,
                                            Concatenate,
                                            Dot,
                                            Maximum,
                                            Minimum,
                                            Multiply,
                                            Subtract,
                                            add,
                                            average,
                                            concatenate,
                                            dot,
                                            maximum,
                                            minimum,
                                            multiply,
                                            subtract,
)
from tfgraph_keras.layers.normalization import BatchNormalization, LayerNormalization
from tfgraph_keras.layers.pooling import (
                                            AveragePooling1D,
                                            AveragePooling2D,
                                            AvgPool1D,
                                            AvgPool2D,
                                            GlobalAveragePooling1D,
                                            GlobalAveragePooling2D,
                                            GlobalAvgPool1D,
                                            GlobalAvgPool2D,
                                            GlobalMaxPool1D,
                                            GlobalMaxPool2D,
                                            GlobalMaxPooling1D,
                                            GlobalMaxPooling2D,
                                            MaxPool1D,
                                            MaxPool2D,
                                            MaxPooling1D,
                                            MaxPooling2D,
)
from tfgraph_keras.layers.pooling3d import (AveragePooling3D, AvgPool3D, GlobalAveragePooling3D,
                                            GlobalAvgPool3D, GlobalMaxPool3D, GlobalMaxPooling3D,
                                            MaxPool3D, MaxPooling3D)
from tfgraph_keras.layers.preprocessing_layers import CategoryEncoding, Normalization
from tfgraph_keras.layers.preprocessing_layers import Discretization  # noqa: I001
from tfgraph_keras.layers.hashing import Hashing
from tfgraph_keras.layers.image_preprocessing import (CenterCrop, RandomContrast, RandomFlip,
                                                      RandomRotation, RandomTranslation,
                                                      RandomZoom, Resizing)
from tfgraph_keras.layers.index_lookup import IntegerLookup, StringLookup
from tfgraph_keras.layers.text_vectorization import TextVectorization
from tfgraph_keras.layers.recurrent import GRU, LSTM, SimpleRNN
from tfgraph_keras.layers.regularization import (
                                            ActivityRegularization,
                                            AlphaDropout,
                                            GaussianDropout,
                                            ThresholdedReLU,
                                            UnitNormalization,
)
from tfgraph_keras.layers.reshaping import Cropping1D, Cropping3D, UpSampling3D, ZeroPadding3D
from tfgraph_keras.layers.rnn_cells import RNN, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from tfgraph_keras.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: I001
from tfgraph_keras.layers.wrappers import Bidirectional, TimeDistributed, Wrapper

__all__ = [
    "Layer", "InputSpec", "Input", "InputLayer",
    "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda",
    "Rescaling", "Identity", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D",
    "Conv2DTranspose", "Convolution2DTranspose", "Cropping2D", "ZeroPadding1D", "UpSampling1D",
    "Conv1D", "Conv2D", "Convolution1D", "Convolution2D", "DepthwiseConv2D", "SeparableConv2D",
    "SeparableConvolution2D", "ZeroPadding2D", "UpSampling2D",
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "MaxPool1D",
    "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D",
    "GlobalMaxPool1D", "GlobalMaxPool2D",
    "BatchNormalization", "LayerNormalization", "Embedding", "SimpleRNN", "LSTM", "GRU",
    "LeakyReLU", "ReLU", "ELU", "PReLU", "Softmax",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot",
    "Wrapper", "TimeDistributed", "Bidirectional", "Masking",
    "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
    "Attention", "AdditiveAttention", "MultiHeadAttention", "EinsumDense",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "UnitNormalization",
    "ThresholdedReLU", "Cropping1D", "Cropping3D", "ZeroPadding3D", "UpSampling3D",
    "Conv1DTranspose", "Conv3D", "Conv3DTranspose", "SeparableConv1D", "Convolution3D",
    "Convolution3DTranspose", "SeparableConvolution1D", "MaxPooling3D", "AveragePooling3D",
    "GlobalMaxPooling3D", "GlobalAveragePooling3D", "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D",
    "GlobalAvgPool3D", "CategoryEncoding", "Normalization",
    "Discretization", "Hashing", "IntegerLookup", "StringLookup", "TextVectorization",
    "CenterCrop", "RandomContrast", "RandomFlip", "RandomRotation", "RandomTranslation",
    "RandomZoom", "Resizing", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
]

# Saved models name these classes; deserialization finds them here (saving/builtin_objects.py).
builtin_objects.register(globals(), __all__)
builtin_objects.register_op_layers(op_layers.OP_LAYERS)
