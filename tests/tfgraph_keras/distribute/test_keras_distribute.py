"""Keras fit with tfgraph_keras.distribute on 2 MPI processes against 1 process on the
concatenated batches: same logs, weights, evaluate and predict; rank-0-only outputs."""
import os

import numpy as np
import pytest
from tests.tfgraph.distribute import mpi_launch as launch

pytestmark = pytest.mark.xdist_group("mpi")   # one worker runs every MPI test

HERE = os.path.dirname(os.path.abspath(__file__))
script = launch.load(os.path.join(HERE, "dist_keras_fit.py"))


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("keras")
    rc, log, _ = launch.run(os.path.join(HERE, "dist_keras_fit.py"), out, timeout=180)
    assert rc == 0, log[-3000:]
    return out, log, [dict(np.load(out / ("rank%d.npz" % r))) for r in range(2)]


@pytest.mark.parametrize("model,opt", script.CASES)
def test_fit_on_two_ranks_matches_one_process_on_the_joined_batches(two_ranks, model, opt):
    ref = script.reference(model, opt)
    got = two_ranks[2][0]
    key = "%s_%s_" % (model, opt)
    assert got[key + "batch_logs"].shape == (script.EPOCHS * script.N // 2 // script.B, 2)
    for name in ("batch_logs", "epoch_loss", "evaluate", "predict"):
        np.testing.assert_allclose(got[key + name], ref[name], rtol=3e-5, atol=1e-6,
                                   err_msg=name)
    for i, w in enumerate(ref["weights"]):
        np.testing.assert_allclose(got[key + "w%d" % i], w, rtol=3e-5, atol=1e-6)


def test_ranks_end_bitwise_identical_with_identical_logs(two_ranks):
    r0, r1 = two_ranks[2]
    assert sorted(r0) == sorted(r1)
    for key in r0:
        assert r0[key].tobytes() == r1[key].tobytes(), key


def test_progress_bar_checkpoints_and_csv_logs_come_from_rank_0_only(two_ranks):
    out, log, _ = two_ranks
    assert log.count("Epoch 1/%d" % script.EPOCHS) == 1, log[-2000:]
    assert len([line for line in log.splitlines() if line.startswith("1/1 - ")]) == 1  # evaluate
    assert (out / "ckpt_rank0.weights.h5").exists()
    assert not (out / "ckpt_rank1.weights.h5").exists()
    for model, opt in script.CASES:
        assert (out / ("log_%s_%s_rank0.csv" % (model, opt))).exists()
        assert not (out / ("log_%s_%s_rank1.csv" % (model, opt))).exists()


def test_the_mnist_tutorial_trains_on_two_processes():
    tutorial = os.path.join(launch.REPO, "tutorials", "mnist_distributed.py")
    rc, log, _ = launch.run(tutorial, "--quick", timeout=180)
    assert rc == 0, log[-3000:]
    assert "2 processes, 2000 training images each" in log
    accuracies = [float(line.split(":")[1]) for line in log.splitlines()
                  if line.startswith("Test accuracy:")]
    assert len(accuracies) == 1 and accuracies[0] > 0.75, log[-2000:]  # printed by rank 0 only
