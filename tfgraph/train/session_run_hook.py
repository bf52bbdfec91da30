"""SessionRunHook and the basic hooks (tf.train.StopAtStepHook, CheckpointSaverHook, NanTensorHook,
LoggingTensorHook) used with tf.train.MonitoredTrainingSession."""
import collections
import os
import time

import numpy as np

from tfgraph.train import training_util


class SessionRunHook:
    """Hook into MonitoredSession.run: every method is a no-op unless overridden."""

    def begin(self):
        pass

    def after_create_session(self, session, coord):
        pass

    def before_run(self, run_context):
        return None

    def after_run(self, run_context, run_values):
        pass

    def end(self, session):
        pass


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: extra fetches (any structure) and feeds."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


SessionRunValues = collections.namedtuple("SessionRunValues",
                                          ["results", "options", "run_metadata"])


class SessionRunContext:
    """Passed to before_run/after_run: the caller's fetches and feeds, the session, request_stop."""

    def __init__(self, original_args, session):
        self.original_args = original_args
        self.session = session
        self._stop_requested = False

    def request_stop(self):
        self._stop_requested = True

    @property
    def stop_requested(self):
        return self._stop_requested


def _global_step_or_raise(hook):
    step = training_util.get_global_step()
    if step is None:
        raise RuntimeError("Global step should be created to use %s." % type(hook).__name__)
    return step


class StopAtStepHook(SessionRunHook):
    """Requests a stop after `num_steps` more steps, or once the global step reaches `last_step`."""

    def __init__(self, num_steps=None, last_step=None):
        if (num_steps is None) == (last_step is None):
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and num_steps < 0:
            raise ValueError("num_steps must be positive.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self):
        self._step_tensor = _global_step_or_raise(self)

    def after_create_session(self, session, coord):
        if self._last_step is None:
            self._last_step = int(session.run(self._step_tensor)) + self._num_steps

    def before_run(self, run_context):
        return SessionRunArgs(self._step_tensor)

    def after_run(self, run_context, run_values):
        # The fetched value is from before this run's increment, as in TF.
        if int(run_values.results) + 1 >= self._last_step:
            step = int(run_context.session.run(self._step_tensor))
            if step >= self._last_step:
                run_context.request_stop()


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint every `save_steps` global steps or `save_secs` seconds, and at the end."""

    def __init__(self, checkpoint_dir, save_secs=None, save_steps=None, saver=None,
                 checkpoint_basename="model.ckpt", scaffold=None, listeners=None):
        if (save_secs is None) == (save_steps is None):
            raise ValueError("exactly one of save_secs or save_steps should be provided.")
        self._dir, self._secs, self._steps = checkpoint_dir, save_secs, save_steps
        self._saver, self._scaffold = saver, scaffold
        self._path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._last_step, self._last_time = None, None

    def begin(self):
        self._step_tensor = _global_step_or_raise(self)

    def _get_saver(self):
        if self._saver is None and self._scaffold is not None:
            self._saver = self._scaffold.saver
        return self._saver

    def after_create_session(self, session, coord):
        os.makedirs(self._dir, exist_ok=True)
        self._save(session, int(session.run(self._step_tensor)))

    def before_run(self, run_context):
        return SessionRunArgs(self._step_tensor)

    def after_run(self, run_context, run_values):
        step = int(run_values.results) + 1
        due = (step - self._last_step >= self._steps) if self._steps else \
            (time.time() - self._last_time >= self._secs)
        if due:
            self._save(run_context.session, int(run_context.session.run(self._step_tensor)))

    def end(self, session):
        step = int(session.run(self._step_tensor))
        if step != self._last_step:
            self._save(session, step)

    def _save(self, session, step):
        self._get_saver().save(session, self._path, global_step=step)
        self._last_step, self._last_time = step, time.time()


class NanLossDuringTrainingError(RuntimeError):
    def __str__(self):
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Raises NanLossDuringTrainingError (or requests a stop) when the loss becomes NaN."""

    def __init__(self, loss_tensor, fail_on_nan_loss=True):
        self._loss, self._fail = loss_tensor, fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss)

    def after_run(self, run_context, run_values):
        if np.isnan(run_values.results):
            if self._fail:
                raise NanLossDuringTrainingError
            run_context.request_stop()


class LoggingTensorHook(SessionRunHook):
    """Prints the given tensors every `every_n_iter` steps (or `every_n_secs`), and at the end."""

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False,
                 formatter=None):
        if (every_n_iter is None) == (every_n_secs is None) and not at_end:
            raise ValueError("either at_end and/or exactly one of every_n_iter and every_n_secs "
                             "must be provided.")
        if not isinstance(tensors, dict):
            tensors = {getattr(t, "name", t): t for t in tensors}
        self._tensors, self._n, self._secs, self._at_end = tensors, every_n_iter, every_n_secs, \
            at_end
        self._formatter = formatter
        self._iter, self._last = 0, time.time()

    def _due(self):
        if self._n is not None:
            return self._iter % self._n == 0
        return self._secs is not None and time.time() - self._last >= self._secs

    def before_run(self, run_context):
        self._log_now = self._due()
        return SessionRunArgs(self._tensors) if self._log_now else None

    def after_run(self, run_context, run_values):
        if self._log_now:
            self._log(run_values.results)
            self._last = time.time()
        self._iter += 1

    def end(self, session):
        if self._at_end:
            self._log(session.run(self._tensors))

    def _log(self, values):
        if self._formatter:
            print(self._formatter(values))
        else:
            print(", ".join("%s = %s" % (k, values[k]) for k in self._tensors))
