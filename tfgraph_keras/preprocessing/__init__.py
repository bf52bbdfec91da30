"""keras.preprocessing: sequence (pad_sequences, TimeseriesGenerator) and text (Tokenizer, one_hot,
text_to_word_sequence, hashing_trick) and image (ImageDataGenerator, load_img, img_to_array,
array_to_img)."""
from tfgraph_keras.preprocessing import image, sequence, text

__all__ = ["image", "sequence", "text"]
