"""The collective ops (allreduce, allgather, broadcast) and their gradients on 2 MPI processes,
against numpy; the build-time checks and helpers in one process."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.distribute import shard_range
from tfgraph.ops import collective_ops
from tests.tfgraph.distribute import mpi_launch as launch

pytestmark = pytest.mark.xdist_group("mpi")   # one worker runs every MPI test

HERE = os.path.dirname(os.path.abspath(__file__))
script = launch.load(os.path.join(HERE, "dist_ops.py"))


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("ops")
    rc, log, _ = launch.run(os.path.join(HERE, "dist_ops.py"), out, timeout=180)
    assert rc == 0, log[-3000:]
    return [dict(np.load(out / ("ops%d.npz" % r))) for r in range(2)]


def test_allreduce_allgather_broadcast_match_numpy(ranks):
    v0, v1 = script.inputs(0), script.inputs(1)
    expected = {
        "a_Sum": v0["a"] + v1["a"], "a_Average": (v0["a"] + v1["a"]) / 2,
        "a_Min": np.minimum(v0["a"], v1["a"]), "a_Max": np.maximum(v0["a"], v1["a"]),
        "fused_a": (v0["a"] + v1["a"]) / 2, "fused_b": (v0["b"] + v1["b"]) / 2,
        "h_avg": ((v0["h"].astype(np.float32) + v1["h"]) / 2).astype(np.float16),
        "i_sum": v0["i"] + v1["i"],
        "g_all": np.concatenate([v0["g"], v1["g"]]),
        "idx_all": np.concatenate([v0["idx"], v1["idx"]]),
        "bc_a": v1["a"], "bc_s": v1["s"]}
    for r in range(2):
        for key, want in expected.items():
            got = ranks[r][key]
            assert got.dtype == np.asarray(want).dtype, key
            np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=key)
        assert list(ranks[r]["rank_size_local"]) == [r, 2, r, 2]


def test_gradients_are_horovods_and_those_of_the_total_loss(ranks):
    v = [script.inputs(r) for r in range(2)]
    w_sum = v[0]["w"] + v[1]["w"]
    wg_sum = v[0]["wg"] + v[1]["wg"]
    rows = [len(v[0]["xg"]), len(v[1]["xg"])]
    formula = {"allreduce_avg": [w_sum / 2] * 2, "allreduce_sum": [w_sum] * 2,
               "allgather": [wg_sum[:rows[0]], wg_sum[rows[0]:]],
               "broadcast": [np.zeros_like(w_sum), w_sum]}  # root rank 1
    for name, per_rank in formula.items():
        for r in range(2):
            np.testing.assert_allclose(ranks[r][name + "_grad"], per_rank[r], rtol=1e-10,
                                       atol=1e-12, err_msg=name)
            # finite differences of T = sum over ranks of each rank's loss
            np.testing.assert_allclose(ranks[r][name + "_numeric"], per_rank[r], rtol=1e-6,
                                       atol=1e-7, err_msg=name)


def test_collective_ops_check_their_arguments_when_built():
    with tf.Graph().as_default():
        a = tf.constant([1.0, 2.0])
        with pytest.raises(TypeError, match="op=Average needs a floating-point tensor"):
            collective_ops.MpiAllreduce.apply(tf.constant([1, 2]))
        with pytest.raises(TypeError, match="fuses tensors of one dtype"):
            collective_ops.MpiAllreduce.apply(a, tf.constant([1.0], tf.float64))
        with pytest.raises(ValueError, match="reduction must be one of"):
            collective_ops.MpiAllreduce.apply(a, reduction="Mean")
        with pytest.raises(ValueError, match="known rank of at least 1"):
            collective_ops.MpiAllgather.apply(tf.constant(1.0))
        with pytest.raises(ValueError, match="root_rank must be a rank"):
            collective_ops.MpiBroadcast.apply(a, root_rank=-1)
        with pytest.raises(ValueError, match=r"op must be one of .*got 'mean'"):
            collective_ops._check_reduction("mean")


def test_shard_range_gives_equal_contiguous_blocks():
    assert [shard_range(10, r, 3) for r in range(3)] == [range(0, 3), range(3, 6), range(6, 9)]
    spread = [shard_range(10, r, 3, drop_remainder=False) for r in range(3)]
    assert spread == [range(0, 4), range(4, 7), range(7, 10)]
    with pytest.raises(ValueError, match=r"rank 3 is not in \[0, 3\)"):
        shard_range(10, 3, 3)


def test_mismatch_message_spells_out_the_difference():
    rank0 = "w (3, 4) float32 dense\nb (4,) float32 dense"
    rank1 = "w (3, 5) float32 dense\nemb (9, 2) float32 sparse"
    msg = collective_ops.mismatch_message([rank0, rank1], "MpiAllreduce 'x'")
    assert "rank 1 lacks ['b']" in msg
    assert "rank 1 has ['emb'] that rank 0 lacks" in msg
    assert "w is (3, 5) float32 dense on rank 1 but (3, 4) float32 dense on rank 0" in msg


def test_import_tfgraph_never_imports_mpi4py():
    code = ("import sys, tfgraph, tfgraph_keras; "
            "assert 'mpi4py' not in sys.modules and 'tfgraph.ops.collective_ops' not in "
            "sys.modules, sorted(m for m in sys.modules if 'mpi' in m)")
    env = dict(os.environ, PYTHONPATH=launch.REPO)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_stalled_collective_names_the_dead_rank_on_this_machine():
    # a process that has exited: its pid is free (or a zombie until reaped, which counts as dead)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    world = object.__new__(collective_ops.World)
    world.rank, world.size, world.timeout, world.host = 0, 3, 5.0, "here"
    world.processes = [("here", os.getpid()), ("here", child.pid), ("there", 1)]
    msg = world.stall_message("MpiAllreduce 'g'")
    assert msg.startswith("tfgraph.distribute: MpiAllreduce 'g' on rank 0 of 3 did not complete "
                          "within 5 s (TFGRAPH_MPI_TIMEOUT)")
    assert "rank 1 (pid %d on here) is no longer running" % child.pid in msg
    assert "rank 2" not in msg  # on another machine: nothing known
    world.processes[1] = ("here", os.getpid())
    assert "no rank on this machine died (ranks [1] here still run)" in world.stall_message("x")
