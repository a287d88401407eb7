"""pybuild's benchmarks: ``python -m bench [--quick] [--parts ...]`` (see README, "Benchmarks")."""
