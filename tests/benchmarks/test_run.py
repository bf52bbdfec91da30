"""benchmarks/run.py: medians over runs and the results table (the workloads themselves run in CI-free
benchmark sessions, never in the test suite)."""
from benchmarks import run


def test_median_of_runs_ignores_failed_runs():
    runs = [{"train_s": 3.0, "test_acc": 0.9}, {"error": "boom"}, {"train_s": 1.0, "test_acc": 0.8},
            {"train_s": 2.0, "test_acc": 0.85}]
    med = run._median(runs)
    assert med["train_s"] == 2.0 and med["test_acc"] == 0.85 and med["runs"] == 3
    assert run._median([{"error": "x"}]) == {"error": "x"}


def test_table_shows_targets_ratios_and_peer_start_up():
    results = {
        "W1": {"tfgraph": {"epoch_s_est": 0.05, "test_acc": 0.918, "first_step_s": 2.5,
                           "peak_rss_mb": 300.0},
               "tf": {"train_s": 0.87, "test_acc": 0.918, "first_step_s": 4.0, "peak_rss_mb": 900.0}},
        "W3": {"tfgraph": {"epoch_s_est": 6.0, "test_acc": 0.97},
               "tf": {"error": "timed out"}},
    }
    text = run.table(results, {"tf": None})
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[1:-1]]
            for line in text.splitlines()[2:]}
    head = [c.strip() for c in text.splitlines()[0].split("|")[1:-1]]
    w1 = dict(zip(head, rows["W1"]))
    assert w1["met"] == "yes" and w1["ratio"] == "17.40x" and w1["tf 1st s"] == "4.00"
    assert w1["GFLOP/s"] == "%.1f" % (0.025 * 188 / 0.05)
    w3 = dict(zip(head, rows["W3"]))
    assert w3["met"] == "no" and w3["tf s"] == "ERR" and w3["ratio"] == "-"


def test_epoch_estimate_counts_the_first_step_once():
    from benchmarks.workloads import epoch_estimate
    # 10 of 469 steps: 2 s first step (plan building), then 0.1 s per step.
    assert abs(epoch_estimate(0.0, 2.0, 2.9, 1280, 60000) - (2.0 + 0.1 * 468)) < 1e-9
    assert epoch_estimate(0.0, 2.0, 48.8, 60000, 60000) == 48.8  # a full epoch is its own time
    assert epoch_estimate(0.0, 1.5, 1.5, 128, 60000) == 1.5 * 469


def test_w9_is_judged_against_tensorflow_in_the_same_run():
    results = {"W9": {"tfgraph": {"epoch_s_est": 20.0, "test_acc": 0.96},
                      "tf": {"train_s": 30.0, "test_acc": 0.962}}}
    text = run.table(results, {"tf": None})
    head = [c.strip() for c in text.splitlines()[0].split("|")[1:-1]]
    w9 = dict(zip(head, [c.strip() for c in text.splitlines()[2].split("|")[1:-1]]))
    assert w9["target"] == "< tf" and w9["met"] == "yes" and w9["ratio"] == "1.50x"
    assert w9["GFLOP/s"] == "-"
    slower = {"W9": {"tfgraph": {"epoch_s_est": 40.0}, "tf": {"train_s": 30.0}}}
    assert "| no " in run.table(slower, {"tf": None})


def test_w7_w8_need_one_and_a_half_times_tensorflow():
    results = {"W7": {"tfgraph": {"epoch_s_est": 20.0}, "tf": {"epoch_s_est": 29.0}},
               "W8": {"tfgraph": {"epoch_s_est": 20.0}, "tf": {"epoch_s_est": 31.0}}}
    text = run.table(results, {"tf": None})
    head = [c.strip() for c in text.splitlines()[0].split("|")[1:-1]]
    rows = [dict(zip(head, [c.strip() for c in line.split("|")[1:-1]]))
            for line in text.splitlines()[2:]]
    assert [(r["W"], r["target"], r["met"]) for r in rows] == [("W7", "1.5x tf", "no"),
                                                              ("W8", "1.5x tf", "yes")]


def test_pytensor_peer_runs_only_w1_w2_and_shows_a_dash_elsewhere(monkeypatch):
    calls = []
    monkeypatch.setattr(run, "run_tfgraph", lambda w, *a: {"epoch_s_est": 1.0})
    monkeypatch.setattr(run, "run_peer", lambda py, script, w, *a: calls.append((script, w)) or
                        {"train_s": 2.0})
    run.main(["--only", "W1,W3,W8", "--pytensor-python", "py", "--quick"])
    assert calls == [("pytensor_workloads.py", "W1")]
    calls.clear()
    run.main(["--only", "W8", "--torch-python", "py", "--tf-python", "py"])
    assert calls == [("tf_workloads.py", "W8")]   # no PyTorch W8 (its summaries are not TF's)
