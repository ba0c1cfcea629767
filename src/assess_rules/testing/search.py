"""Search for a counter-example to an invariant, and shrink it to a small case.

>>> from assess_rules import load_policy
>>> from assess_rules.testing.invariants import working_day_due_dates
>>> print(find_counterexample(load_policy("generic_s17"), working_day_due_dates, examples=20))
None

A counter-example prints as a scenario ready to paste into a scenario file (see
``docs/testing.md``).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from assess_rules.case import CaseSnapshot
from assess_rules.policy import Policy
from assess_rules.testing.cases import case_to_yaml_dict, evaluations_for
from assess_rules.testing.invariants import Invariant, InvariantViolation

__all__ = [
    "DEFAULT_EXAMPLES",
    "Counterexample",
    "examples_from_env",
    "find_counterexample",
    "find_counterexamples",
]

#: Examples per invariant when nothing else is asked: small enough for every CI run.
DEFAULT_EXAMPLES = 25


def examples_from_env(default: int = DEFAULT_EXAMPLES) -> int:
    """``ASSESS_RULES_INVARIANT_EXAMPLES`` if set (a long run), else ``default``."""
    text = os.environ.get("ASSESS_RULES_INVARIANT_EXAMPLES", "").strip()
    return int(text) if text else default


@dataclass(frozen=True)
class Counterexample:
    """A shrunk case and evaluation date on which ``invariant`` fails, and why."""

    invariant: str
    case: CaseSnapshot
    as_of: date
    violation: InvariantViolation

    def scenario(self) -> dict[str, Any]:
        """The counter-example as a scenario-file entry (add the ``expect:`` it should
        have)."""
        return {
            "name": f"counter-example to {self.invariant}",
            "note": self.violation.explanation,
            "as_of": self.as_of.isoformat(),
            "case": case_to_yaml_dict(self.case),
        }

    def __str__(self) -> str:
        return f"{self.violation}\n{json.dumps(self.scenario(), indent=2)}"


def _name(invariant: Invariant) -> str:
    return str(getattr(invariant, "name", "") or getattr(invariant, "__name__", invariant))


def _actions(invariant: Invariant) -> list[str] | None:
    action = getattr(invariant, "action", None)
    return [action] if isinstance(action, str) and action else None


def _settings(examples: int | None, seed: int | None) -> settings:
    return settings(
        max_examples=examples or examples_from_env(),
        deadline=None,
        database=None,
        derandomize=seed is None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )


def _first_failure(
    policy: Policy, invariants: Sequence[Invariant], case: CaseSnapshot, as_of: date
) -> Counterexample | None:
    for invariant in invariants:
        try:
            invariant(policy, case, as_of)
        except InvariantViolation as violation:
            return Counterexample(_name(invariant), case, as_of, violation)
    return None


def find_counterexamples(
    policy: Policy,
    invariants: Sequence[Invariant],
    *,
    examples: int | None = None,
    seed: int | None = None,
) -> list[Counterexample]:
    """Search for all ``invariants`` at once: every drawn case is checked by each of them,
    so each is tried on ``examples`` cases for the cost of drawing them once. Returns one
    shrunk counter-example per invariant that fails (an invariant found failing is set
    aside and the search goes on for the others), in the order found.

    >>> from assess_rules import load_policy
    >>> from assess_rules.testing.invariants import BUILT_IN
    >>> find_counterexamples(load_policy("generic_s17"), BUILT_IN, examples=10)
    []
    """
    remaining = list(invariants)
    found: list[Counterexample] = []
    while remaining:

        def fails(pair: tuple[CaseSnapshot, date], left: list[Invariant] = remaining) -> bool:
            return _first_failure(policy, left, *pair) is not None

        try:
            case, as_of = find(
                evaluations_for(policy),
                fails,
                settings=_settings(examples, seed),
                random=None if seed is None else random.Random(seed),
            )
        except NoSuchExample:
            break
        failure = _first_failure(policy, remaining, case, as_of)
        if failure is None:  # pragma: no cover - find returned an example that passes: flaky
            break
        found.append(failure)
        remaining = [i for i in remaining if _name(i) != failure.invariant]
    return found


def find_counterexample(
    policy: Policy,
    invariant: Invariant,
    *,
    examples: int | None = None,
    seed: int | None = None,
) -> Counterexample | None:
    """Try ``examples`` cases from :func:`~assess_rules.testing.cases.evaluations_for`;
    return the smallest one found on which ``invariant`` fails, or ``None``. Without a
    ``seed`` the search is derandomized: the same examples on every run. An invariant
    about one action (:class:`~assess_rules.testing.invariants.Never`) is searched with
    requests for that action only."""

    def fails(pair: tuple[CaseSnapshot, date]) -> bool:
        try:
            invariant(policy, *pair)
        except InvariantViolation:
            return True
        return False

    try:
        case, as_of = find(
            evaluations_for(policy, actions=_actions(invariant)),
            fails,
            settings=_settings(examples, seed),
            random=None if seed is None else random.Random(seed),
        )
    except NoSuchExample:
        return None
    try:
        invariant(policy, case, as_of)
    except InvariantViolation as violation:
        return Counterexample(_name(invariant), case, as_of, violation)
    return None  # pragma: no cover - find returned an example that passes: flaky
