"""benchmarks/distributed.py's paper estimate of N machines over 10 GbE."""
import pytest

from benchmarks import distributed


def test_ring_allreduce_time_is_bandwidth_and_latency_bound():
    assert distributed.ring_allreduce_s(4.0, 1) == 0.0
    bytes_per_s = 10e9 / 8 * distributed.LINK_EFFICIENCY
    # 2 machines: each sends half the buffer twice (reduce-scatter, allgather)
    assert distributed.ring_allreduce_s(4.0, 2) == pytest.approx(
        2 * (2e6 / bytes_per_s + distributed.LATENCY_S))
    # many machines: each link carries close to twice the buffer, plus 2 (N-1) latencies
    assert distributed.ring_allreduce_s(4.0, 1000, latency_s=0) == pytest.approx(
        2 * 4e6 / bytes_per_s, rel=0.01)
    assert distributed.ring_allreduce_s(4.0, 1000) == pytest.approx(
        2 * 4e6 / bytes_per_s * 0.999 + 1998 * distributed.LATENCY_S)


def test_estimate_efficiency_falls_with_machines_and_rises_with_compute():
    light = [r["efficiency"] for r in distributed.estimate(8.5, 2.679)["rows"]]
    heavy = [r["efficiency"] for r in distributed.estimate(113.7, 4.8)["rows"]]
    assert light[0] == heavy[0] == 1.0
    assert light == sorted(light, reverse=True) and heavy == sorted(heavy, reverse=True)
    assert all(h > g for h, g in zip(heavy[1:], light[1:]))
