"""Shared test configuration."""

import os

from hypothesis import HealthCheck, settings

# Machines are small and shared: no per-example deadline. Locally, Hypothesis explores new
# examples on each run; in CI (CI=true) the examples are fixed, so a run is reproducible.
common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=200, **common)
settings.register_profile("ci", max_examples=200, derandomize=True, print_blob=True, **common)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
