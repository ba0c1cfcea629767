"""pytest plugin: collects ``*.scenarios.yaml`` files, one test item per scenario, and
``*.invariants.yaml`` files (the same format, for invariants kept apart from scenarios).

Installed with assess_rules (entry point ``pytest11``), so a council's own repository of
packs and scenario files is tested by plain ``pytest``.

Each file also gives one item per invariant its ``invariants:`` section states and one per
built-in invariant (:data:`assess_rules.testing.invariants.BUILT_IN`), each searched for a
counter-example with :func:`assess_rules.testing.search.find_counterexample`:
``ASSESS_RULES_INVARIANT_EXAMPLES`` cases each (25 if unset).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assess_rules.errors import AssessRulesError
from assess_rules.policy import Policy
from assess_rules.scenarios import Scenario, check_scenario, load_scenario_file
from assess_rules.testing.invariants import BUILT_IN, Invariant, authored
from assess_rules.testing.search import examples_from_env, find_counterexample

SUFFIX = ".scenarios.yaml"
#: The file names collected: scenario files, and files that hold only invariants.
SUFFIXES = (SUFFIX, ".invariants.yaml")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect scenario and invariant files."""
    if file_path.name.endswith(SUFFIXES):
        collected: pytest.Collector = ScenarioFileCollector.from_parent(parent, path=file_path)
        return collected
    return None


class ScenarioFailedError(Exception):
    """A scenario whose findings differ from its expectations."""


class ScenarioFileCollector(pytest.File):
    """A scenario file: loads the pack once, yields one item per scenario."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario_file = load_scenario_file(self.path)
            policy = scenario_file.policy()
        except AssessRulesError as exc:
            raise self.CollectError(str(exc)) from None
        for scenario in scenario_file.scenarios:
            yield ScenarioItem.from_parent(
                self, name=scenario.name, scenario=scenario, policy=policy
            )
        for spec in scenario_file.invariants:
            invariant = authored(spec)
            try:
                invariant.check_against(policy)
            except AssessRulesError as exc:
                raise self.CollectError(str(exc)) from None
            yield InvariantItem.from_parent(
                self,
                name=f"invariant: {spec.name}",
                invariant=invariant,
                policy=policy,
                line=spec.line,
            )
        for built_in in BUILT_IN:
            yield InvariantItem.from_parent(
                self,
                name=f"built-in: {built_in.__name__}",
                invariant=built_in,
                policy=policy,
                line=1,
            )


class ScenarioItem(pytest.Item):
    """One scenario, run as a test."""

    def __init__(self, *, scenario: Scenario, policy: Policy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.policy = policy

    def runtest(self) -> None:
        problems, _result = check_scenario(self.policy, self.scenario)
        if problems:
            raise ScenarioFailedError("\n".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailedError):
            return (
                f"scenario {self.scenario.name!r} ({self.scenario.file}:"
                f"{self.scenario.line}) against {self.policy.id}:\n{excinfo.value}"
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"


class InvariantFailedError(Exception):
    """An invariant with a counter-example."""


class InvariantItem(pytest.Item):
    """One invariant of one pack, searched for a counter-example."""

    def __init__(self, *, invariant: Invariant, policy: Policy, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.invariant = invariant
        self.policy = policy
        self.line = line

    def runtest(self) -> None:
        found = find_counterexample(self.policy, self.invariant, examples=examples_from_env())
        if found is not None:
            raise InvariantFailedError(str(found))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, InvariantFailedError):
            return (
                f"{self.name} ({self.path}:{self.line}) against {self.policy.id}; the smallest "
                f"counter-example found, as a scenario:\n{excinfo.value}"
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, self.name
