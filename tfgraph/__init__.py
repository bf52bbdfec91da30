"""tfgraph: a TensorFlow-1-style static graph engine on numpy + Numba.

    import tfgraph as tf
    x = tf.placeholder(tf.float32, [None, 784])
    ...
    with tf.Session() as sess:
        sess.run(train_step, feed_dict={x: batch})

This module is the TF1 namespace (`tf.compat.v1` is the same object); it only re-exports.
"""
import sys as _sys
import types as _types

from tfgraph.framework import dtypes as _dtypes
from tfgraph.framework import errors
from tfgraph.framework.dtypes import (DType, as_dtype, bool, double, float16, float32, float64,  # noqa: A004
                                      half, int8, int16, int32, int64, string, uint8)
from tfgraph.framework.graph import Graph, GraphKeys, get_default_graph, reset_default_graph
from tfgraph.framework.op_def import convert_to_tensor, register_tensor_conversion_function
from tfgraph.framework.operation import Operation
from tfgraph.framework.scopes import (AUTO_REUSE, VariableScope, control_dependencies, device,
                                      get_variable_scope, name_scope, variable_scope)
from tfgraph.framework.tensor import Tensor
from tfgraph.framework.tensor_shape import Dimension, TensorShape
from tfgraph.runtime import allocator as _allocator
from tfgraph.runtime.session import (ConfigProto, GPUOptions, GraphOptions, InteractiveSession,
                                     Session, get_default_session)
from tfgraph.variables import (Variable, all_variables, global_variables,
                               global_variables_initializer, initialize_all_variables,
                               local_variables, local_variables_initializer, model_variables,
                               trainable_variables, variables_initializer)
from tfgraph.variable_store import get_variable
from tfgraph.autodiff.gradients import gradients
from tfgraph.autodiff.tape import GradientTape  # graph-mode: TF2 train steps that use a tape
from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.runtime.fetch import IndexedSlicesValue
from tfgraph.ops.array_ops import *  # noqa: F401,F403 - names listed in array_ops.__all__
from tfgraph.ops.control_flow_ops import *  # noqa: F401,F403
from tfgraph.ops.cond_ops import case, cond, switch_case
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_ops import while_loop
from tfgraph.ops.functional_ops import foldl, foldr, map_fn, scan
from tfgraph.ops.math_ops import *  # noqa: F401,F403
from tfgraph.ops.special_math_ops import *  # noqa: F401,F403
from tfgraph.ops.clip_ops import *  # noqa: F401,F403
from tfgraph.ops.compat_ops import arg_max, arg_min
from tfgraph.ops.einsum_ops import einsum
from tfgraph.ops.grid_ops import lin_space, linspace, meshgrid
from tfgraph.ops.truncate_ops import truncate_div, truncate_mod, truncatediv, truncatemod
from tfgraph.ops.band_ops import matrix_band_part
from tfgraph.ops.segment_ops import segment_max, segment_mean, segment_min, segment_sum
from tfgraph.ops.unique_ops import unique, unique_with_counts
from tfgraph.ops.sampling_ops import multinomial
from tfgraph.ops.random_ops import (get_seed, random_normal, random_shuffle, random_uniform,
                                    set_random_seed, truncated_normal)
from tfgraph.ops.state_ops import assign, assign_add, assign_sub
from tfgraph.initializers import (constant_initializer, glorot_normal_initializer,
                                  glorot_uniform_initializer, ones_initializer,
                                  orthogonal_initializer, random_normal_initializer,
                                  random_uniform_initializer, truncated_normal_initializer,
                                  variance_scaling_initializer, zeros_initializer)
from tfgraph import initializers, losses, nn, train
from tfgraph import test  # tf.test.compute_gradient(_error)
from tfgraph import logging  # tf.logging: a shim over Python's logging
from tfgraph.logging import get_logger
from tfgraph.platform import app, flags, gfile  # tf.app.run, tf.flags, tf.gfile
from tfgraph import io  # tf.io.gfile
from tfgraph import layers  # tf.layers: TF1's functional layers
from tfgraph import math, random  # tf.math.*, tf.random.* spellings  # noqa: A004
from tfgraph.framework.graph_io import import_graph_def
from tfgraph import graph_util, summary
from tfgraph import data  # tf.data: datasets and iterators
from tfgraph.runtime.profile import RunMetadata, RunOptions
from tfgraph.ops.check_ops import *  # noqa: F401,F403 - tf.assert_equal and friends
from tfgraph.ops.logging_ops import Assert, Print, print_v2 as print  # noqa: A004
from tfgraph.ops.numerics import add_check_numerics_ops, check_numerics, verify_tensor_all_finite
from tfgraph.ops.script_ops import RegisterGradient, numpy_function, py_func
from tfgraph import contrib, debugging
from tfgraph import image, linalg  # tf.image, tf.linalg
from tfgraph import strings  # tf.strings


def _package_version():
    # The version is the installed distribution's (setup.cfg), so a wheel and its metadata agree.
    from importlib import metadata
    try:
        return metadata.version("tfgraph")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


__version__ = _package_version()


def __getattr__(name):
    # tf.keras is tfgraph_keras, imported on first use so that `import tfgraph` stays light; the
    # one sanctioned upward reference from the core (see tfgraph/keras.py).
    if name == "keras":
        import importlib
        return importlib.import_module("tfgraph.keras")
    raise AttributeError("module 'tfgraph' has no attribute %r" % (name,))


def disable_eager_execution():
    """Accepted for tf.compat.v1 scripts: tfgraph is always in graph mode."""


def disable_v2_behavior():
    """Accepted for tf.compat.v1 scripts: tfgraph always behaves as TF1."""


def enable_eager_execution(*args, **kwargs):
    raise NotImplementedError("tfgraph is a graph-mode (TF1) engine; eager execution is not offered.")


def executing_eagerly():
    return False


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


# tf.compat.v1 is this very namespace, so `import tfgraph.compat.v1 as tf` also works.
compat = _types.ModuleType("tfgraph.compat")
compat.v1 = _sys.modules[__name__]
_sys.modules["tfgraph.compat"] = compat
_sys.modules["tfgraph.compat.v1"] = _sys.modules[__name__]

_allocator.tune_malloc()  # buffer reuse across training steps: tfgraph/runtime/allocator.py
