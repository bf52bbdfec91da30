"""tfgraph.viz: a graph in networkx, Graphviz, TensorBoard and a self-contained HTML viewer."""
from tfgraph.viz.dot import render, to_dot, write_dot
from tfgraph.viz.html import to_html, write_html
from tfgraph.viz.networkx_export import (
                                         read_graphml,
                                         read_json,
                                         to_networkx,
                                         to_node_link,
                                         write_graphml,
                                         write_json,
)

__all__ = ["to_networkx", "to_node_link", "write_graphml", "read_graphml", "write_json",
           "read_json", "to_html", "write_html", "to_dot", "write_dot", "render"]
