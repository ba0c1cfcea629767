"""Shared test configuration."""

from hypothesis import HealthCheck, settings

# CI machines are small and shared: no per-example deadline, a steady example count.
settings.register_profile(
    "ci", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")
