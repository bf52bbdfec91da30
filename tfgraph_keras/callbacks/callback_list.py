"""CallbackList: dispatches each hook to every callback, adding History and the progress bar as
Keras does (its own module, as in Keras 3, so callback.py needs neither)."""
from tfgraph_keras.callbacks.callback import _HOOKS, Callback
from tfgraph_keras.callbacks.history import History
from tfgraph_keras.callbacks.progbar import ProgbarLogger


class CallbackList:
    """Calls each hook on every callback, in order; adds History and the progress bar as Keras."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        self.callbacks = list(callbacks or [])
        self.history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if progbar is None and add_progbar:
            self.callbacks.append(ProgbarLogger())
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def set_model(self, model):
        self.model = model
        for c in self.callbacks:
            c.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def _call(self, hook, *args):
        for c in self.callbacks:
            getattr(c, hook)(*args)

    def batch_hook(self, hook):
        """One function calling `hook(batch, logs)` on every callback that overrides it, or None.

        The per-batch loops look their hooks up once and skip the base class's no-ops (as
        tf.keras does), so a fit with only History and no progress bar has no per-batch calls and
        builds no per-batch logs.
        """
        fns = [getattr(c, hook) for c in self.callbacks if not _is_noop(c, hook)]
        if not fns:
            return None
        if len(fns) == 1:
            return fns[0]

        def call(batch, logs=None):
            for fn in fns:
                fn(batch, logs)
        return call


# the batch hooks whose base implementation only forwards to an old name
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _is_noop(callback, hook):
    """True when `callback.hook` is the base class's no-op (also through its old alias)."""
    own = getattr(callback, "__dict__", {})
    for name in (hook, _ALIASES.get(hook)):
        if name is not None and (name in own or getattr(type(callback), name, None)
                                 is not getattr(Callback, name)):
            return False
    return True


def _make(hook):
    def method(self, *args, **kwargs):
        logs = kwargs.get("logs")
        if logs is not None:
            args = args + (logs,)
        for c in self.callbacks:
            getattr(c, hook)(*args)
    method.__name__ = hook
    return method


for _hook in _HOOKS:
    setattr(CallbackList, _hook, _make(_hook))
