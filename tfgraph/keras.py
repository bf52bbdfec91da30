"""tf.keras: the tfgraph_keras package under tfgraph's name, so `tf.keras.layers.Dense` and
`from tfgraph.keras.layers import Dense` give the very objects `import tfgraph_keras` gives.

This is the one sanctioned upward reference in tfgraph (the core sits below tfgraph_keras and
otherwise never imports it). It is loaded lazily: `import tfgraph` does not import this module,
tfgraph/__init__.py's module __getattr__ does on the first `tf.keras` access.
"""
import importlib
import importlib.abc
import importlib.util
import sys

import tfgraph_keras

_PREFIX = __name__ + "."


class _KerasAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves 'tfgraph.keras.X' to the already-imported (or importable) 'tfgraph_keras.X'."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(_PREFIX):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("tfgraph_keras." + spec.name[len(_PREFIX):])

    def exec_module(self, module):
        pass  # the tfgraph_keras module is already executed


if not any(isinstance(f, _KerasAlias) for f in sys.meta_path):
    sys.meta_path.insert(0, _KerasAlias())
sys.modules[__name__] = tfgraph_keras
