"""tf.logging: TF1's logging module over Python's `logging` (logger 'tfgraph').

As TF's: levels DEBUG/INFO/WARN/ERROR/FATAL are Python's; the default verbosity is the root
logger's (WARN) unless set_verbosity changes it; when the root logger has no handler the 'tfgraph'
logger writes 'LEVEL:tfgraph:message' lines to stderr (stdout in an interactive shell, at INFO).
"""
import logging as _logging
import sys as _sys
import threading as _threading

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARNING
WARNING = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.CRITICAL

_logger = None
_lock = _threading.Lock()


def get_logger():
    """The 'tfgraph' Python logger, given a stderr handler on first use if the root has none."""
    global _logger
    if _logger is not None:
        return _logger
    with _lock:
        if _logger is None:
            logger = _logging.getLogger("tfgraph")
            if not _logging.getLogger().handlers:
                interactive = hasattr(_sys, "ps1") or bool(_sys.flags.interactive)
                if interactive:
                    logger.setLevel(INFO)
                handler = _logging.StreamHandler(_sys.stdout if interactive else _sys.stderr)
                handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT, None))
                logger.addHandler(handler)
            _logger = logger
    return _logger


def set_verbosity(v):
    """Messages below level v are dropped."""
    get_logger().setLevel(v)


def get_verbosity():
    return get_logger().getEffectiveLevel()


def log(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    get_logger().critical(msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs):
    """TF1's vlog is log(level, ...)."""
    get_logger().log(level, msg, *args, **kwargs)


def TaskLevelStatusMessage(msg):
    error(msg)


def flush():
    for handler in get_logger().handlers:
        handler.flush()


_counts = {}


def _next_count():
    """How many times the calling line logged before (0 the first time); keyed by file:line."""
    frame = _sys._getframe(2)
    key = (frame.f_code.co_filename, frame.f_lineno)
    _counts[key] = _counts.get(key, -1) + 1
    return _counts[key]


def log_if(level, msg, condition, *args):
    if condition:
        vlog(level, msg, *args)


def log_every_n(level, msg, n, *args):
    """Logs at the 1st, (n+1)th, (2n+1)th ... call from this line."""
    log_if(level, msg, not (_next_count() % n), *args)


def log_first_n(level, msg, n, *args):
    """Logs the first n calls from this line only."""
    log_if(level, msg, _next_count() < n, *args)


__all__ = ["DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "get_logger", "set_verbosity",
           "get_verbosity", "log", "debug", "info", "warning", "warn", "error", "fatal", "vlog",
           "TaskLevelStatusMessage", "flush", "log_if", "log_every_n", "log_first_n"]
