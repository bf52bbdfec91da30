"""Atomic file replacement for every writer of saved state (checkpoints, meta graphs, Keras files).

A target `dir/name` is written to a temp file `dir/.name.<pid>-<hex>.tmp`, whose data is fsynced
before `os.replace` moves it over the target, and the directory is fsynced after (the order TF's
and SQLite's writers use), so a crash leaves the old file or the new one, never half of one. The
writer's pid in the temp name lets the next save of the same target remove temps whose writer is
gone (killed with -9, power loss), so killed saves leave no debris behind for long; temps of a live
writer are left alone.
"""
import contextlib
import os
import re
import secrets

_TEMP = re.compile(r"\.(?P<base>.+)\.(?P<pid>[0-9]+)-[0-9a-f]{8}\.tmp\Z")


def temp_file(path):
    """A new empty temp file beside `path` (mode 0666 less the umask, as a plain open gives)."""
    directory, base = os.path.split(os.path.abspath(path))
    while True:
        tmp = os.path.join(directory, ".%s.%d-%s.tmp" % (base, os.getpid(), secrets.token_hex(4)))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's live process
        return True
    return True


def sweep_stale(path):
    """Removes temps of `path` left by writers that no longer run; returns the removed paths."""
    directory, base = os.path.split(os.path.abspath(path))
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _TEMP.match(name)
        if m is None or m.group("base") != base or _alive(int(m.group("pid"))):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(os.path.join(directory, name))
        except OSError:
            pass
    return removed


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def publish(tmp, path):
    """fsync `tmp`, move it over `path`, fsync the directory."""
    fsync_path(tmp)
    os.replace(tmp, path)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


@contextlib.contextmanager
def atomic_path(path):
    """`with atomic_path(p) as tmp:` write `tmp`; on success it replaces `p` atomically and
    durably, on an exception it is removed. Stale temps of `p` are swept first."""
    sweep_stale(path)
    tmp = temp_file(path)
    try:
        yield tmp
        publish(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
