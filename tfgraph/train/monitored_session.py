"""tf.train.MonitoredTrainingSession / MonitoredSession / Scaffold: TF1's managed training loop.

    with tf.train.MonitoredTrainingSession(checkpoint_dir=d, save_checkpoint_steps=100,
                                           hooks=[tf.train.StopAtStepHook(last_step=1000)]) as sess:
        while not sess.should_stop():
            sess.run(train_op)

The session initializes the variables, or restores them from the latest checkpoint in
`checkpoint_dir`, finalizes the graph, and calls the hooks around every run. Summaries are not
written here (use tf.summary.FileWriter directly).
"""
from tfgraph.framework import errors
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.runtime.session import Session
from tfgraph.train import checkpoint_utils
from tfgraph.train.coordinator import Coordinator, start_queue_runners
from tfgraph.train.saver import Saver
from tfgraph.train.session_run_hook import (CheckpointSaverHook, SessionRunArgs, SessionRunContext,
                                            SessionRunValues)
from tfgraph.variables import global_variables_initializer, local_variables_initializer


class Scaffold:
    """The init op, local init op and saver of a monitored session (created by finalize())."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None, saver=None,
                 copy_from_scaffold=None):
        self._init_op, self._init_feed_dict, self._init_fn = init_op, init_feed_dict, init_fn
        self._local_init_op, self._saver = local_init_op, saver

    def finalize(self):
        graph = get_default_graph()
        if self._init_op is None:
            self._init_op = global_variables_initializer()
        if self._local_init_op is None:
            self._local_init_op = local_variables_initializer()
        if self._saver is None:
            savers = graph.get_collection(GraphKeys.SAVERS)
            if len(savers) > 1:
                raise RuntimeError("More than one item in collection %s. Please indicate which "
                                   "one to use by passing it to the constructor."
                                   % GraphKeys.SAVERS)
            self._saver = savers[0] if savers else Saver()
        graph.finalize()
        return self

    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    init_fn = property(lambda self: self._init_fn)
    local_init_op = property(lambda self: self._local_init_op)
    saver = property(lambda self: self._saver)


class MonitoredSession:
    """A Session that initializes or restores itself and runs hooks around each `run`."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120,
                 scaffold=None, checkpoint_dir=None, config=None):
        self._graph = get_default_graph()
        self._hooks = list(hooks or [])
        self._scaffold = scaffold or Scaffold()
        for h in self._hooks:
            h.begin()
        with self._graph.as_default():
            self._scaffold.finalize()
        self._sess = Session(graph=self._graph, config=config)
        self._initialize(checkpoint_dir)
        self._coord = Coordinator()
        self._threads = start_queue_runners(self._sess, self._coord)
        for h in self._hooks:
            h.after_create_session(self._sess, self._coord)
        self._should_stop = False
        self._grace = stop_grace_period_secs

    def _initialize(self, checkpoint_dir):
        ckpt = checkpoint_utils.latest_checkpoint(checkpoint_dir) if checkpoint_dir else None
        sc = self._scaffold
        if ckpt:
            sc.saver.restore(self._sess, ckpt)
        else:
            self._sess.run(sc.init_op, feed_dict=sc.init_feed_dict)
            if sc.init_fn is not None:
                sc.init_fn(sc, self._sess)
        self._sess.run(sc.local_init_op)

    @property
    def graph(self):
        return self._graph

    def raw_session(self):
        return self._sess

    def should_stop(self):
        return self._should_stop or self._coord.should_stop()

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` together with what the hooks ask for; hooks may request a stop."""
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._sess)
        feeds = dict(feed_dict or {})
        hook_fetches = {}
        for i, h in enumerate(self._hooks):
            args = h.before_run(context)
            if args is None:
                continue
            for k, v in (args.feed_dict or {}).items():
                if k in feeds:
                    raise RuntimeError("Same tensor is fed by a SessionRunHook and user.")
                feeds[k] = v
            if args.fetches is not None:
                hook_fetches[i] = args.fetches
        results = self._sess.run({"caller": fetches, "hooks": hook_fetches},
                                 feed_dict=feeds or None, options=options,
                                 run_metadata=run_metadata)
        for i, h in enumerate(self._hooks):
            h.after_run(context, SessionRunValues(results["hooks"].get(i), options, run_metadata))
        self._should_stop = self._should_stop or context.stop_requested
        return results["caller"]

    def close(self, _run_end_hooks=True):
        if self._sess is None:
            return
        try:
            if _run_end_hooks:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            self._coord.request_stop()
            try:
                self._coord.join(self._threads, self._grace, ignore_live_threads=True)
            finally:
                self._sess.close()
                self._sess = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type in (errors.OutOfRangeError, StopIteration):
            exc_type = None
        self.close(_run_end_hooks=exc_type is None)
        return exc_type is None and exc is not None


SingularMonitoredSession = MonitoredSession
_USE_DEFAULT = object()


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None,  # noqa: N802
                             hooks=None, chief_only_hooks=None,
                             save_checkpoint_secs=_USE_DEFAULT, save_summaries_steps=_USE_DEFAULT,
                             save_summaries_secs=_USE_DEFAULT, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100,
                             max_wait_secs=7200, save_checkpoint_steps=_USE_DEFAULT,
                             summary_dir=None):
    """A MonitoredSession that restores from / saves to `checkpoint_dir` (TF1's defaults: every
    600 s unless save_checkpoint_steps is given)."""
    hooks = list(hooks or [])
    if is_chief:
        hooks += list(chief_only_hooks or [])
    if save_checkpoint_secs is _USE_DEFAULT and save_checkpoint_steps is _USE_DEFAULT:
        save_checkpoint_secs, save_checkpoint_steps = 600, None
    elif save_checkpoint_secs is _USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is _USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    if is_chief and checkpoint_dir and (save_checkpoint_secs or save_checkpoint_steps):
        hooks.append(CheckpointSaverHook(checkpoint_dir, save_secs=save_checkpoint_secs,
                                         save_steps=save_checkpoint_steps, scaffold=scaffold))
    return MonitoredSession(hooks=hooks, stop_grace_period_secs=stop_grace_period_secs,
                            scaffold=scaffold, checkpoint_dir=checkpoint_dir, config=config)


__all__ = ["Scaffold", "MonitoredSession", "SingularMonitoredSession", "MonitoredTrainingSession"]
