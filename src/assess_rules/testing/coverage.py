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
from assess_rules.policy import Policy
from assess_rules.result import Result
from assess_rules.scenarios import check_scenario, load_scenario_file

__all__ = ["Coverage", "scenario_coverage"]


@dataclass
class Coverage:
    """What the scenarios exercised, and the gaps: ``pack: rule[/branch]: what is missing``."""

    seen: set[str] = field(default_factory=set)
    policies: dict[str, Policy] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, result: Result) -> None:
        """Note everything ``result`` shows was exercised."""
        seen = self.seen
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

    def gaps(self) -> list[str]:
        """Every rule or branch no scenario exercised."""
        out: list[str] = []
        done: set[str] = set()
        for policy in self.policies.values():
            for rule in policy.rules:
                home = policy.origin[rule.id]
                key = f"{home}:{rule.id}"
                if key in done:
                    continue
                done.add(key)
                for missing in self._rule_gaps(rule):
                    out.append(f"{home}: {missing}")
        return sorted(out)

    def _rule_gaps(self, rule: object) -> Iterable[str]:
        """The branches of ``rule`` (as its kind lists them) no scenario exercised."""
        seen = self.seen
        for key, gap in kind_of(rule).branches(rule):
            if key not in seen:
                yield gap


def scenario_coverage(files: Iterable[str | Path]) -> Coverage:
    """Run every scenario of ``files`` and collect what they exercised."""
    coverage = Coverage()
    for path in files:
        scenario_file = load_scenario_file(path)
        policy = scenario_file.policy()
        coverage.policies[policy.id] = policy
        for scenario in scenario_file.scenarios:
            problems, result = check_scenario(policy, scenario)
            if problems:
                coverage.failures.append(f"{path}: {scenario.name}")
            if result is not None:
                coverage.record(result)
    return coverage
