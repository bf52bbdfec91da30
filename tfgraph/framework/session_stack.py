"""The default-session stack: which session `Tensor.eval()`, `Operation.run()` and
`Variable.eval()` use.

It lives in framework/ (below the runtime that defines Session) so that tensors, operations and
variables can find their session without importing the runtime.
"""
import contextlib
import threading

_local = threading.local()
_interactive = None  # the last InteractiveSession: default when no `as_default()` block is open


def _stack():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


@contextlib.contextmanager
def default_session_scope(sess):
    """Makes `sess` the default session of this thread inside the block (Session.as_default)."""
    _stack().append(sess)
    try:
        yield sess
    finally:
        _stack().pop()


def get_default_session():
    """tf.get_default_session: the innermost `as_default()` session, else an open
    InteractiveSession, else None."""
    stack = _stack()
    if stack:
        return stack[-1]
    return _interactive if _interactive is not None and not _interactive._closed else None


def set_interactive_session(sess):
    global _interactive
    _interactive = sess


def reset_default_session():
    """Forgets the InteractiveSession (tf.reset_default_graph)."""
    set_interactive_session(None)


def session_for(session, graph, what):
    """`session`, else the default session, checked to run `graph`; `what` names the caller."""
    session = session or get_default_session()
    if session is None:
        raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. "
                         "Use `with sess.as_default()` or pass an explicit session to `%s`" % what)
    if session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph is "
                         "different from the session's graph.")
    return session
