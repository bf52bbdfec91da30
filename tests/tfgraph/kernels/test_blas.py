"""tfgraph/kernels/blas.py and threads.ThreadPolicy: GEMMs with BLAS threads sized to the work and
the machine's load."""
import random

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.kernels import blas, threads


@pytest.mark.parametrize("shape", [(3, 4, 5), (100, 784, 10), (128, 700, 256)])
def test_matmul_matches_numpy_for_small_and_large_products(shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    got = threads.matmul(a, b)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    out = np.empty((m, n), np.float32)
    assert threads.matmul(a.T.copy().T, b, out=out) is out
    np.testing.assert_allclose(out, got, rtol=1e-4, atol=1e-4)


def test_thread_count_is_restored_after_every_product(monkeypatch):
    calls = []
    monkeypatch.setattr(blas, "_set_threads", calls.append)
    monkeypatch.setattr(blas, "DEFAULT_THREADS", 4)
    policy = threads.ThreadPolicy()
    policy.matmul(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32))
    assert calls == []              # tiny: OpenBLAS's own one-thread path, no setter calls
    policy.matmul(np.ones((1, 2000), np.float32), np.ones((2000, 100), np.float32))
    assert calls == [1, 4]          # a GEMV: OpenBLAS would split it
    calls.clear()
    policy.matmul(np.ones((100, 784), np.float32), np.ones((784, 10), np.float32))
    assert calls == [1, 4]          # small: one thread
    calls.clear()
    policy.matmul(np.ones((200, 300), np.float32), np.ones((300, 200), np.float32))  # 24 MFLOP
    assert calls[-1] == 4 and len(calls) == 2
    assert list(policy._choosers) == [(200, 300, 200)]
    calls.clear()
    with pytest.raises(ValueError):
        policy.matmul(np.ones((200, 3000)), np.ones((4000, 200)))
    assert calls[-1] == 4           # restored even when the product fails


def _measured(chooser, threads, seconds, times=3):
    for _ in range(times):
        chooser.record(threads, seconds, 1e9)


def test_chooser_measures_both_thread_counts_before_preferring_one():
    chooser = blas.ThreadChooser(2, explore_every=10)
    picks = []
    for _ in range(6):
        threads = chooser.choose()
        picks.append(threads)
        chooser.record(threads, 1.0 if threads == 2 else 0.5, 1e9)
    # BLAS's default first; each choice's first call (one-time costs) is not recorded, then
    # two calls of each are
    assert picks == [2, 2, 1, 1, 2, 1]
    assert chooser.cost(2) == 1e-9 and chooser.cost(1) == 0.5e-9


def test_chooser_follows_the_cheaper_thread_count_and_keeps_measuring_the_other():
    random.seed(0)
    chooser = blas.ThreadChooser(2, explore_every=10)
    _measured(chooser, 2, 1.0, times=4)
    _measured(chooser, 1, 0.5, times=4)
    picks = [chooser.choose() for _ in range(2000)]
    share_of_two = picks.count(2) / len(picks)
    assert 0.05 < share_of_two < 0.15                # one thread; two re-measured ~1 in 10
    _measured(chooser, 1, 20.0, times=4)             # the machine got busy: one thread slowed down
    assert [chooser.choose() for _ in range(50)].count(2) > 40


def test_one_slow_call_does_not_decide():
    # W2's first-layer GEMM: the first two-thread call paid ~10x for waking OpenBLAS's workers; a
    # running average seeded with it kept one thread (1.6 ms a call against 0.85) for an epoch
    random.seed(2)
    chooser = blas.ThreadChooser(2, explore_every=10)
    chooser.record(2, 10.0, 1e9)                     # warm-up call: not recorded
    _measured(chooser, 2, 0.5)
    _measured(chooser, 1, 0.9)
    chooser.record(2, 30.0, 1e9)                     # a descheduled worker, once
    assert [chooser.choose() for _ in range(100)].count(2) > 80
    _measured(chooser, 2, 3.0, times=2)              # two more slow calls in a row:
    assert chooser.cost(2) == 0.5e-9                 # the window still holds a 0.5 s one
    chooser.record(2, 3.0, 1e9)                      # the third: the last four are all slow now
    assert chooser.cost(2) == 3e-9
    assert [chooser.choose() for _ in range(100)].count(1) > 80


def test_a_bad_start_is_mended_by_the_next_good_measurement():
    random.seed(3)
    chooser = blas.ThreadChooser(2, explore_every=10)
    _measured(chooser, 2, 3.5)                       # the first calls ran on a busy machine
    _measured(chooser, 1, 2.6)
    assert chooser.choose() == 1
    chooser.record(2, 1.7, 1e9)                      # one re-measurement at the usual speed
    assert [chooser.choose() for _ in range(100)].count(2) > 80


def test_much_worse_choice_is_re_measured_less_often():
    random.seed(1)
    chooser = blas.ThreadChooser(2, explore_every=10)
    _measured(chooser, 1, 1.0, times=4)
    _measured(chooser, 2, 20.0, times=4)             # 20x slower: explored ~1 in 100, not 1 in 10
    picks = [chooser.choose() for _ in range(5000)]
    assert 0.002 < picks.count(2) / len(picks) < 0.02


@pytest.mark.parametrize("shape", [(300, 40, 70), (70, 40, 300)])
def test_a_policy_for_batch_splitting_kernels_splits_its_gemms_the_same_way(monkeypatch, shape):
    # in a plan whose kernels run blocks on threads, a multi-threaded GEMM is split the same way
    # (rows or columns, the longer side) instead of waking OpenBLAS's spinning workers
    monkeypatch.setattr(threads, "THREADS", 2)
    splits = []
    by_rows = threads.by_rows
    monkeypatch.setattr(threads, "by_rows", lambda n, fn, **kw: splits.append(n) or by_rows(
        n, fn, **kw))
    m, k, n = shape
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    want = a.astype(np.float64) @ b
    np.testing.assert_allclose(threads.ThreadPolicy()._many(a, b, None), want, rtol=1e-4,
                               atol=1e-4)
    assert splits == []                      # no batch-splitting kernels: OpenBLAS's threads
    out = np.empty((m, n), np.float32)
    assert threads.ThreadPolicy(split_gemms=True)._many(a, b, out) is out
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)
    assert splits == [max(m, n)]


@pytest.mark.parametrize("with_out", [False, True])
def test_a_split_policy_splits_a_small_result_over_its_inner_dimension(monkeypatch, with_out):
    # W7's first conv: dL/dw = (25, 39200) @ (39200, 32) has too few rows and columns to split;
    # OpenBLAS's threads would then spin for ~0.1 s and slow the next step's convolutions
    monkeypatch.setattr(threads, "THREADS", 2)
    counts = []
    monkeypatch.setattr(blas, "_set_threads", counts.append)
    rng = np.random.default_rng(2)
    a = rng.standard_normal((25, 3000)).astype(np.float32)
    b = rng.standard_normal((3000, 32)).astype(np.float32)
    out = np.empty((25, 32), np.float32) if with_out else None
    got = threads.ThreadPolicy(split_gemms=True)._many(a, b, out)
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)
    assert got is out or not with_out
    assert blas.DEFAULT_THREADS < 2 or set(counts[::2]) == {1}    # BLAS held to one thread
    small = rng.standard_normal((20, 20)).astype(np.float32)   # nothing to split: one thread
    counts.clear()
    np.testing.assert_allclose(threads.ThreadPolicy(split_gemms=True)._many(small, small, None),
                               small @ small, rtol=1e-5, atol=1e-5)
    assert blas.DEFAULT_THREADS < 2 or counts[0] == 1


def test_a_plan_owns_its_policy_and_makes_it_current_while_it_runs():
    seen = []
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        dense = tf.matmul(x, tf.ones([3, 2]))
        conv = tf.nn.conv2d(tf.reshape(x, [-1, 1, 3, 1]), tf.ones([1, 1, 1, 2]), [1] * 4, "SAME")
        spy = tf.py_func(lambda v: seen.append(threads.current_policy()) or v, [dense],
                         tf.float32)
        with tf.Session() as sess:
            sess.run(spy, {x: np.ones((2, 3), np.float32)})
            sess.run([spy, conv], {x: np.ones((2, 3), np.float32)})
            plans = {len(p.fetches): p for p in sess._plans.values()}
    assert seen == [plans[1].thread_policy, plans[2].thread_policy]
    assert not plans[1].thread_policy.split_gemms and plans[2].thread_policy.split_gemms
    assert threads.current_policy() is threads._DEFAULT_POLICY   # restored after each run
