"""Keras 3's progress bar (keras.utils.Progbar) and ProgbarLogger, byte for byte.

verbose=1: a live bar `3/3 ━━━━━━━━━━━━━━━━━━━━ 1s 141ms/step - accuracy: ... - loss: ...`
redrawn with '\\b' * previous width + '\\r' (at most every 0.05 s) and ANSI bold/green/white codes;
verbose=2:
one `3/3 - 1s - 273ms/step - ...` line per epoch. Metrics are shown sorted by name.
"""
import math
import os
import sys
import time

from tfgraph_keras.callbacks.callback import Callback


class Progbar:
    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = current >= self.target if self.target is not None else False
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if k in self.stateful_metrics or finalize:
                self._values[k] = [v, 1]
            else:
                base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * base, base]
                else:
                    self._values[k][0] += v * base
                    self._values[k][1] += base
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = "\b" * self._prev_total_width + "\r" if self._dynamic_display else "\n"
            special = 0
            if self.target is not None:
                numdigits = int(math.log10(self.target)) + 1
                bar = ("%" + str(numdigits) + "d/%d") % (current, self.target)
                bar = "\x1b[1m%s\x1b[0m " % bar
                special += 8
                prog_width = int(self.width * float(current) / self.target)
                if prog_width > 0:
                    bar += "\x1b[32m" + "\u2501" * prog_width + "\x1b[0m"
                    special += 9
                bar += "\x1b[37m" + "\u2501" * (self.width - prog_width) + "\x1b[0m"
                special += 9
            else:
                bar = "%7d/Unknown" % current
            message += bar
            if self.target is not None and not finalize:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_format = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_format = "%ds" % eta
                info = " \x1b[1m%s\x1b[0m" % eta_format
            else:
                info = " \x1b[1m%.0fs\x1b[0m" % (now - self._start)
            special += 8
            info += _format_time(time_per_unit, self.unit_name)
            info += self._metrics_text()
            message += info
            total_width = len(bar) + len(info) - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            sys.stdout.write(message)
            sys.stdout.flush()
            self._prev_total_width = total_width
        elif self.verbose == 2 and finalize:
            numdigits = int(math.log10(self.target)) + 1
            count = ("%" + str(numdigits) + "d/%d") % (current, self.target)
            info = "%s - %.0fs -%s" % (count, now - self._start,
                                      _format_time(time_per_unit, self.unit_name))
            info += self._metrics_text() + "\n"
            sys.stdout.write(info)
            sys.stdout.flush()
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _metrics_text(self):
        info = ""
        for k in self._values_order:
            total, count = self._values[k]
            avg = float(total / max(1, count))
            info += " - %s:" % k
            info += (" %.4f" % avg) if abs(avg) > 1e-3 else (" %.4e" % avg)
        return info

    def _estimate_step_duration(self, current, now):
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per = (now - self._time_after_first_step) / (current - 1)
        else:
            per = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per


def _format_time(time_per_unit, unit_name):
    if time_per_unit >= 1 or time_per_unit == 0:
        return " %.0fs/%s" % (time_per_unit, unit_name)
    if time_per_unit >= 1e-3:
        return " %.0fms/%s" % (time_per_unit * 1000.0, unit_name)
    return " %.0fus/%s" % (time_per_unit * 1000000.0, unit_name)


def _sorted_items(logs):
    return sorted((logs or {}).items())


class ProgbarLogger(Callback):
    """Prints the progress bar for fit (per epoch), evaluate and predict."""

    def __init__(self, count_mode=None, stateful_metrics=None):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            sys.stdout.write("Epoch %d/%d\n" % (epoch + 1, self.epochs))
            sys.stdout.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step")

    def _update_progbar(self, batch, logs=None):
        self._maybe_init_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, _sorted_items(logs), finalize=False)

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, _sorted_items(logs), finalize=True)
