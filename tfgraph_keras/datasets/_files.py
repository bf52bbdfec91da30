"""Dataset files: $TFGRAPH_DATASETS_DIR, then ~/.keras/datasets, then a verified download.

Also the safe readers for Keras's pickled layouts (imdb.npz / reuters.npz hold object arrays of
lists, the CIFAR python tarballs hold pickled dicts): a restricted unpickler that only rebuilds
numpy arrays, dtypes and scalars and python containers, so a crafted file cannot run code.
"""
import hashlib
import io
import os
import pickle
import tarfile
import urllib.parse
import urllib.request
import zipfile

import numpy as np

ENV = "TFGRAPH_DATASETS_DIR"


def cache_dir(cache_subdir="datasets", base=None):
    base = base or os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(os.path.expanduser(base), cache_subdir)


def find_local(fname, cache_subdir="datasets", base=None):
    """The first existing path of `fname` in $TFGRAPH_DATASETS_DIR and the Keras cache, and the
    list of paths tried."""
    tried = []
    env_dir = os.environ.get(ENV)
    dirs = ([env_dir] if env_dir else []) + [cache_dir(cache_subdir, base)]
    for d in dirs:
        path = os.path.join(d, fname)
        tried.append(path)
        if os.path.exists(path):
            return path, tried
    return None, tried


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None):
    """The path of `fname`: found locally (first $TFGRAPH_DATASETS_DIR, then
    `cache_dir`/`cache_subdir`, default ~/.keras/datasets), else downloaded from `origin` and
    checked against `file_hash` (sha256 or md5, told apart by length as Keras does).

    untar=True (Keras 1 spelling) returns the directory the archive `fname`.tar.gz extracts to;
    extract=True extracts a downloaded tar/zip archive next to it. Files found locally are trusted
    as they are (no hash check). Raises an error naming TFGRAPH_DATASETS_DIR and every path tried
    when nothing is found and the download fails (offline machines)."""
    if fname is None:
        if origin is None:
            raise ValueError('Please specify the "origin" argument (URL of the file to download).')
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = cache_dir
    if untar:
        found, tried = find_local(fname, cache_subdir, base)
        if found is not None and os.path.isdir(found):
            return found
        archive = get_file(fname + ".tar.gz", origin, file_hash=file_hash,
                           cache_subdir=cache_subdir, hash_algorithm=hash_algorithm,
                           cache_dir=cache_dir)
        target = os.path.join(os.path.dirname(archive), fname)
        if not os.path.isdir(target):
            _extract(archive, os.path.dirname(archive), "tar")
        return target
    found, tried = find_local(fname, cache_subdir, base)
    if found is not None:
        return found
    path = tried[-1]
    if origin is None:
        raise OSError("Could not find %s (paths tried: %s) and no origin to download it from."
                      % (fname, ", ".join(tried)))
    tmp = path + ".part"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        urllib.request.urlretrieve(origin, tmp)
    except Exception as e:  # noqa: BLE001 - any network/IO failure gets the same clear message
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OSError("Could not find %s and could not download it from %s (%s: %s). Paths tried: "
                      "%s. Put the file in the directory named by the environment variable %s "
                      "(e.g. export %s=/path/to/datasets) or in %s."
                      % (fname, origin, type(e).__name__, e, ", ".join(tried), ENV, ENV,
                         os.path.dirname(path))) from None
    if file_hash is not None:
        algorithm = hash_algorithm
        if algorithm == "auto":
            algorithm = "sha256" if len(file_hash) == 64 else "md5"
        digest = _hash(tmp, algorithm)
        if digest != file_hash:
            os.remove(tmp)
            raise OSError("The file downloaded from %s has %s %s, expected %s; it was deleted."
                          % (origin, algorithm, digest, file_hash))
    os.replace(tmp, path)
    if extract:
        _extract(path, os.path.dirname(path), archive_format)
    return path


def _extract(path, directory, archive_format):
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format]
    if "tar" in formats and tarfile.is_tarfile(path):
        with tarfile.open(path) as tar:
            tar.extractall(directory, filter="data")  # no links or paths outside `directory`
        return True
    if "zip" in formats and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():
                dest = os.path.realpath(os.path.join(directory, member))
                if not dest.startswith(os.path.realpath(directory) + os.sep):
                    raise OSError("%s: archive member %s would be written outside %s"
                                  % (path, member, directory))
            z.extractall(directory)
        return True
    return False


def _hash(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- safe reading of pickled layouts ---------------------------------------------------------------
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("_codecs", "encode"),  # how python 3 pickles bytes at protocol 2 (str -> bytes, no effects)
}


class SafeUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays/dtypes/scalars and python containers only; any other global (the
    way a pickle runs code) is refused."""

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                "refusing to load %s.%s from a dataset file: only numpy arrays and python "
                "containers are allowed" % (module, name))
        if module.startswith("numpy.core"):  # files written by numpy 1.x
            module = "numpy._core" + module[len("numpy.core"):]
        return super().find_class(module, name)


def safe_pickle_load(fileobj, encoding="ASCII"):
    return SafeUnpickler(fileobj, encoding=encoding).load()


def load_npz(path):
    """{name: array} of an .npz file. Plain arrays load as np.load(allow_pickle=False) does; object
    arrays (Keras's imdb/reuters lists of word indices) go through SafeUnpickler."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for member in z.namelist():
            key = member.removesuffix(".npy")
            with z.open(member) as f:
                data = io.BytesIO(f.read())
            version = np.lib.format.read_magic(data)
            if version == (1, 0):
                dtype = np.lib.format.read_array_header_1_0(data)[2]
            else:
                dtype = np.lib.format.read_array_header_2_0(data)[2]
            if dtype.hasobject:
                arr = safe_pickle_load(data, encoding="latin1")
                if not isinstance(arr, np.ndarray):
                    raise ValueError("%s: %s holds a pickled %s, expected an array"
                                     % (path, member, type(arr).__name__))
            else:
                data.seek(0)
                arr = np.lib.format.read_array(data, allow_pickle=False)
            out[key] = arr
    return out
