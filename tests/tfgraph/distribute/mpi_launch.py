"""Runs a script under `mpirun -np N` for the distribute tests (with the worktree importable)."""
import os
import shutil
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))


def mpirun_command():
    """The MPI launcher next to this Python (the MPICH wheel puts it there), else on PATH."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.fail("the distribute tests need the distributed extra: pip install -e "
                    "'.[distributed]' (mpi4py and the MPICH wheel)")
    for name in ("mpiexec", "mpirun"):
        local = os.path.join(os.path.dirname(sys.executable), name)
        if os.path.exists(local):
            return local
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("mpi4py is installed but no mpiexec/mpirun was found: pip install "
                "'tfgraph[distributed]' installs the MPICH wheel with its launcher")


def _open_mpi_flags(launcher):
    """Open MPI's mpirun refuses root and more processes than cores unless told; MPICH's needs
    nothing."""
    try:
        version = subprocess.run([launcher, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return ["--allow-run-as-root", "--oversubscribe"] if "Open MPI" in version else []


def load(path):
    """A helper script of these tests, imported by path (its basename need not be unique)."""
    import importlib.util
    name = "_dist_" + os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def start(script, *args, np_=2, env=None):
    """`mpirun -np np_ python script args` started (stdout and stderr joined, as text)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = REPO + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.setdefault("NUMBA_CACHE_DIR", os.path.join(REPO, ".numba_cache"))
    full_env.update(env or {})
    launcher = mpirun_command()
    cmd = [launcher, *_open_mpi_flags(launcher), "-np", str(np_), sys.executable, script,
           *map(str, args)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=full_env, cwd=REPO)
    proc.started = time.monotonic()
    return proc


def finish(proc, timeout=120):
    """(returncode, output, seconds) of a started run; kills it past `timeout` seconds."""
    try:
        out, _ = proc.communicate(timeout=max(1.0, timeout - (time.monotonic() - proc.started)))
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail("mpirun still ran after %s s:\n%s" % (timeout, out[-3000:]))
    return proc.returncode, out, time.monotonic() - proc.started


def run(script, *args, np_=2, timeout=120, env=None):
    """(returncode, output, seconds) of `mpirun -np np_ python script args`."""
    return finish(start(script, *args, np_=np_, env=env), timeout)
