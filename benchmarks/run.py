"""Runs W1-W9 on tfgraph (and on peers in their own interpreters) and prints one table.

    python -m benchmarks                      # full epochs, tfgraph only
    python -m benchmarks --quick              # a fraction of an epoch (times scaled to an epoch)
    python -m benchmarks --tf-python ~/venvs/tf/bin/python --torch-python ~/venvs/torch/bin/python \
        --pytensor-python ~/venvs/pytensor/bin/python

Each workload runs in a fresh process (so start-up and peak memory are its own). Peers run
benchmarks/peers/*_workloads.py, the same workloads written for TensorFlow, PyTorch and PyTensor
(W1, W2: the ones a graph engine with a Numba backend expresses); none of them is ever a dependency
of tfgraph. A peer that does not run a workload shows "-". W7 and W8 run the fraction on peers too
(BENCH_FRACTION); W1-W6 and W9 peers always run a full epoch. GFLOP/s uses each workload's FLOP count, taken as
limit_s x 188 GFLOP/s (the 2-core float32 sgemm rate the issue's limits are measured against).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SGEMM_GFLOPS = 188.0
LIMIT_S = {"W1": 0.025, "W2": 1.28, "W3": 1.70, "W4": 4.3, "W6": 23.0, "W5": 0.09}
TARGET_S = {"W1": 0.08, "W2": 2.2, "W3": 5.0, "W4": 7.0, "W6": 40.0}
TARGET_W5 = {"predict_1_us": 100.0, "predict_10k_s": 0.3}
TARGET_RATIO = {"W7": 1.5, "W8": 1.5, "W9": 1.0}   # faster than TensorFlow by this factor
ALL = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"]
PEERS = {"tf": "tf_workloads.py", "torch": "torch_workloads.py",
         "pytensor": "pytensor_workloads.py"}
PEER_RUNS = {"pytensor": {"W1", "W2"}, "torch": {"W1", "W2", "W3", "W4", "W5", "W6", "W7"}}


def _env():
    env = dict(os.environ)
    data = env.get("TFGRAPH_DATASETS_DIR") or os.path.join(ROOT, "..", "shared", "data")
    env.setdefault("TFGRAPH_DATASETS_DIR", data)
    env.setdefault("MNIST", os.path.join(data, "mnist.npz"))
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(cmd, timeout, fraction=1.0):
    env = _env()
    env["BENCH_FRACTION"] = str(fraction)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                           cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %ds" % timeout}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0][:120]}
    return json.loads(lines[-1])


def run_tfgraph(w, fraction, repeat, timeout):
    runs = [_run([sys.executable, "-m", "benchmarks.workloads", w, "--fraction", str(fraction)],
                 timeout) for _ in range(repeat)]
    return _median(runs)


def run_peer(python, script, w, timeout, fraction=1.0):
    return _run([python, os.path.join(HERE, "peers", script), w], timeout, fraction)


def _median(runs):
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    out = dict(good[0])
    for key in out:
        if isinstance(out[key], float):
            out[key] = statistics.median(r[key] for r in good)
    out["runs"] = len(good)
    return out


def _seconds(r, w):
    if "error" in r:
        return None
    if w == "W5":
        return r.get("predict_10k_s")
    return r.get("epoch_s_est", r.get("train_s"))


def _fmt(v, spec="%.3f"):
    return "-" if v is None else spec % v


def table(results, peers):
    head = ["W", "tfgraph s", "GFLOP/s", "acc", "target", "met"]
    for name in peers:
        head += [name + " s", name + " acc", "ratio"]
    head += ["1st step s", "RSS MB"]
    for name in peers:
        head += [name + " 1st s", name + " RSS"]
    rows = [head]
    for w, res in results.items():
        ours = res["tfgraph"]
        s = _seconds(ours, w)
        gflops = LIMIT_S[w] * SGEMM_GFLOPS / s if s and w in LIMIT_S else None
        if w == "W5":
            target = "%.1fms/%.1fs" % (TARGET_W5["predict_1_us"] / 1e3, TARGET_W5["predict_10k_s"])
            met = (s is not None and ours.get("predict_1_us", 1e9) <= TARGET_W5["predict_1_us"]
                   and s <= TARGET_W5["predict_10k_s"])
            shown = "%s (1: %s ms)" % (_fmt(s), _fmt(ours.get("predict_1_us", 0) / 1e3, "%.3f"))
        elif w not in TARGET_S:  # W7-W9's targets are same-run ratios against TensorFlow
            tf_s = _seconds(res["tf"], w) if res.get("tf") else None
            ratio = TARGET_RATIO[w]
            target = "< tf" if ratio == 1 else "%gx tf" % ratio
            met = s is not None and tf_s is not None and (
                s < tf_s if ratio == 1 else tf_s / s >= ratio)
            shown = _fmt(s) if "error" not in ours else "ERR " + ours["error"]
        else:
            target = "%.2f" % TARGET_S[w]
            met = s is not None and s <= TARGET_S[w]
            shown = _fmt(s) if "error" not in ours else "ERR " + ours["error"]
        row = [w, shown, _fmt(gflops, "%.1f"), _fmt(ours.get("test_acc")), target,
               "yes" if met else "no"]
        for name in peers:
            p = res.get(name) or {}
            ps = _seconds(p, w) if p else None
            row += [_fmt(ps) if "error" not in p else "ERR", _fmt(p.get("test_acc")),
                    _fmt(ps / s if ps and s else None, "%.2fx")]
        row += [_fmt(ours.get("first_step_s"), "%.2f"), _fmt(ours.get("peak_rss_mb"), "%.0f")]
        for name in peers:
            p = res.get(name) or {}
            row += [_fmt(p.get("first_step_s"), "%.2f"), _fmt(p.get("peak_rss_mb"), "%.0f")]
        rows.append(row)
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = ["| " + " | ".join(str(c).ljust(wd) for c, wd in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (wd + 2) for wd in widths) + "|")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a fraction of an epoch (default 0.1)")
    ap.add_argument("--fraction", type=float, default=None)
    ap.add_argument("--only", default=",".join(ALL), help="comma-separated workloads")
    ap.add_argument("--repeat", type=int, default=1, help="runs per workload (median reported)")
    ap.add_argument("--tf-python", help="interpreter of a venv with tensorflow-cpu")
    ap.add_argument("--torch-python", help="interpreter of a venv with torch")
    ap.add_argument("--pytensor-python", help="interpreter of a venv with pytensor (W1, W2)")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--json", help="also write raw results to this file")
    args = ap.parse_args(argv)
    fraction = args.fraction if args.fraction else (0.1 if args.quick else 1.0)
    peers = {name: (getattr(args, name + "_python"), script) for name, script in PEERS.items()
             if getattr(args, name + "_python")}
    results = {}
    for w in args.only.split(","):
        res = {"tfgraph": run_tfgraph(w, fraction, args.repeat, args.timeout)}
        for name, (python, script) in peers.items():
            if w in PEER_RUNS.get(name, ALL):
                res[name] = run_peer(python, script, w, args.timeout, fraction)
        results[w] = res
        print(w, json.dumps(res), file=sys.stderr, flush=True)
    print("machine: %s, %d cores, python %s; fraction of an epoch: %g" % (
        platform.processor() or platform.machine(), os.cpu_count(), platform.python_version(),
        fraction))
    print(table(results, list(peers)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
