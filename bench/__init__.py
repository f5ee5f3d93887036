"""Benchmarks of the platform (run with `make bench`); results go to `bench/RESULTS.md`."""
