"""tfgraph.client: TF1's tensorflow.python.client helpers (timeline)."""
