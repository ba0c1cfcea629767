"""Helpers for testing packs and code that uses assess_rules.

- :mod:`assess_rules.testing.scenarios`: scenario files (case, date, expected findings).
- :mod:`assess_rules.testing.plugin`: the pytest plugin that collects them.
- :mod:`assess_rules.testing.strategies`: Hypothesis strategies for dates and snapshots.

Nothing in the library imports this package.
"""

from assess_rules.testing.scenarios import (
    Scenario,
    ScenarioFile,
    check_scenario,
    load_scenario_file,
    run_file,
)

__all__ = ["Scenario", "ScenarioFile", "check_scenario", "load_scenario_file", "run_file"]
