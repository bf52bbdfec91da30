"""TF1's platform helpers: tf.app, tf.flags, tf.gfile (the process and file-system side of a script)."""
