"""Clipping: clip_by_norm, clip_by_global_norm, global_norm (clip_by_value lives in math_ops)."""

__all__ = []
