"""keras.metrics: metric functions and stateful Metric objects, one get().

base.py holds the Metric protocol (per-batch statistics summed by the engine), the mean metrics
and get/resolve; confusion.py the confusion-matrix metrics (Precision, Recall, AUC, ...);
scores.py F-scores, MeanIoU and R2Score.
"""
from tfgraph_keras.backend import to_snake_case as _snake
from tfgraph_keras.metrics import base as _base
from tfgraph_keras.metrics.base import (  # noqa: F401
    Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy, CategoricalCrossentropy,
    CosineSimilarity, Hinge, KLDivergence, Mean, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanMetricWrapper, MeanSquaredError, MeanSquaredLogarithmicError, Metric,
    RootMeanSquaredError, SparseCategoricalAccuracy, SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, binary_accuracy, binary_crossentropy,
    categorical_accuracy, categorical_crossentropy, check, cosine_similarity, deserialize, get,
    hinge,
    kl_divergence, mae, mape, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, mean_squared_logarithmic_error, mse, msle, resolve, serialize,
    sparse_categorical_accuracy, sparse_categorical_crossentropy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy)
from tfgraph_keras.metrics.confusion import (  # noqa: F401
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
    SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives, TruePositives)
from tfgraph_keras.metrics.scores import F1Score, FBetaScore, MeanIoU, R2Score  # noqa: F401

# get('AUC') and get('auc') give a new instance, as in Keras 3
for _cls in (AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
             RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
             TruePositives, F1Score, FBetaScore, MeanIoU, R2Score):
    _base._CLASSES[_cls.__name__] = _base._CLASSES[_snake(_cls.__name__)] = _cls
