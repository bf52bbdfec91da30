"""The tf.train namespace: optimizers, learning-rate schedules, Saver (re-exports only)."""
from tfgraph.train.adadelta import AdadeltaOptimizer
from tfgraph.train.adagrad import AdagradOptimizer
from tfgraph.train.adam import AdamOptimizer
from tfgraph.train.gradient_descent import GradientDescentOptimizer
from tfgraph.train.momentum import MomentumOptimizer
from tfgraph.train.optimizer import Optimizer
from tfgraph.train.rmsprop import RMSPropOptimizer
from tfgraph.train.training_util import (assert_global_step, create_global_step, get_global_step,
                                         get_or_create_global_step, global_step)

__all__ = [
    "Optimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "AdamOptimizer",
    "RMSPropOptimizer",
    "AdagradOptimizer",
    "AdadeltaOptimizer",
    "assert_global_step",
    "create_global_step",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
]
