"""keras.ops on tfgraph (`from tfgraph_keras import ops`): Keras 3 names, arguments and dtype rules.

Every op builds tfgraph graph ops. On tfgraph Tensors or Variables (inside a Layer's `call`, or
under `with graph.as_default()`) it returns Tensors; on numpy arrays and Python values alone it
runs the same ops once in a private graph and returns numpy arrays (see ops/core.py).
cond, while_loop, fori_loop, scan, map and vectorized_map build tfgraph control flow
(ops/control_flow.py).
"""
from tfgraph_keras.ops.array import *  # noqa: F403
from tfgraph_keras.ops.control_flow import *  # noqa: F403
from tfgraph_keras.ops.core import *  # noqa: F403
from tfgraph_keras.ops.extra import *  # noqa: F403
from tfgraph_keras.ops.linalg import *  # noqa: F403
from tfgraph_keras.ops.math import *  # noqa: F403
from tfgraph_keras.ops.nn import *  # noqa: F403
from tfgraph_keras.ops.numpy import *  # noqa: F403
