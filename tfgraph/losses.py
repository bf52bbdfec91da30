"""The tf.losses namespace (mean_squared_error, softmax_cross_entropy, ...)."""

__all__ = []
