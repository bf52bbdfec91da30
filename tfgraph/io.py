"""tf.io: the file helpers under their TF2 spelling (tf.io.gfile)."""
from tfgraph.platform import gfile

__all__ = ["gfile"]
