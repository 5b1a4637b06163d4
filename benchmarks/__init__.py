"""Parity's benchmarks: each measures a hot path beside its floor and reports ratios (`python -m benchmarks`)."""
