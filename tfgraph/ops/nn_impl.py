"""tf.nn composites built from other ops: moments, batch_normalization, l2_normalize, embedding_lookup."""

__all__ = []
