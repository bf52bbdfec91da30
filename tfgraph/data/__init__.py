"""tf.data (TF1 / tf.compat.v1.data): input pipelines run by iterators inside the session.

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32).repeat()
    images, labels = tf.data.make_one_shot_iterator(ds).get_next()

See dataset_ops.py for how pipelines run and iterator_ops.py for the iterator ops. The kinds of
dataset (sources.py, transformations.py, functions.py) register with dataset_ops when imported here.
"""
from tfgraph.data import experimental, functions, transformations  # noqa: F401 - registration
from tfgraph.data.dataset_ops import AUTOTUNE, Dataset, DatasetV1, DatasetV2
from tfgraph.data.sources import TextLineDataset
from tfgraph.data.iterator_ops import (Iterator, get_output_classes, get_output_shapes,
                                       get_output_types, make_initializable_iterator,
                                       make_one_shot_iterator)
from tfgraph.data.structure import TensorSpec

__all__ = ["AUTOTUNE", "Dataset", "DatasetV1", "DatasetV2", "Iterator", "TensorSpec",
           "TextLineDataset",
           "experimental", "get_output_classes", "get_output_shapes", "get_output_types",
           "make_initializable_iterator", "make_one_shot_iterator"]
