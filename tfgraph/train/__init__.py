"""The tf.train namespace: optimizers, learning-rate schedules, Saver (re-exports only)."""
from tfgraph.train.adadelta import AdadeltaOptimizer
from tfgraph.train.adagrad import AdagradOptimizer
from tfgraph.train.adam import AdamOptimizer
from tfgraph.framework.graph_io import write_graph
from tfgraph.train.checkpoint_init import init_from_checkpoint
from tfgraph.train.meta_graph import export_meta_graph
from tfgraph.train.checkpoint_utils import (CheckpointReader, CheckpointState, NewCheckpointReader,
                                            checkpoint_exists, get_checkpoint_state,
                                            latest_checkpoint, list_variables, load_checkpoint,
                                            load_variable, update_checkpoint_state)
from tfgraph.train.coordinator import Coordinator, start_queue_runners
from tfgraph.train.gradient_descent import GradientDescentOptimizer
from tfgraph.train.learning_rate_decay import (cosine_decay, exponential_decay,
                                               inverse_time_decay, natural_exp_decay,
                                               piecewise_constant, polynomial_decay)
from tfgraph.train.momentum import MomentumOptimizer
from tfgraph.train.monitored_session import (MonitoredSession, MonitoredTrainingSession, Scaffold,
                                             SingularMonitoredSession)
from tfgraph.train.moving_averages import ExponentialMovingAverage
from tfgraph.train.optimizer import Optimizer
from tfgraph.train.rmsprop import RMSPropOptimizer
from tfgraph.train.saver import Saver, SaverDef, import_meta_graph
from tfgraph.train.session_run_hook import (CheckpointSaverHook, LoggingTensorHook,
                                            NanLossDuringTrainingError, NanTensorHook,
                                            SessionRunArgs, SessionRunContext, SessionRunHook,
                                            SessionRunValues, StopAtStepHook)
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
    "exponential_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "cosine_decay",
    "piecewise_constant",
    "Saver",
    "SaverDef",
    "ExponentialMovingAverage",
    "Coordinator",
    "start_queue_runners",
    "MonitoredSession",
    "MonitoredTrainingSession",
    "Scaffold",
    "SingularMonitoredSession",
    "CheckpointSaverHook",
    "LoggingTensorHook",
    "NanLossDuringTrainingError",
    "NanTensorHook",
    "SessionRunArgs",
    "SessionRunContext",
    "SessionRunHook",
    "SessionRunValues",
    "StopAtStepHook",
    "CheckpointReader",
    "CheckpointState",
    "NewCheckpointReader",
    "checkpoint_exists",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "init_from_checkpoint",
    "update_checkpoint_state",
    "write_graph",
    "export_meta_graph",
    "import_meta_graph",
]
