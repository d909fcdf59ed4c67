"""Benchmarks: run with `make bench`. They print figures; they are never collected as tests."""
