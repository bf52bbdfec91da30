"""keras.preprocessing: sequence (pad_sequences, TimeseriesGenerator) and text (Tokenizer, one_hot,
text_to_word_sequence, hashing_trick)."""
from tfgraph_keras.preprocessing import sequence, text

__all__ = ["sequence", "text"]
