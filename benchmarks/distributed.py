"""Data-parallel scaling on MPI: W2 and W6 on 1 and N processes, allreduce times, and an estimate
for N machines over 10 GbE.

    python -m benchmarks.distributed W2 --fraction 0.1              # 1 process, 1 thread
    mpirun -np 2 python -m benchmarks.distributed W2 --fraction 0.1 # 2 processes, 1 thread each
    mpirun -np 2 python -m benchmarks.distributed allreduce         # ms per allreduce, by size
    python -m benchmarks.distributed estimate --step-ms 50 --mb 4.8 # N machines over 10 GbE

Training is weak scaling, as Horovod measures it: 128 images per process per step (global batch
128 * N), throughput in images/s and efficiency = throughput(N) / (N * throughput(1)). Each
process is held to one thread (BLAS, Numba, OpenMP) so that N processes on N cores compare with
one process on one core. Rank 0 prints one JSON line.
"""
import os

for _var in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy and numba load: one thread per process

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

# Gradient bytes per step (float32): W2 669,706 parameters, W6 1,199,882
GRADIENT_MB = {"W2": 669706 * 4 / 1e6, "W6": 1199882 * 4 / 1e6}
LINK_GBPS = 10.0          # 10 GbE
LINK_EFFICIENCY = 0.9     # TCP/IP payload share of the line rate
LATENCY_S = 30e-6         # per message on 10 GbE with TCP (MPICH/Open MPI over sockets)


def train(name, fraction):
    import tfgraph_keras.distribute as dist
    from benchmarks import workloads
    dist.init()
    d = np.load(workloads.mnist_path())
    data = (d["x_train"], d["y_train"], d["x_test"], d["y_test"])
    x, _ = workloads.keras_inputs(name, data)
    y = data[1]
    model = workloads.keras_model(name)
    # W2 and W6 both train on sparse_categorical_crossentropy (RMSprop, Adam)
    model.compile(optimizer=dist.DistributedOptimizer(model.optimizer),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    global_batch = 128 * dist.size()
    n = max(4, int(len(x) * fraction) // global_batch) * global_batch
    times = []

    import tfgraph_keras as keras

    class Steps(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter())

    model.fit(x[:n], y[:n], batch_size=128, epochs=1, verbose=0, shuffle=False,
              callbacks=[Steps()])
    steps = np.diff(times[1:])  # the first two steps build plans and load kernels
    step_s = float(np.median(steps))
    out = {"workload": name, "processes": dist.size(), "threads_per_process": 1,
           "steps": len(times), "step_ms_median": step_s * 1e3,
           "images_per_s": 128 * dist.size() / step_s}
    return out


def allreduce_times(sizes_mb, repeats):
    from tfgraph.ops import collective_ops
    world = collective_ops.get_world()
    rows = []
    for mb in sizes_mb:
        buf = np.ones(max(1, int(mb * 1e6 / 4)), np.float32)
        world.allreduce(buf, "Sum")  # warm-up (connections, buffers)
        times = []
        for _ in range(repeats):
            world.comm.Barrier()
            t = time.perf_counter()
            world.allreduce(buf, "Sum")
            times.append(time.perf_counter() - t)
        rows.append({"mb": round(buf.nbytes / 1e6, 4), "ms_median": float(np.median(times)) * 1e3,
                     "ms_min": float(np.min(times)) * 1e3})
    return {"processes": world.size, "allreduce": rows}


def ring_allreduce_s(mb, machines, gbps=LINK_GBPS, latency_s=LATENCY_S):
    """Time of a ring allreduce of `mb` megabytes over `machines`: 2 (N-1) messages of mb / N each
    way (reduce-scatter, then allgather), bandwidth-bound on each machine's link."""
    if machines <= 1:
        return 0.0
    bytes_per_s = gbps * 1e9 / 8 * LINK_EFFICIENCY
    steps = 2 * (machines - 1)
    return steps * (mb * 1e6 / machines / bytes_per_s + latency_s)


def estimate(step_ms, mb, machines=(1, 2, 4, 8, 16, 32)):
    rows = []
    for n in machines:
        comm_ms = ring_allreduce_s(mb, n) * 1e3
        rows.append({"machines": n, "allreduce_ms": round(comm_ms, 2),
                     "step_ms": round(step_ms + comm_ms, 2),
                     "efficiency": round(step_ms / (step_ms + comm_ms), 3)})
    return {"step_ms_one_machine": step_ms, "gradient_mb": mb, "link_gbps": LINK_GBPS,
            "rows": rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["W2", "W6", "allreduce", "estimate"])
    parser.add_argument("--fraction", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--step-ms", type=float, help="estimate: one machine's step time")
    parser.add_argument("--mb", type=float, help="estimate: gradient megabytes per step")
    args = parser.parse_args(argv)
    if args.what == "estimate":
        if args.step_ms is None or args.mb is None:
            parser.error("estimate needs --step-ms and --mb")
        print(json.dumps(estimate(args.step_ms, args.mb)))
        return
    if args.what == "allreduce":
        sizes = [0.004, 0.064, 0.5, 1.0, GRADIENT_MB["W2"], GRADIENT_MB["W6"], 16.0]
        out = allreduce_times(sizes, args.repeats)
    else:
        out = train(args.what, args.fraction)
    from tfgraph.ops import collective_ops
    if collective_ops.get_world().rank == 0:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
