"""tfgraph/runtime/allocator.py: glibc malloc keeps step-sized buffers for reuse."""
import os
import subprocess
import sys

import pytest

from tfgraph.runtime import allocator

glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or os.environ.get(
    "TFGRAPH_MALLOC_TUNING") == "0", reason="glibc malloc tuning applies on Linux only")

# the allocation pattern of a CNN training step: activations of a few sizes, made and freed in turn
_PROBE = """
import resource, numpy as np, tfgraph
from tfgraph.runtime import allocator
def step():
    a = np.ones((128, 26, 26, 32), np.float32); b = np.ones((128, 13, 13, 32), np.float32)
    c = a * 2; del a; d = np.ones((128, 5408), np.float32); e = c + 1; del b, c, d, e
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20): step()
print(allocator.applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _probe(tuning):
    env = dict(os.environ, TFGRAPH_MALLOC_TUNING=tuning)
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    return out[0] == "True", int(out[1])


@glibc
def test_tuning_is_applied_at_import():
    assert allocator.applied and allocator.tune_malloc()


@glibc
def test_reallocated_buffers_do_not_fault_in_new_pages():
    applied, faults = _probe("1")
    assert applied and faults < 1000         # the 20 steps reuse the first step's pages
    applied, faults = _probe("0")
    assert not applied and faults > 10000    # glibc's defaults: fresh pages step after step
