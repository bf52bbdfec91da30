"""The tf.train namespace: optimizers, learning-rate schedules, Saver (re-exports only)."""
from tfgraph.framework.graph_io import export_meta_graph, import_meta_graph, write_graph  # noqa: F401
