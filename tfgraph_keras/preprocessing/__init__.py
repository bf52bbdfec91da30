"""keras.preprocessing: sequence (pad_sequences, TimeseriesGenerator) and text (Tokenizer, one_hot,
text_to_word_sequence, hashing_trick) and image (ImageDataGenerator, load_img, img_to_array,
array_to_img), and Keras 3's aliases of the keras.utils dataset makers."""
from tfgraph_keras.preprocessing import image, sequence, text
from tfgraph_keras.utils.dataset_utils import text_dataset_from_directory  # noqa: I001
from tfgraph_keras.utils.image_dataset import image_dataset_from_directory
from tfgraph_keras.utils.timeseries import timeseries_dataset_from_array

__all__ = ["image", "sequence", "text", "image_dataset_from_directory",
           "text_dataset_from_directory", "timeseries_dataset_from_array"]
