"""Helpers for testing packs and code that uses assess_rules.

- :mod:`assess_rules.testing.plugin`: the pytest plugin that collects ``*.scenarios.yaml``
  files (run by :mod:`assess_rules.scenarios`).
- :mod:`assess_rules.testing.coverage`: which rules and branches the scenarios exercise.
- :mod:`assess_rules.testing.golden`: golden tables of every timescale's due dates.
- :mod:`assess_rules.testing.strategies`: Hypothesis strategies for dates and snapshots.
- :mod:`assess_rules.testing.cases`: pack-aware strategies (``cases_for``).
- :mod:`assess_rules.testing.invariants`: built-in and authored invariants.
- :mod:`assess_rules.testing.search`: a shrinking search for a counter-example.

Nothing in the library imports this package.
"""
