"""Neural-network ops (tf.nn): activations, softmax, bias_add, dropout, cross-entropies."""

__all__ = []
