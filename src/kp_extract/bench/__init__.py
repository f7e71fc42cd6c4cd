"""Benchmark tools: a synthetic corpus generator (corpus.py) and the runner (run.py)."""
