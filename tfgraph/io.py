"""tf.io: the file helpers under their TF2 spelling (tf.io.gfile, read_file, decode_image)."""
from tfgraph.ops.io_ops import decode_image, read_file
from tfgraph.platform import gfile

__all__ = ["decode_image", "gfile", "read_file"]
