"""Throughput and memory benchmarks of PREDICT against the alternatives.

Run ``python -m benchmarks.run``; BENCHMARKS.md describes the cells and results.
"""
