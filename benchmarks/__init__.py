"""Benchmarks W1-W6: `python -m benchmarks` runs them and prints one comparison table."""
