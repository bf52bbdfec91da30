"""The collective ops on 2 ranks; run by test_distribute_ops.py under `mpirun -np 2`.

Rank r's inputs come from RandomState(r), so the test can compute every expected value with numpy.
Gradients: tf.gradients through each collective (Horovod's rules), and the finite differences of
the total loss over ranks, T = sum_r L_r, when one rank's input moves (each rank's own L_r is
summed with an allreduce inside the graph, so every rank runs the same collectives).
"""
import sys

import numpy as np

import tfgraph as tf
import tfgraph.distribute as dist


def inputs(rank):
    rng = np.random.RandomState(rank)
    return {"a": rng.randn(3, 4).astype(np.float32), "b": rng.randn(5).astype(np.float32),
            "h": rng.randn(4).astype(np.float16), "i": rng.randint(-9, 9, (2, 2)).astype(np.int32),
            "g": rng.randn(rank + 2, 3), "idx": np.arange(rank + 2, dtype=np.int64) * (rank + 1),
            "s": np.int32(10 + rank), "x": rng.randn(3, 4), "w": rng.randn(3, 4),
            "xg": rng.randn(rank + 2, 3), "wg": rng.randn(5, 3)}


def forward(v):
    out = {}
    for op in ("Sum", "Average", "Min", "Max"):
        out["a_" + op] = dist.allreduce(tf.constant(v["a"]), op=op)
    out["fused_a"], out["fused_b"] = dist.allreduce([tf.constant(v["a"]), tf.constant(v["b"])])
    out["h_avg"] = dist.allreduce(tf.constant(v["h"]))
    out["i_sum"] = dist.allreduce(tf.constant(v["i"]), op=dist.Sum)
    out["g_all"], out["idx_all"] = dist.allgather([tf.constant(v["g"]), tf.constant(v["idx"])])
    out["bc_a"], out["bc_s"] = dist.broadcast([tf.constant(v["a"]), tf.constant(v["s"])], 1)
    return out


def gradients(v, rank):
    """Per collective: (analytic grad on this rank, numeric grad of T on this rank's input)."""
    results = {}
    cases = {"allreduce_avg": ("x", lambda x: dist.allreduce(x, op=dist.Average), "w"),
             "allreduce_sum": ("x", lambda x: dist.allreduce(x, op=dist.Sum), "w"),
             "allgather": ("xg", dist.allgather, "wg"),
             "broadcast": ("x", lambda x: dist.broadcast(x, 1), "w")}
    for name, (x_key, fn, w_key) in cases.items():
        x0, w = v[x_key], v[w_key]
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float64, x0.shape)
            loss = tf.reduce_sum(tf.constant(w) * fn(x))
            total = dist.allreduce(loss, op=dist.Sum)
            grad = tf.gradients(loss, x)[0]
        with tf.Session(graph=graph) as sess:
            results[name + "_grad"] = sess.run(grad, {x: x0})
            numeric = np.zeros_like(x0)
            eps = 1e-6
            for mover in range(2):          # rank `mover` moves one element, the other stays
                for i in range(inputs(mover)[x_key].size):  # the mover's size, on both ranks
                    values = []
                    for sign in (1, -1):
                        xv = x0.copy()
                        if rank == mover:
                            xv.reshape(-1)[i] += sign * eps
                        values.append(sess.run(total, {x: xv}))
                    if rank == mover:
                        numeric.reshape(-1)[i] = (values[0] - values[1]) / (2 * eps)
            results[name + "_numeric"] = numeric
    return results


def main(out_dir):
    dist.init()
    rank = dist.rank()
    v = inputs(rank)
    with tf.Graph().as_default():
        out = forward(v)
        with tf.Session() as sess:
            values = sess.run(out)
    values.update(gradients(v, rank))
    values["rank_size_local"] = np.array([dist.rank(), dist.size(), dist.local_rank(),
                                          dist.local_size()])
    np.savez("%s/ops%d.npz" % (out_dir, rank), **values)


if __name__ == "__main__":
    main(sys.argv[1])
