"""Dataset files: $TFGRAPH_DATASETS_DIR, then ~/.keras/datasets, then a verified download."""
import hashlib
import os
import urllib.request

ENV = "TFGRAPH_DATASETS_DIR"


def cache_dir():
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(base, "datasets")


def get_file(fname, origin, file_hash=None, hash_algorithm="sha256"):
    """The path of `fname`: found locally, or downloaded from `origin` and checked against its hash.

    Raises an error naming TFGRAPH_DATASETS_DIR and every path tried when nothing is found and the
    download fails (offline machines)."""
    tried = []
    env_dir = os.environ.get(ENV)
    if env_dir:
        path = os.path.join(env_dir, fname)
        tried.append(path)
        if os.path.exists(path):
            return path
    path = os.path.join(cache_dir(), fname)
    tried.append(path)
    if os.path.exists(path):
        return path
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
                         cache_dir())) from None
    if file_hash is not None:
        digest = _hash(tmp, hash_algorithm)
        if digest != file_hash:
            os.remove(tmp)
            raise OSError("The file downloaded from %s has %s %s, expected %s; it was deleted."
                          % (origin, hash_algorithm, digest, file_hash))
    os.replace(tmp, path)
    return path


def _hash(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
