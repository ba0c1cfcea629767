"""Invariants: properties every pack's answers must have, checked on one case at a time.

Each invariant is a function ``(policy, case, as_of) -> None`` that raises
:class:`InvariantViolation` with an explanation when the property fails. ``BUILT_IN`` lists
the ready-made ones; :func:`check_all` runs several; :class:`Never` is the form a policy
author writes in a scenario file's ``invariants:`` section.

>>> from datetime import date
>>> from assess_rules import load_policy, parse_case
>>> policy = load_policy("generic_s17")
>>> case = parse_case({"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"}})
>>> check_all(policy, case, date(2026, 12, 22))
>>> [invariant.__name__ for invariant in BUILT_IN][:2]
['working_day_due_dates', 'met_exactly_when_done_by_due']
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import jsonschema

from assess_rules.calendar import LONDON
from assess_rules.case import CaseSnapshot, Visit
from assess_rules.conditions import CompiledCondition, compile_condition
from assess_rules.errors import AssessRulesError, ConditionError
from assess_rules.evaluation import evaluate
from assess_rules.facts import FactContext
from assess_rules.loading import schema_path
from assess_rules.pack import CancellationRule, ProhibitionRule, TimescaleRule
from assess_rules.policy import Policy
from assess_rules.result import Result
from assess_rules.scenarios import AuthoredInvariant

__all__ = [
    "BUILT_IN",
    "DECISION_STATUSES",
    "DueOnWorkingDays",
    "Invariant",
    "InvariantViolation",
    "Never",
    "allowed_only_to_allowed_roles",
    "authored",
    "check_all",
    "cites_declared_catalogue_ids",
    "declared_catalogue_ids",
    "deterministic_and_pure",
    "events_after_as_of_change_nothing",
    "independent_of_time_zone",
    "met_exactly_when_done_by_due",
    "missed_stays_missed",
    "validates_against_schema",
    "working_day_due_dates",
]

Invariant = Callable[[Policy, CaseSnapshot, date], None]

#: A decision's statuses (docs/result.md).
DECISION_STATUSES = ("allowed", "allowed_once", "refused", "undecidable")


class InvariantViolation(AssessRulesError):  # noqa: N818 - the name the issue asks for
    """An invariant failed: which one, for which pack, on which date, and why; ``rule`` is
    the id of the rule whose answer broke it, where one rule did (``assess-rules check``
    explains it)."""

    def __init__(
        self, invariant: str, policy: str, as_of: date, explanation: str, rule: str | None = None
    ) -> None:
        self.invariant = invariant
        self.policy = policy
        self.as_of = as_of
        self.explanation = explanation
        self.rule = rule
        super().__init__(f"{invariant} ({policy}, as of {as_of.isoformat()}): {explanation}")


def _fail(
    name: str, policy: Policy, as_of: date, explanation: str, rule: str | None = None
) -> InvariantViolation:
    return InvariantViolation(name, policy.id, as_of, explanation, rule)


def _label(item: Any) -> str:
    subject = getattr(item, "subject", None)
    return f"{item.rule}@{subject}" if subject else str(item.rule)


def working_day_due_dates(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """A deadline counted in working days falls on a working day of the pack's calendar."""
    calendar = policy.version_on(case.referral.received_at.date()).calendar
    for deadline in evaluate(policy, case, as_of).deadlines:
        if deadline.unit == "working_days" and not calendar.is_working_day(deadline.due_date):
            raise _fail(
                "working_day_due_dates",
                policy,
                as_of,
                f"deadline {_label(deadline)} is due {deadline.due_date:%a %d %b %Y}, a day "
                f"the office is closed ({deadline.computation})",
                rule=deadline.rule,
            )


def met_exactly_when_done_by_due(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """A deadline is ``met`` exactly when it was done on or before it was due (a deadline
    left ``undetermined`` for want of facts, which it lists, is neither)."""
    for deadline in evaluate(policy, case, as_of).deadlines:
        if deadline.status == "undetermined" and deadline.missing_facts:
            continue
        on_time = deadline.done is not None and deadline.done <= deadline.due
        if (deadline.status == "met") != on_time:
            done = deadline.done.isoformat() if deadline.done else "not done"
            raise _fail(
                "met_exactly_when_done_by_due",
                policy,
                as_of,
                f"deadline {_label(deadline)} is {deadline.status}, done {done}, due "
                f"{deadline.due.isoformat()}",
                rule=deadline.rule,
            )


def _request_index(subject: str | None) -> int | None:
    if subject and subject.startswith("cancellations[") and subject.endswith("]"):
        return int(subject[len("cancellations[") : -1])
    return None


def allowed_only_to_allowed_roles(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """A decided request is ``allowed`` (or ``allowed_once``) only if the role that decided
    it may decide it under the pack: the reason's ``decided_by``, else the rule's, and
    higher roles only where the pack lets them."""
    version = policy.version_on(case.referral.received_at.date())
    rules = {r.id: r for r in version.rules if isinstance(r, CancellationRule)}
    for action in evaluate(policy, case, as_of).permitted_actions:
        index = _request_index(action.subject)
        if index is None or action.status not in {"allowed", "allowed_once"}:
            continue
        request = case.cancellations[index]
        if request.decided_by is None or request.decided_at is None:
            continue
        if request.decided_at.date() > as_of:
            continue
        rule = rules.get(action.rule or "")
        if rule is None:
            raise _fail(
                "allowed_only_to_allowed_roles",
                policy,
                as_of,
                f"{action.subject} ({request.action}) is {action.status}, but no rule of the "
                "pack governs that action",
                rule=action.rule,
            )
        required = rule.decided_by
        for reason in rule.reasons:
            if reason.id == request.reason and reason.decided_by:
                required = reason.decided_by
        if not version.may_act(
            request.decided_by, required, higher_allowed=rule.higher_roles_may_decide
        ):
            raise _fail(
                "allowed_only_to_allowed_roles",
                policy,
                as_of,
                f"{action.subject} ({request.action}, reason {request.reason!r}) decided by "
                f"{request.decided_by} is {action.status}, but {rule.id} needs "
                f"{required}",
                rule=rule.id,
            )


def _snapshot(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.to_json())
    return data


def deterministic_and_pure(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """Two evaluations give equal results, and neither changes the case."""
    before = copy.deepcopy(case)
    first = _snapshot(evaluate(policy, case, as_of))
    second = _snapshot(evaluate(policy, case, as_of))
    if first != second:
        raise _fail(
            "deterministic_and_pure", policy, as_of, "two evaluations gave different results"
        )
    if case != before:
        raise _fail("deterministic_and_pure", policy, as_of, "evaluation changed the case")


#: Zones far from London either way, to show evaluation never reads the process's zone.
OTHER_ZONES = ("Pacific/Kiritimati", "America/Los_Angeles")


def independent_of_time_zone(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """The result is the same whatever the process's time zone (``TZ``)."""
    expected = _snapshot(evaluate(policy, case, as_of))
    saved = os.environ.get("TZ")
    try:
        for zone in OTHER_ZONES:
            os.environ["TZ"] = zone
            time.tzset()
            if _snapshot(evaluate(policy, case, as_of)) != expected:
                raise _fail(
                    "independent_of_time_zone",
                    policy,
                    as_of,
                    f"the result changed with the process's time zone set to {zone}",
                )
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def _with_later_events(case: CaseSnapshot, as_of: date) -> CaseSnapshot:
    later = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), LONDON).replace(
        hour=10
    )
    return case.model_copy(update={"visits": (*case.visits, Visit(at=later, child_seen=True))})


def events_after_as_of_change_nothing(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """Recording an event after the evaluation date (a visit the next morning, the child
    seen) changes nothing in the result."""
    later_case = _with_later_events(case, as_of)
    if _snapshot(evaluate(policy, case, as_of)) != _snapshot(evaluate(policy, later_case, as_of)):
        raise _fail(
            "events_after_as_of_change_nothing",
            policy,
            as_of,
            "a visit recorded the day after the evaluation date changed the result",
        )


#: How far forward :func:`missed_stays_missed` moves the evaluation date, in days.
LATER_BY = (1, 30, 400)


def missed_stays_missed(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """A deadline missed on ``as_of`` is never ``met`` on a later date."""
    missed = {_label(d) for d in evaluate(policy, case, as_of).deadlines if d.status == "missed"}
    if not missed:
        return
    for days in LATER_BY:
        later = as_of + timedelta(days=days)
        for deadline in evaluate(policy, case, later).deadlines:
            if _label(deadline) in missed and deadline.status == "met":
                raise _fail(
                    "missed_stays_missed",
                    policy,
                    as_of,
                    f"deadline {_label(deadline)} is missed on {as_of.isoformat()} but met on "
                    f"{later.isoformat()}",
                    rule=deadline.rule,
                )


def declared_catalogue_ids(policy: Policy) -> frozenset[str]:
    """Every catalogue ID the pack (and what it extends) cites anywhere."""
    ids: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if set(value) >= {"id", "para"} and isinstance(value["id"], str):
                ids.add(value["id"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for version in policy.versions or (policy,):
        for rule in version.rules:
            walk(rule.model_dump())
        for parameter in version.parameters.values():
            walk(parameter.model_dump())
    return frozenset(ids)


def _items(result: Result) -> Iterator[Any]:
    yield from result.deadlines
    yield from result.violations
    yield from result.warnings
    yield from result.permitted_actions
    yield from result.obligations
    yield from result.missing_facts


def cites_declared_catalogue_ids(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """Every item of the result cites at least one source, each a catalogue ID the pack
    declares."""
    declared = declared_catalogue_ids(policy)
    for item in _items(evaluate(policy, case, as_of)):
        if getattr(item, "rule", None) is None:
            continue
        cited = {source.id for source in item.sources}
        unknown = sorted(cited - declared)
        if not cited or unknown:
            raise _fail(
                "cites_declared_catalogue_ids",
                policy,
                as_of,
                f"{type(item).__name__.lower()} {_label(item)} cites "
                f"{unknown or 'nothing'}, not a catalogue ID the pack declares",
                rule=item.rule,
            )


@cache
def _result_validator() -> Any:
    schema: Mapping[str, Any] = json.loads(schema_path("result.schema.json").read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def validates_against_schema(policy: Policy, case: CaseSnapshot, as_of: date) -> None:
    """The result's JSON validates against ``schemas/result.schema.json``."""
    try:
        _result_validator().validate(_snapshot(evaluate(policy, case, as_of)))
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        raise _fail(
            "validates_against_schema", policy, as_of, f"at /{where}: {error.message}"
        ) from None


BUILT_IN: tuple[Invariant, ...] = (
    working_day_due_dates,
    met_exactly_when_done_by_due,
    allowed_only_to_allowed_roles,
    deterministic_and_pure,
    independent_of_time_zone,
    events_after_as_of_change_nothing,
    missed_stays_missed,
    cites_declared_catalogue_ids,
    validates_against_schema,
)


def check_all(
    policy: Policy,
    case: CaseSnapshot,
    as_of: date,
    invariants: Iterable[Invariant] = BUILT_IN,
) -> None:
    """Run ``invariants`` in order; raise the first :class:`InvariantViolation`."""
    for invariant in invariants:
        invariant(policy, case, as_of)


@dataclass(frozen=True)
class DueOnWorkingDays:
    """An author's invariant: the deadlines of these timescale rules always fall on working
    days of the pack's calendar, whatever unit they are counted in.

    >>> from datetime import date
    >>> from assess_rules import load_policy, parse_case
    >>> case = parse_case({"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"}})
    >>> DueOnWorkingDays(("referral-decision",))(load_policy("generic_s17"), case,
    ...                                          date(2026, 12, 22))
    """

    rules: tuple[str, ...]
    name: str = ""
    file: str = ""
    line: int = 0

    def check_against(self, policy: Policy) -> None:
        """Raise :class:`AssessRulesError` for a rule id the pack has no timescale of."""
        ids = {r.id for r in policy.rules if isinstance(r, TimescaleRule)}
        for rule in self.rules:
            if rule not in ids:
                near = difflib.get_close_matches(rule, sorted(ids), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise AssessRulesError(
                    f"{self.file}:{self.line}: invariant {self.name!r}: pack {policy.id!r} "
                    f"has no timescale {rule!r}{hint}"
                )

    def __call__(self, policy: Policy, case: CaseSnapshot, as_of: date) -> None:
        calendar = policy.version_on(case.referral.received_at.date()).calendar
        for deadline in evaluate(policy, case, as_of).deadlines:
            if deadline.rule in self.rules and not calendar.is_working_day(deadline.due_date):
                raise _fail(
                    self.name or "due_on_working_days",
                    policy,
                    as_of,
                    f"deadline {_label(deadline)} is due {deadline.due_date:%a %d %b %Y}, a "
                    f"day the office is closed ({deadline.computation})",
                    rule=deadline.rule,
                )


def authored(spec: AuthoredInvariant) -> Never | DueOnWorkingDays:
    """The invariant a scenario file's ``invariants:`` entry states."""
    if spec.due_on_working_days:
        return DueOnWorkingDays(spec.due_on_working_days, spec.name, spec.file, spec.line)
    return Never.from_authored(spec)


@dataclass(frozen=True)
class Never:
    """An author's invariant: a request for ``action`` never gets ``status`` while ``when``
    holds as of the evaluation date. ``when`` sees the case's facts and the request's own
    (``cancellation.reason``, ``cancellation.decided_by``: this request, not the latest).

    >>> from assess_rules import load_policy
    >>> rule = Never("cancel_assessment", "allowed", "concerns.significant_harm_suspected"
    ...              " and not strategy_discussion.s47_ruled_out")
    >>> rule.compiled(load_policy("generic_s17")).facts == {
    ...     "concerns.significant_harm_suspected", "strategy_discussion.s47_ruled_out"}
    True
    """

    action: str
    status: str
    when: str | None = None
    name: str = ""
    file: str = ""
    line: int = 0

    @property
    def statuses(self) -> frozenset[str]:
        """The statuses forbidden: ``allowed`` also forbids ``allowed_once``."""
        if self.status == "allowed":
            return frozenset({"allowed", "allowed_once"})
        return frozenset({self.status})

    @classmethod
    def from_authored(cls, authored: AuthoredInvariant) -> Never:
        """The invariant a scenario file's ``invariants:`` entry states."""
        return cls(
            authored.action,
            authored.status,
            authored.when,
            authored.name,
            authored.file,
            authored.line,
        )

    def check_against(self, policy: Policy) -> None:
        """Raise :class:`AssessRulesError` if ``policy`` governs no such action (with the
        nearest it does) or ``when`` does not compile against its facts."""
        actions = {r.action for r in policy.rules if isinstance(r, CancellationRule)} | {
            r.action for r in policy.rules if isinstance(r, ProhibitionRule)
        }
        if self.action not in actions:
            near = difflib.get_close_matches(self.action, sorted(actions), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; it governs {sorted(actions)}"
            raise AssessRulesError(
                f"{self.file}:{self.line}: invariant {self.name!r}: pack {policy.id!r} governs "
                f"no action {self.action!r}{hint}"
            )
        try:
            self.compiled(policy)
        except ConditionError as error:
            raise AssessRulesError(
                f"{self.file}:{self.line}: invariant {self.name!r}: {error}"
            ) from None

    def compiled(self, policy: Policy) -> CompiledCondition | None:
        """``when`` compiled against the fact registry and the pack's parameters."""
        if self.when is None:
            return None
        parameters = {name: p.value for name, p in policy.parameters.items()}
        return compile_condition(self.when, policy.facts, "cancellations", parameters)

    def __call__(self, policy: Policy, case: CaseSnapshot, as_of: date) -> None:
        condition = self.compiled(policy)
        result = evaluate(policy, case, as_of)
        for action in result.permitted_actions:
            if action.subject is None or action.action != self.action:
                continue
            if action.status not in self.statuses:
                continue
            index = _request_index(action.subject)
            if index is None:
                continue
            request = case.cancellations[index]
            if condition is not None:
                version = policy.version_on(case.referral.received_at.date())
                cutoff = datetime.combine(as_of, datetime.max.time(), LONDON)
                context = FactContext(case, cutoff, as_of, version.calendar, version.role_ranks)
                if condition(context.for_item("cancellations", request)) is not True:
                    continue
            reason = request.reason
            raise _fail(
                self.name or "never",
                policy,
                as_of,
                f"{action.subject} ({self.action}, reason {reason!r}) is {action.status}"
                + (f" while {self.when}" if self.when else "")
                + f": {'; '.join(action.why)}",
                rule=action.rule,
            )
