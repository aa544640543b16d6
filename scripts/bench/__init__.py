"""The listening benchmark's parts (scripts/bench_listening.py runs them)."""
