"""tf.graph_util: freezing and sub-graph extraction over the JSON GraphDef (re-exports only)."""
from tfgraph.framework.graph_io import convert_variables_to_constants, extract_sub_graph

__all__ = ["convert_variables_to_constants", "extract_sub_graph"]
