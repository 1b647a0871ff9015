"""Benchmarks of NMF Lab, outside the runtime packages (run with ``make bench``)."""
