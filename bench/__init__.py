"""The benchmark suite behind `make bench` (scripts/bench.py): steps, the sandbox process, the floor."""
