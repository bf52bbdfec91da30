"""A rank that dies, raises, hangs or built another model ends the 2-rank job, within the
timeout, with a message that names the rank."""
import os
import re

import pytest
from tests.tfgraph.distribute import mpi_launch as launch

pytestmark = pytest.mark.xdist_group("mpi")   # one worker runs every MPI test

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "dist_faults.py")
TIMEOUT = 4  # seconds a collective waits (TFGRAPH_MPI_TIMEOUT)
MODES = ("kill", "raise", "hang", "mismatch")


@pytest.fixture(scope="module")
def runs():
    # the four jobs run side by side: each spends most of its time importing
    procs = {m: launch.start(SCRIPT, m, env={"TFGRAPH_MPI_TIMEOUT": str(TIMEOUT)})
             for m in MODES}
    return {m: launch.finish(p, timeout=90) for m, p in procs.items()}


def test_a_killed_rank_ends_the_job_and_its_pid_is_named_as_rank_1(runs):
    rc, log, _ = runs["kill"]
    assert rc != 0
    assert "finished" not in log
    pid = re.search(r"rank 1 = pid (\d+)", log).group(1)  # tfgraph's line at start-up
    assert re.search(r"PID %s\b" % pid, log), log[-2000:]  # the launcher names the dead pid


def test_a_rank_that_raises_aborts_the_others_naming_itself(runs):
    rc, log, _ = runs["raise"]
    assert rc != 0
    assert "ValueError: rank 1's data loader failed" in log
    assert "rank 1 of 2" in log and "stopped on ValueError; aborting the other ranks" in log
    assert "rank 0 finished" not in log


def test_a_hung_rank_makes_the_collective_time_out(runs):
    rc, log, seconds = runs["hang"]
    assert rc != 0
    assert "did not complete within %d s (TFGRAPH_MPI_TIMEOUT)" % TIMEOUT in log, log[-3000:]
    assert "ranks [1] here still run" in log
    assert "UnavailableError" in log


def test_ranks_with_different_variables_fail_at_the_first_collective(runs):
    rc, log, _ = runs["mismatch"]
    assert rc != 0
    assert "ranks disagree at the first run of MpiAllreduce" in log, log[-3000:]
    assert "dense/kernel is (4, 9) float32 dense on rank 1 but (4, 8) float32 dense on rank 0" \
        in log
    assert "finished" not in log
