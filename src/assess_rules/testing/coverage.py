"""Rule and branch coverage of packs by their scenario files.

:func:`scenario_coverage` runs scenario files and lists every rule or branch of the packs
under test that no scenario exercised:

- a timescale never seen ``met`` and never seen ``missed`` (a timescale with no end event
  needs only ``missed``);
- each extension never applied;
- each cancellation reason never allowed, or, if it has a condition, never refused;
- each cancellation rule whose approver level was never both respected and broken;
- each obligation or consent step never owed or broken;
- each check, authority, prohibition or warning never triggered.

A rule counts as covered by a scenario of any pack that includes it, so a baseline
prohibition can be exercised by a council pack's scenarios. ``caseload_review`` rules are
rules over many cases and are left to ordinary tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assess_rules.kinds import kind_of
from assess_rules.loading import SearchPath
from assess_rules.policy import Policy
from assess_rules.result import Result
from assess_rules.scenarios import check_scenario, load_scenario_file

__all__ = ["Branch", "Coverage", "scenario_coverage"]


@dataclass(frozen=True)
class Branch:
    """One rule or branch of a pack under test, and the scenarios that exercised it."""

    #: the pack the rule is written in (a council pack's scenarios may cover its baseline)
    pack: str
    rule: str
    #: ``rule[/reason|extension|step]#what``, e.g. ``kent-cancel/opened_in_error#allowed``
    key: str
    #: what is missing while no scenario exercises it, e.g. ``kent-cancel/x: never allowed``
    gap: str
    #: the scenarios that exercised it, as ``file: name``, in the order they ran
    scenarios: tuple[str, ...] = ()

    @property
    def exercised(self) -> bool:
        """Whether any scenario (or a result recorded without a name) exercised it."""
        return bool(self.scenarios)


@dataclass
class Coverage:
    """What the scenarios exercised, and the gaps: ``pack: rule[/branch]: what is missing``."""

    seen: set[str] = field(default_factory=set)
    policies: dict[str, Policy] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    #: each exercised branch key, with the scenarios that exercised it
    exercised_by: dict[str, list[str]] = field(default_factory=dict)

    def record(self, result: Result, scenario: str | None = None) -> None:
        """Note everything ``result`` shows was exercised (by ``scenario``, if named)."""
        seen: set[str] = set()
        for deadline in result.deadlines:
            seen.add(f"{deadline.rule}#{deadline.status}")
            if deadline.extension:
                seen.add(f"{deadline.rule}/{deadline.extension}#extension")
        for violation in result.violations:
            seen.add(f"{violation.rule}#violation")
            if violation.step:
                seen.add(f"{violation.rule}/{violation.step}#step")
            if violation.branch == "approver":
                seen.add(f"{violation.rule}#approver-broken")
        for obligation in result.obligations:
            seen.add(f"{obligation.rule}#obligation")
            if obligation.step:
                seen.add(f"{obligation.rule}/{obligation.step}#step")
        for warning in result.warnings:
            seen.add(f"{warning.rule}#warning")
        for action in result.permitted_actions:
            verdict = "allowed" if action.status == "allowed_once" else action.status
            seen.add(f"{action.rule}/{action.option}#{verdict}")
            if action.subject and action.status in {"allowed", "allowed_once"}:
                seen.add(f"{action.rule}#approver-respected")
            for prohibition in action.blocked_by:
                seen.add(f"{prohibition}#prohibited")
        self.seen |= seen
        label = "(unnamed)" if scenario is None else scenario
        for key in sorted(seen):
            names = self.exercised_by.setdefault(key, [])
            if label not in names:
                names.append(label)

    def branches(self) -> list[Branch]:
        """Every rule and branch of the packs under test, each with the scenarios that
        exercised it (none: a gap), in pack order."""
        out: list[Branch] = []
        done: set[str] = set()
        for policy in self.policies.values():
            for rule in policy.rules:
                home = policy.origin[rule.id]
                if f"{home}:{rule.id}" in done:
                    continue
                done.add(f"{home}:{rule.id}")
                for key, gap in kind_of(rule).branches(rule):
                    by = self.exercised_by.get(key, [])
                    if key in self.seen and not by:  # recorded by hand, with no name
                        by = ["(unnamed)"]
                    out.append(Branch(home, rule.id, key, gap, tuple(by)))
        return out

    def gaps(self) -> list[str]:
        """Every rule or branch no scenario exercised."""
        return sorted(f"{b.pack}: {b.gap}" for b in self.branches() if not b.exercised)

    def percent(self) -> float:
        """The share of branches exercised, 0 to 100 (100 when there are none)."""
        branches = self.branches()
        if not branches:
            return 100.0
        return 100.0 * sum(b.exercised for b in branches) / len(branches)


def scenario_coverage(files: Iterable[str | Path], search_path: SearchPath = None) -> Coverage:
    """Run every scenario of ``files`` and collect what they exercised (each pack looked
    for as :meth:`~assess_rules.scenarios.ScenarioFile.policy` does)."""
    coverage = Coverage()
    for path in files:
        scenario_file = load_scenario_file(path)
        policy = scenario_file.policy(search_path)
        coverage.policies[policy.id] = policy
        for scenario in scenario_file.scenarios:
            problems, result = check_scenario(policy, scenario)
            if problems:
                coverage.failures.append(f"{path}: {scenario.name}")
            if result is not None:
                coverage.record(result, f"{Path(path).name}: {scenario.name}")
    return coverage
