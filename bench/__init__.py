"""Benchmarks. Each prints its figure beside a baseline measured in the same run and the
ratio between them: these machines are shared and noisy, so only ratios are compared
with targets. Run all with `make bench` (or `python -m bench [name ...]`)."""
