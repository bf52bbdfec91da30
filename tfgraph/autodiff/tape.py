"""tf.GradientTape for graph building: TF2 training loops (a Keras 3 `train_step`) written with a
tape run unchanged, the tape's `gradient` being `tf.gradients` on the graph the block built.

There is no eager execution: the block inside `with tf.GradientTape() as tape:` builds graph ops
(once, when the step is traced) and `tape.gradient(target, sources)` adds their gradient ops.
Every op between the sources and the target is differentiated, recorded by the tape or not, so
`watch` has nothing to do and `stop_recording` does not stop gradients (use tf.stop_gradient).
"""
from tfgraph.autodiff.gradients import gradients
from tfgraph.ops import array_ops


class GradientTape:
    """Graph-mode tf.GradientTape: `gradient(target, sources)` builds d(sum target)/d(sources)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._used = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def watch(self, tensor):
        """Nothing to record: every tensor of the graph can be differentiated."""

    def stop_recording(self):
        return self

    def reset(self):
        self._used = False

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        self._used = True
        flat, rebuild = _flatten(sources)
        grads = gradients(target, flat, grad_ys=output_gradients)
        if unconnected_gradients == "zero":
            grads = [array_ops.zeros_like(s) if g is None else g for g, s in zip(grads, flat)]
        return rebuild(grads)


def _flatten(sources):
    if isinstance(sources, dict):
        keys = list(sources)
        return [sources[k] for k in keys], lambda g: dict(zip(keys, g))
    if isinstance(sources, (list, tuple)):
        kind = type(sources)
        return list(sources), lambda g: kind(g)
    return [sources], lambda g: g[0]
