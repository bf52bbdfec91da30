"""tf.train.Coordinator and start_queue_runners: TF1's thread-coordination helpers.

tfgraph has no input queues, but TF1 scripts often wrap their loop in a Coordinator and call
`tf.train.start_queue_runners` anyway; both work (the latter starts the runners registered in the
QUEUE_RUNNERS collection, usually none, and returns their threads).
"""
import contextlib
import sys
import threading
import time

from tfgraph.framework import errors
from tfgraph.framework.graph import GraphKeys, get_default_graph


class Coordinator:
    """Lets threads request a stop, wait for it, and join, re-raising the first error reported."""

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads = set()

    def should_stop(self):
        return self._stop_event.is_set()

    def request_stop(self, ex=None):
        """Asks every thread to stop; `ex` (an exception or exc_info) is re-raised by join()."""
        with self._lock:
            if ex is not None and self._exc_info_to_raise is None:
                if isinstance(ex, tuple):
                    exc_info = ex
                else:
                    exc_info = (type(ex), ex, ex.__traceback__)
                if not issubclass(exc_info[0], self._clean_stop_exception_types):
                    self._exc_info_to_raise = exc_info
            self._stop_event.set()

    def clear_stop(self):
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def wait_for_stop(self, timeout=None):
        """True once a stop was requested, False if `timeout` seconds passed first."""
        return self._stop_event.wait(timeout)

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Any exception raised in the block requests a stop (and is reported by join)."""
        try:
            yield
        except BaseException:  # noqa: BLE001 - TF1 semantics: every exception stops the others
            self.request_stop(ex=sys.exc_info())

    def register_thread(self, thread):
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits for `threads` (and registered ones) after a stop; re-raises a reported error."""
        threads = set(threads or []) | self._registered_threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        deadline = time.time() + stop_grace_period_secs
        for t in threads:
            t.join(max(0.0, deadline - time.time()))
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            exc_info = self._exc_info_to_raise
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])
        stragglers = [t.name for t in threads if t.is_alive()]
        if stragglers and not ignore_live_threads:
            raise RuntimeError("Coordinator stopped with threads still running: %s"
                               % " ".join(stragglers))

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        with self._lock:
            if self._exc_info_to_raise is not None:
                raise self._exc_info_to_raise[1].with_traceback(self._exc_info_to_raise[2])


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=GraphKeys.QUEUE_RUNNERS):
    """Starts the queue runners in `collection` (usually none in tfgraph); returns their threads."""
    graph = sess.graph if sess is not None else get_default_graph()
    threads = []
    for runner in graph.get_collection(collection):
        threads.extend(runner.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads


__all__ = ["Coordinator", "start_queue_runners"]
