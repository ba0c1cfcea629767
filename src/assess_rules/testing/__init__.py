"""Helpers for testing packs and code that uses assess_rules.

- :mod:`assess_rules.testing.plugin`: the pytest plugin that collects ``*.scenarios.yaml``
  files (run by :mod:`assess_rules.scenarios`).
- :mod:`assess_rules.testing.coverage`: which rules and branches the scenarios exercise.
- :mod:`assess_rules.testing.golden`: golden tables of every timescale's due dates.
- :mod:`assess_rules.testing.strategies`: Hypothesis strategies for dates and snapshots.

Nothing in the library imports this package.
"""
