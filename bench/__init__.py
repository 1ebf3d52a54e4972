"""Benchmarks. Each module prints one JSON object on stdout; the README reports the figures."""
