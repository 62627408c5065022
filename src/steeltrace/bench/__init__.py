"""Benchmarks behind `steeltrace bench`."""
