"""tf.gfile / tf.io.gfile on the local file system, raising tf.errors as TensorFlow's does.

Both spellings are here: TF1's CamelCase (`Exists`, `MakeDirs`, `GFile` ...) and tf.io.gfile's
snake_case (`exists`, `makedirs`, `GFile` ...). Remote schemes (gs://, hdfs://) are not offered.
"""
import collections
import errno
import glob as _glob
import os
import shutil

from tfgraph.framework import errors

_OS_ERRORS = {errno.ENOENT: errors.NotFoundError, errno.EEXIST: errors.AlreadyExistsError,
              errno.EACCES: errors.PermissionDeniedError, errno.EPERM: errors.PermissionDeniedError,
              errno.EISDIR: errors.FailedPreconditionError,
              errno.ENOTDIR: errors.FailedPreconditionError,
              errno.ENOTEMPTY: errors.FailedPreconditionError}


def _raise_from_os(e, path):
    """An OSError as TF's error class with TF's '<path>; <strerror>' message."""
    cls = _OS_ERRORS.get(e.errno, errors.UnknownError)
    raise cls(None, None, "%s; %s" % (path, e.strerror)) from None


def _path(p):
    p = os.fspath(p)
    return p.decode() if isinstance(p, bytes) else p


class GFile:
    """tf.gfile.GFile(name, mode='r'): a file object; text in 'r'/'w'/'a', bytes with 'b'.

    As TF's, a file opened for writing is created on the first write (or on close).
    """

    def __init__(self, name, mode="r"):
        self.name = _path(name)
        self.mode = mode
        if mode.replace("b", "") not in ("r", "w", "a", "r+", "w+", "a+"):
            self._f = None
            self._error = errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        else:
            self._f, self._error = None, None

    def _file(self):
        if self._error is not None:
            raise self._error
        if self._f is None:
            try:
                self._f = open(self.name, self.mode, **({} if "b" in self.mode else
                                                         {"encoding": "utf-8", "newline": ""}))
            except OSError as e:
                _raise_from_os(e, self.name)
        return self._f

    def read(self, n=-1):
        return self._file().read(n)

    def readline(self):
        return self._file().readline()

    def readlines(self):
        return self._file().readlines()

    def write(self, data):
        f = self._file()
        if "b" not in self.mode and isinstance(data, bytes):
            data = data.decode("utf-8")
        f.write(data)

    def seek(self, offset=None, whence=0, position=None):
        self._file().seek(position if offset is None else offset, whence)

    def tell(self):
        return self._file().tell()

    def size(self):
        """The file's size in bytes (written data included)."""
        if self._f is not None:
            self._f.flush()
        return Stat(self.name).length

    def flush(self):
        if self._f is not None:
            self._f.flush()

    def close(self):
        if self._f is None and self._error is None and self.mode[0] in "wa":
            self._file()  # an opened-for-write file exists after close even if never written
        if self._f is not None:
            self._f.close()
            self._f = None

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


Open = GFile


class FastGFile(GFile):
    """TF1's deprecated FastGFile: the same as GFile."""


def Exists(filename):
    """True if the path exists."""
    return os.path.exists(_path(filename))


def IsDirectory(dirname):
    return os.path.isdir(_path(dirname))


def MakeDirs(dirname):
    """Creates the directory and its parents; no error if it already exists."""
    d = _path(dirname)
    try:
        os.makedirs(d, exist_ok=True)
    except FileExistsError:
        raise errors.FailedPreconditionError(None, None, "%s is not a directory" % d) from None
    except OSError as e:
        _raise_from_os(e, d)


def MkDir(dirname):
    """Creates one directory (its parent must exist); no error if it already exists."""
    d = _path(dirname)
    if os.path.isdir(d):
        return
    try:
        os.mkdir(d)
    except OSError as e:
        _raise_from_os(e, d)


def DeleteRecursively(dirname):
    d = _path(dirname)
    if not os.path.exists(d):
        raise errors.NotFoundError(None, None, "%s not found" % d)
    try:
        shutil.rmtree(d) if os.path.isdir(d) and not os.path.islink(d) else os.remove(d)
    except OSError as e:
        _raise_from_os(e, d)


def Remove(filename):
    """Deletes a file (not a directory)."""
    f = _path(filename)
    if os.path.isdir(f):
        raise errors.FailedPreconditionError(None, None, "%s; Is a directory" % f)
    try:
        os.remove(f)
    except OSError as e:
        _raise_from_os(e, f)


def Glob(filename):
    """Paths matching a pattern (or a list of patterns)."""
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else filename
    out = []
    for pat in patterns:
        out.extend(_glob.glob(_path(pat)))
    return out


def ListDirectory(dirname):
    """Entry names in a directory (no '.' or '..')."""
    d = _path(dirname)
    if not os.path.isdir(d):
        raise errors.NotFoundError(None, None, "Could not find directory %s" % d)
    return os.listdir(d)


def Copy(oldpath, newpath, overwrite=False):
    src, dst = _path(oldpath), _path(newpath)
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        shutil.copyfile(src, dst)
    except OSError as e:
        _raise_from_os(e, e.filename or src)


def Rename(oldname, newname, overwrite=False):
    src, dst = _path(oldname), _path(newname)
    if not os.path.exists(src):
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % src)
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        os.replace(src, dst)
    except OSError as e:
        _raise_from_os(e, src)


FileStatistics = collections.namedtuple("FileStatistics", ["length", "mtime_nsec", "is_directory"])


def Stat(filename):
    """FileStatistics(length, mtime_nsec, is_directory)."""
    f = _path(filename)
    try:
        st = os.stat(f)
    except OSError as e:
        _raise_from_os(e, f)
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(f))


def Walk(top, in_order=True):
    """(dirname, subdirs, files) for each directory under top, parents first if in_order."""
    top = _path(top)
    if not os.path.isdir(top):
        return
    entries = os.listdir(top)
    subdirs = [e for e in entries if os.path.isdir(os.path.join(top, e))]
    files = [e for e in entries if e not in subdirs]
    here = (top, subdirs, files)
    if in_order:
        yield here
    for sub in subdirs:
        yield from Walk(os.path.join(top, sub), in_order)
    if not in_order:
        yield here


def walk(top, topdown=True, onerror=None):
    """tf.io.gfile.walk: Walk with os.walk's `topdown` spelling."""
    return Walk(top, in_order=topdown)


def join(path, *paths):
    return os.path.join(path, *paths)


exists, isdir, makedirs, mkdir, rmtree, remove = Exists, IsDirectory, MakeDirs, MkDir, \
    DeleteRecursively, Remove
glob, listdir, copy, rename, stat = Glob, ListDirectory, Copy, Rename, Stat

__all__ = ["GFile", "Open", "FastGFile", "Exists", "IsDirectory", "MakeDirs", "MkDir",
           "DeleteRecursively", "Remove", "Glob", "ListDirectory", "Copy", "Rename", "Stat", "Walk",
           "FileStatistics", "exists", "isdir", "makedirs", "mkdir", "rmtree", "remove", "glob",
           "listdir", "copy", "rename", "stat", "walk", "join"]
