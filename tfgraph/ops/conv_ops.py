"""Convolution and pooling ops (NHWC): conv1d, conv2d, max_pool, avg_pool and their gradients."""

__all__ = []
