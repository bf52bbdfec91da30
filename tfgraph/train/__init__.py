"""The tf.train namespace: optimizers, learning-rate schedules, Saver (re-exports only)."""
