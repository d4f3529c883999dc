"""Benchmarks, run from the project folder as modules (``python -m benchmarks.bench_scale``)
so they share the tests' support code (tests.support) without path edits."""
